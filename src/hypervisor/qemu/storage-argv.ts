import { type ControllerView, type DriveView, type HardwareView, imagePath } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import type { QemuHandles } from './handles.js';
import { nodeName, qemuId } from './options.js';

/**
 * The file QEMU writes for a disk (the VM's own qcow2 overlay, normally) with its format, and the read-only image
 * under it, when there is one.
 */
export interface DriveImage {
  file: string;
  format: string;
  base?: { file: string; format: string };
}

/** Formats whose images can name a backing file (QAPI `BlockdevOptionsGenericCOWFormat`). */
const COW_FORMATS = new Set(['qcow', 'qcow2', 'qed', 'vmdk']);

/** One image of a drive as QEMU gets it: a block node, read-only or not, over a `backing` node or none. */
export interface ImageLayer {
  node: string;
  image: { file: string; format: string };
  readOnly: boolean;
  backing?: string;
}

/** The layers of a disk, bottom first: its base read-only (`<node>-base`), then the VM's own image. */
export function diskLayers(node: string, img: DriveImage): ImageLayer[] {
  if (img.base === undefined) return [{ node, image: img, readOnly: false }];
  return [
    { node: `${node}-base`, image: img.base, readOnly: true },
    { node, image: img, readOnly: false, backing: `${node}-base` },
  ];
}

/**
 * The `blockdev-add` options of a layer whose file QEMU opens as `filename` (a `/dev/fdset/N` path): a `file` node
 * and the format node over it. Read-only layers are marked so; a format that can have a backing file gets the
 * layer's `backing` node or `null`, so QEMU never opens a file an image names (QAPI `BlockdevOptionsGenericCOWFormat`).
 */
export function layerOptions(layer: ImageLayer, filename: string): Record<string, unknown>[] {
  const common = layer.readOnly ? { 'read-only': true } : { discard: 'unmap' };
  const fmt: Record<string, unknown> = {
    driver: layer.image.format,
    file: `${layer.node}-file`,
    'node-name': layer.node,
  };
  if (layer.backing !== undefined) fmt.backing = layer.backing;
  else if (COW_FORMATS.has(layer.image.format)) fmt.backing = null;
  return [
    { driver: 'file', filename, 'node-name': `${layer.node}-file`, ...common },
    { ...fmt, ...common },
  ];
}

/** `-add-fd` and `-blockdev` arguments for layers, each file opened by the host (O_RDONLY when read-only). */
export function imageNodes(h: QemuHandles, ...layers: ImageLayer[]): string[] {
  return layers.flatMap((layer) => {
    const fd = h.file(layer.image.file, layer.readOnly ? 'read' : 'readwrite', layer.node);
    return [...fd.args, ...layerOptions(layer, fd.path).flatMap((o) => ['-blockdev', JSON.stringify(o)])];
  });
}

/** QEMU device for each SCSI ResourceSubType producers write (VMware, VirtualBox, libvirt-cim, Vessel). */
export const SCSI_MODELS: Record<string, string> = {
  lsilogic: 'lsi53c895a',
  lsi: 'lsi53c895a',
  buslogic: 'lsi53c895a', // QEMU has no BusLogic HBA; the LSI one is what guests of that age also drive.
  lsilogicsas: 'mptsas1068',
  'lsi-sas': 'mptsas1068',
  megasas: 'megasas',
  virtualscsi: 'pvscsi',
  pvscsi: 'pvscsi',
  'virtio-scsi': 'virtio-scsi-pci',
};

/** The QEMU device of a SCSI controller, or `NOT_SUPPORTED`. */
export function scsiDevice(c: ControllerView): string {
  const sub = (c.subType ?? 'lsilogic').toLowerCase();
  const dev = SCSI_MODELS[sub];
  if (dev === undefined) {
    throw new HypervisorError(
      'NOT_SUPPORTED',
      `Unknown controller: SCSI subtype "${c.subType}" of "${c.instanceId}"`,
      {
        hint: `Known subtypes: ${Object.keys(SCSI_MODELS).join(', ')}`,
      },
    );
  }
  return dev;
}

/** The `-device` id of a controller: its kind and index, e.g. `scsi0`, `sata1`. */
function ctlId(c: ControllerView): string {
  return `${c.kind}${c.index}`;
}

