import { type ControllerView, type DriveView, type HardwareView, imagePath } from '../../model/index.js';
import { HypervisorError } from '../errors.js';

/** The file QEMU opens for a drive: the image itself or its qcow2 overlay, with the format. */
export interface DriveImage {
  file: string;
  format: string;
}

/** QEMU device for each SCSI ResourceSubType producers write (VMware, VirtualBox, libvirt-cim, Vessel). */
const SCSI_MODELS: Record<string, string> = {
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

/** A safe QEMU id from a RASD InstanceID: letters, digits, `-`, `_`, `.`; other characters become `_`. */
export function qemuId(prefix: string, instanceId: string): string {
  return `${prefix}-${instanceId.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** Escapes a value for QEMU's `key=value,...` option syntax, where a comma is written twice. */
export function optValue(v: string): string {
  return v.replaceAll(',', ',,');
}

/**
 * `-drive` and `-device` arguments for every disk and CD/DVD, with boot indexes from `bootOrder` (InstanceIDs;
 * disks then CDs in definition order when it is empty).
 */
export function driveArgs(
  hw: HardwareView,
  images: ReadonlyMap<string, DriveImage>,
  bootOrder: readonly string[],
): string[] {
  const out: string[] = [];
  const ctls = new Map(hw.controllers.map((c) => [c.instanceId, c]));
  const order =
    bootOrder.length > 0
      ? bootOrder
      : [...hw.drives.filter((d) => d.kind === 'disk'), ...hw.drives.filter((d) => d.kind === 'cdrom')].map(
          (d) => d.instanceId,
        );
  for (const d of hw.drives) {
    if (d.kind === 'floppy') {
      const path = imagePath(d.hostResource);
      if (path !== undefined) out.push('-drive', `file=${optValue(path)},if=floppy,format=raw`);
      continue;
    }
    const id = qemuId('drive', d.instanceId);
    out.push('-drive', driveOption(d, id, images));
    const boot = order.indexOf(d.instanceId);
    const bootOpt = boot >= 0 ? `,bootindex=${boot + 1}` : '';
    out.push(
      '-device',
      `${deviceFor(d, ctls.get(d.parent ?? ''))},drive=${id},id=${qemuId('dev', d.instanceId)}${bootOpt}`,
    );
  }
  return out;
}

function driveOption(d: DriveView, id: string, images: ReadonlyMap<string, DriveImage>): string {
  if (d.kind === 'cdrom') {
    const path = imagePath(d.hostResource);
    const file = path === undefined ? '' : `file=${optValue(path)},format=raw,`;
    return `${file}if=none,id=${id},media=cdrom,readonly=on`;
  }
  const img = images.get(d.instanceId);
  if (img === undefined) {
    throw new HypervisorError('DEFINITION_INVALID', `Disk "${d.instanceId}" has no image to open`);
  }
  return `file=${optValue(img.file)},format=${img.format},if=none,id=${id},cache=writeback,discard=unmap`;
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
