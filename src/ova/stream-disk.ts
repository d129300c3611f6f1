import { readDevices } from '../model/index.js';
import { diskIdOf, type OvfContent, type OvfDisk, type OvfEnvelope, type OvfItem } from '../ovf/index.js';
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

/**
 * The adapter type for a disk (`ddb.adapterType`): from the controller its drive hangs off, read through the
 * model's device view (`readDevices`): IDE is `ide`, BusLogic `buslogic`, every other controller (SCSI HBAs,
 * SATA, NVMe, virtio) `lsilogic`, which is what VMware writes for those.
 */
export function adapterOf(env: OvfEnvelope, disk: OvfDisk): VmdkAdapter {
  for (const items of hardwareItems(env.content)) {
    const view = readDevices({ system: {}, resources: items.map((i) => i.resource) });
    const drive = view.drives.find((d) => diskIdOf(d.hostResource) === disk.diskId);
    if (drive === undefined) continue;
    const kind = drive.controller?.kind;
    return kind === 'ide' ? 'ide' : kind === 'buslogic' ? 'buslogic' : 'lsilogic';
  }
  return 'lsilogic';
}

function* hardwareItems(content: OvfContent | undefined): Generator<OvfItem[]> {
  if (!content) return;
  for (const s of content.sections) if (s.kind === 'VirtualHardwareSection') yield s.items;
  for (const c of content.children) yield* hardwareItems(c);
}
