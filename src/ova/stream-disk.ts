import type { CimValue } from '../model/index.js';
import type { OvfContent, OvfDisk, OvfEnvelope, OvfItem } from '../ovf/index.js';
import type { FileTransform, PlannedTransform } from './transform.js';

/** The OVF format URI of a streamOptimized VMDK (what ovftool and VirtualBox write on Disk ovf:format). */
export const STREAM_VMDK_FORMAT = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';

/** The adapter types a streamOptimized VMDK's descriptor names (`ddb.adapterType`). */
export type VmdkAdapter = 'ide' | 'lsilogic' | 'buslogic' | 'legacyESX';

/**
 * The two functions of the disk engine the stream conversion needs, passed in by the caller (the CLI wires
 * src/disk's `probe` and `encodeStreamVmdk`), so that the OVA domain does not depend on the disk domain.
 */
export interface StreamDiskEngine {
  /** Probes an image by its bytes: format name (`raw`, `qcow2`, `vmdk`, ...) and subformat. */
  probe(path: string): Promise<{ format: string; subformat?: string | undefined; virtualSize: number }>;
  /** Encodes a raw or qcow2 image as streamOptimized VMDK bytes; `result` settles after the last byte. */
  encode(
    path: string,
    options: { adapterType: VmdkAdapter; fileName: string; level?: number | undefined },
  ): AsyncIterable<Buffer> & { result: Promise<{ bytes: number; populatedSize: number }> };
}

/**
 * The `--disk-format stream` transform: every File used by a Disk whose image is raw or qcow2 is stored as a
 * streamOptimized VMDK produced in the same pass (href renamed to `.vmdk`, Disk ovf:format and
 * ovf:populatedSize set, the adapter type taken from the disk's controller in the descriptor). Disks already in
 * VMDK are stored as they are.
 */
export function streamDiskTransform(
  engine: StreamDiskEngine,
  options: { level?: number } = {},
): FileTransform {
  return {
    async plan({ env, file, disk, sourcePath }): Promise<PlannedTransform | undefined> {
      if (disk === undefined) return undefined;
      const info = await engine.probe(sourcePath);
      if (info.format !== 'raw' && info.format !== 'qcow2') return undefined;
      const href = file.href.replace(/\.(raw|img|qcow2|qcow|bin)$/i, '') + '.vmdk';
      const adapterType = adapterOf(env, disk);
      let encoder: ReturnType<StreamDiskEngine['encode']> | undefined;
      return {
        href,
        // Worst case: every 64 KiB grain stored (deflate can grow it by a few bytes), a 512-byte grain marker
        // and padding per grain, grain tables, and 64 KiB of header, descriptor and footer.
        maxSize:
          Math.ceil(info.virtualSize / 65536) * (65536 + 1024) + Math.ceil(info.virtualSize / 1024) + 65536,
        edit() {
          disk.format = STREAM_VMDK_FORMAT;
          disk.populatedSize = '9'.repeat(20);
        },
        async *open() {
          encoder = engine.encode(sourcePath, { adapterType, fileName: href, level: options.level });
          yield* encoder;
          const r = await encoder.result;
          disk.populatedSize = String(r.populatedSize);
        },
      };
    },
  };
}

/** The adapter type for a disk: from the controller its Item hangs off (IDE, or the SCSI subtype). */
export function adapterOf(env: OvfEnvelope, disk: OvfDisk): VmdkAdapter {
  for (const items of hardwareItems(env.content)) {
    const item = items.find((i) =>
      values(i.resource.properties.HostResource).some((h) => isDiskRef(h, disk.diskId)),
    );
    if (!item) continue;
    const parent = first(item.resource.properties.Parent);
    const ctl = items.find((i) => first(i.resource.properties.InstanceID) === parent);
    const type = first(ctl?.resource.properties.ResourceType);
    if (type === '5') return 'ide';
    const sub = first(ctl?.resource.properties.ResourceSubType)?.toLowerCase() ?? '';
    if (type === '6' && sub.includes('buslogic')) return 'buslogic';
    return 'lsilogic';
  }
  return 'lsilogic';
}

function isDiskRef(hostResource: string, diskId: string): boolean {
  return /^(ovf:)?\/+disk\//i.test(hostResource) && hostResource.replace(/^(ovf:)?\/+disk\//i, '') === diskId;
}

function* hardwareItems(content: OvfContent | undefined): Generator<OvfItem[]> {
  if (!content) return;
  for (const s of content.sections) if (s.kind === 'VirtualHardwareSection') yield s.items;
  for (const c of content.children) yield* hardwareItems(c);
}

function values(v: CimValue | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function first(v: CimValue | undefined): string | undefined {
  return values(v)[0]?.trim();
}
