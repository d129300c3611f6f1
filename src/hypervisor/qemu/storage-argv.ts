import {
  type Bus,
  CONTROLLERS,
  type ControllerDevice,
  type ControllerKind,
  type DeviceView,
  type DriveDevice,
  imagePath,
} from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { QEMU_CONTROLLERS, qemuControllerKind } from './devices.js';
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
interface ImageLayer {
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

/** A storage controller as the command line gives it: the kind QEMU runs, its bus and its `-device` id. */
interface QemuController {
  controller: ControllerDevice;
  kind: ControllerKind;
  bus: Bus;
  /** Its position among the controllers on its bus (0-based). */
  index: number;
  /** The bus and {@link index}: `scsi1` is the second SCSI HBA. */
  id: string;
}

/** Why QEMU cannot give a controller: an unknown subtype, or only kinds QEMU has no device for. */
function unsupported(c: ControllerDevice): HypervisorError {
  const scsi = (Object.keys(QEMU_CONTROLLERS) as ControllerKind[]).filter(
    (k) => CONTROLLERS[k].bus === 'scsi',
  );
  const hint = `SCSI controllers QEMU has: ${scsi.map((k) => CONTROLLERS[k].name).join(', ')}`;
  if (c.certainty === 'guessed') {
    return new HypervisorError(
      'NOT_SUPPORTED',
      `Unknown controller: SCSI subtype "${(c.subType ?? '').slice(0, 60)}" of "${c.instanceId}"`,
      { hint },
    );
  }
  const names = c.kinds.map((k) => CONTROLLERS[k].name).join(' or ');
  return new HypervisorError('NOT_SUPPORTED', `Controller "${c.instanceId}": QEMU has no ${names} device`, {
    hint,
  });
}

/**
 * The storage controllers of a view as QEMU gives them, by InstanceID (USB host controllers are display-side, see
 * `displayArgs`). Throws `NOT_SUPPORTED` for a controller QEMU has no device for.
 */
function qemuControllers(view: DeviceView): Map<string, QemuController> {
  const out = new Map<string, QemuController>();
  const perBus = new Map<Bus, number>();
  for (const c of view.controllers) {
    if (c.kind === 'usb') continue;
    const kind = qemuControllerKind(c);
    if (kind === undefined) throw unsupported(c);
    const bus = CONTROLLERS[kind].bus;
    const n = perBus.get(bus) ?? 0;
    perBus.set(bus, n + 1);
    out.set(c.instanceId, { controller: c, kind, bus, index: n, id: `${bus}${n}` });
  }
  return out;
}

/** `-device` arguments for the storage controllers (IDE is part of the pc machine; virtio-blk has no controller). */
export function controllerArgs(view: DeviceView): string[] {
  const out: string[] = [];
  for (const c of qemuControllers(view).values()) {
    const device = QEMU_CONTROLLERS[c.kind]?.device;
    if (device === undefined) continue;
    out.push('-device', `${device},id=${c.id}${c.kind === 'nvme' ? `,serial=vessel-${c.id}` : ''}`);
  }
  return out;
}

/**
 * Block nodes and `-device` arguments for every disk, CD/DVD and floppy. `boot` gives each device that boots its
 * QEMU `bootindex` (from the model's `bootOrderOf`); CD/DVD and floppy images are read-only.
 */
export function driveArgs(
  view: DeviceView,
  images: ReadonlyMap<string, DriveImage>,
  boot: ReadonlyMap<string, number>,
  h: QemuHandles,
  machine: 'pc' | 'q35',
): string[] {
  const out: string[] = [];
  let floppies = 0;
  const ctls = qemuControllers(view);
  for (const d of view.drives) {
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
    const device = deviceFor(d, d.controller === undefined ? undefined : ctls.get(d.controller.instanceId));
    out.push(...driveNodes(d, id, images, h));
    const index = boot.get(d.instanceId);
    out.push(
      '-device',
      `${device},drive=${id},id=${qemuId('dev', d.instanceId)}${index === undefined ? '' : `,bootindex=${index}`}`,
    );
  }
  return out;
}

function driveNodes(d: DriveDevice, id: string, images: ReadonlyMap<string, DriveImage>, h: QemuHandles) {
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

/**
 * The `-device` of a drive on its controller: IDE and AHCI drives are `ide-hd`/`ide-cd`, SCSI ones
 * `scsi-hd`/`scsi-cd`, NVMe disks namespaces (nsid = slot + 1); a disk without a controller or on virtio-blk is a
 * `virtio-blk-pci` and a CD/DVD there an IDE CD that QEMU places on a free IDE unit.
 */
function deviceFor(d: DriveDevice, c: QemuController | undefined): string {
  const cd = d.kind === 'cdrom';
  const unit = d.slot;
  if (c === undefined) {
    if (d.controller?.kind === 'usb') {
      throw new HypervisorError(
        'NOT_SUPPORTED',
        `Drive "${d.instanceId}": QEMU puts no drive on USB controller "${d.controller.instanceId}"`,
      );
    }
    return cd ? 'ide-cd' : 'virtio-blk-pci';
  }
  switch (c.bus) {
    case 'ide': {
      const channel = c.controller.address;
      const bus = `bus=ide.${channel !== undefined && channel <= 1 ? channel : c.index}`;
      return `${cd ? 'ide-cd' : 'ide-hd'},${bus}${unit === undefined ? '' : `,unit=${unit}`}`;
    }
    case 'sata':
      return `${cd ? 'ide-cd' : 'ide-hd'},bus=${c.id}.${unit ?? 0}`;
    case 'scsi':
      return `${cd ? 'scsi-cd' : 'scsi-hd'},bus=${c.id}.0${unit === undefined ? '' : `,scsi-id=${unit}`}`;
    case 'nvme':
      if (cd)
        throw new HypervisorError(
          'NOT_SUPPORTED',
          `CD/DVD "${d.instanceId}" cannot sit on an NVMe controller`,
        );
      return `nvme-ns,bus=${c.id},nsid=${(unit ?? 0) + 1}`;
    default:
      return cd ? 'ide-cd' : 'virtio-blk-pci'; // virtio-blk: a PCI device per disk
  }
}