/** `-device` arguments for the storage controllers (IDE is part of the pc machine; virtio has no controller). */
export function controllerArgs(hw: HardwareView): string[] {
  const out: string[] = [];
  for (const c of hw.controllers) {
    if (c.kind === 'scsi') out.push('-device', `${scsiDevice(c)},id=${ctlId(c)}`);
    else if (c.kind === 'sata') out.push('-device', `ahci,id=${ctlId(c)}`);
    else if (c.kind === 'nvme') out.push('-device', `nvme,id=${ctlId(c)},serial=vessel-nvme${c.index}`);
  }
  return out;
}

/**
 * Block nodes and `-device` arguments for every disk, CD/DVD and floppy, with boot indexes from `bootOrder`
 * (InstanceIDs; disks then CDs in definition order when it is empty). CD/DVD and floppy images are read-only.
 */
export function driveArgs(
  hw: HardwareView,
  images: ReadonlyMap<string, DriveImage>,
  bootOrder: readonly string[],
  h: QemuHandles,
  machine: 'pc' | 'q35',
): string[] {
  const out: string[] = [];
  let floppies = 0;
  const ctls = new Map(hw.controllers.map((c) => [c.instanceId, c]));
  const order =
    bootOrder.length > 0
      ? bootOrder
      : [...hw.drives.filter((d) => d.kind === 'disk'), ...hw.drives.filter((d) => d.kind === 'cdrom')].map(
          (d) => d.instanceId,
        );
  for (const d of hw.drives) {
    const id = nodeName(d.instanceId);
    if (d.kind === 'floppy') {
      const path = imagePath(d.hostResource);
      if (path === undefined) continue;
      // q35 has no floppy controller of its own; pc has one on its ISA bus.
      if (machine === 'q35' && floppies === 0) out.push('-device', 'isa-fdc,id=fdc0');
      out.push(...imageNodes(h, { node: id, image: { file: path, format: 'raw' }, readOnly: true }));
      out.push('-device', `floppy,unit=${floppies++},drive=${id},id=${qemuId('dev', d.instanceId)}`);
      continue;
    }
    out.push(...driveNodes(d, id, images, h));
    const boot = order.indexOf(d.instanceId);
    const bootOpt = boot >= 0 ? `,bootindex=${boot + 1}` : '';
    out.push(
      '-device',
      `${deviceFor(d, ctls.get(d.parent ?? ''))},drive=${id},id=${qemuId('dev', d.instanceId)}${bootOpt}`,
    );
  }
  return out;
}

function driveNodes(d: DriveView, id: string, images: ReadonlyMap<string, DriveImage>, h: QemuHandles) {
  if (d.kind === 'cdrom') {
    const path = imagePath(d.hostResource);
    // An empty drive opens nothing; a legacy -drive keeps its tray addressable by id.
    if (path === undefined) return ['-drive', `if=none,id=${id},media=cdrom,readonly=on`];
    return imageNodes(h, { node: id, image: { file: path, format: 'raw' }, readOnly: true });
  }
  const img = images.get(d.instanceId);
  if (img === undefined) {
    throw new HypervisorError('DEFINITION_INVALID', `Disk "${d.instanceId}" has no image to open`);
  }
  return imageNodes(h, ...diskLayers(id, img));
}

function deviceFor(d: DriveView, c: ControllerView | undefined): string {
  const cd = d.kind === 'cdrom';
  const unit = d.addressOnParent;
  if (c === undefined) return cd ? 'ide-cd' : 'virtio-blk-pci';
  switch (c.kind) {
    case 'ide': {
      const bus = `bus=ide.${c.address !== undefined && c.address <= 1 ? c.address : c.index}`;
      return `${cd ? 'ide-cd' : 'ide-hd'},${bus}${unit === undefined ? '' : `,unit=${unit}`}`;
    }
    case 'sata':
      return `${cd ? 'ide-cd' : 'ide-hd'},bus=${ctlId(c)}.${unit ?? 0}`;
    case 'scsi':
      return `${cd ? 'scsi-cd' : 'scsi-hd'},bus=${ctlId(c)}.0${unit === undefined ? '' : `,scsi-id=${unit}`}`;
    case 'nvme':
      if (cd)
        throw new HypervisorError(
          'NOT_SUPPORTED',
          `CD/DVD "${d.instanceId}" cannot sit on an NVMe controller`,
        );
      return `nvme-ns,bus=${ctlId(c)},nsid=${(unit ?? 0) + 1}`;
    case 'virtio':
      if (cd) return 'ide-cd';
      return 'virtio-blk-pci';
  }
}
