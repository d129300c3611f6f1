import { busName, NIC_NAMES, type NicModel, type ScsiModel } from '../devices.js';
import { vmwareGuestId, vmxGuestName } from '../guest-os.js';
import { baseName } from '../paths.js';
import { SlotMap } from '../slots.js';
import type { OutputDisk, SystemPackage } from '../types.js';
import { type ControllerView, type SystemView, viewSystem } from '../view.js';
import type { Warnings } from '../warnings.js';
import { VMX_CAPACITY_PREFIX } from './read.js';
import { formatVmxText } from './text.js';

const VMX_NICS: Record<NicModel, string> = {
  e1000: 'e1000',
  e1000e: 'e1000e',
  vmxnet3: 'vmxnet3',
  pcnet: 'vlance',
  virtio: 'vmxnet3',
  rtl8139: 'e1000',
};

const VMX_SCSI: Record<ScsiModel, string> = {
  lsilogic: 'lsilogic',
  buslogic: 'buslogic',
  lsisas1068: 'lsisas1068',
  pvscsi: 'pvscsi',
  'virtio-scsi': 'pvscsi',
};

/** Units per vmx controller; SCSI unit 7 is the adapter's own. */
const SIZES: Record<string, number> = { ide: 2, scsi: 16, sata: 30, nvme: 15 };

/**
 * Writes a {@link SystemPackage} as a VMware .vmx file (hardware version from the VSSD's `vmx-NN`, else 14).
 * Memory is written in whole MiB rounded up to VMware's multiple of 4; virtio devices become their VMware
 * paravirtual counterparts (pvscsi, VMXNET3); disk images that are not VMDK are named `.vmdk` and reported,
 * as they must be converted. Every such change is a warning.
 */
export function writeVmx(pkg: SystemPackage, warnings: Warnings): { output: string; disks: OutputDisk[] } {
  const v = viewSystem(pkg, warnings);
  const e: Array<[string, string]> = [];
  const hw = /^vmx-(\d+)/.exec(v.virtualSystemType ?? '')?.[1];
  e.push(['.encoding', 'UTF-8'], ['config.version', '8'], ['virtualHW.version', String(Number(hw ?? 14))]);
  e.push(['displayName', v.name]);
  if (v.annotation) e.push(['annotation', v.annotation]);
  e.push(['guestOS', vmxGuestName(vmwareGuestId(v.guestOs))]);
  if (v.uuid) e.push(['uuid.bios', biosUuid(v.uuid)]);
  if (v.firmware === 'efi') e.push(['firmware', 'efi']);
  e.push(['numvcpus', String(v.cpus)], ['memsize', String(memsizeMb(v.memoryBytes, warnings))]);
  const disks = storage(v, e, warnings);
  const needed = e.some(([k]) => k.startsWith('nvme')) ? 13 : e.some(([k]) => k.startsWith('sata')) ? 10 : 0;
  const version = e.find(([k]) => k === 'virtualHW.version')!;
  if (Number(version[1]) < needed) {
    warnings.add(
      'DEVICE',
      `VMware hardware version ${version[1]} has no ${needed === 13 ? 'NVMe' : 'SATA'} controller; virtualHW.version raised to ${needed}`,
    );
    version[1] = String(needed);
  }
  v.nics.forEach((n, i) => {
    if (i >= 10) {
      warnings.add('DEVICE', `VMware has at most 10 NICs; NIC "${n.instanceId}" dropped`);
      return;
    }
    const p = `ethernet${i}`;
    const dev = n.model === undefined ? 'e1000' : VMX_NICS[n.model];
    if (n.model !== undefined && VMX_NICS[n.model] !== n.model && !(n.model === 'pcnet')) {
      warnings.add(
        'NIC_MODEL',
        `VMware has no ${NIC_NAMES[n.model]} NIC; NIC "${n.instanceId}" written as ${dev}`,
      );
    }
    e.push([`${p}.present`, 'TRUE'], [`${p}.virtualDev`, dev]);
    if (n.network !== undefined) e.push([`${p}.networkName`, n.network]);
    if (n.mac !== undefined) e.push([`${p}.addressType`, 'static'], [`${p}.address`, n.mac]);
  });
  v.serials.forEach((s, i) => {
    if (i >= 4) {
      warnings.add('SERIAL', `VMware has at most 4 serial ports; "${s.instanceId}" dropped`);
      return;
    }
    e.push(
      [`serial${i}.present`, 'TRUE'],
      [`serial${i}.fileType`, 'file'],
      [`serial${i}.fileName`, s.connection ?? `serial${i}.log`],
    );
  });
  if (v.usb) e.push(['usb.present', 'TRUE']);
  for (const o of v.others)
    warnings.add('DEVICE', `vmx has no equivalent of resource "${o.instanceId}" (${o.what}); dropped`);
  return { output: formatVmxText(e), disks };
}

function memsizeMb(bytes: bigint, warnings: Warnings): bigint {
  const mib = (bytes + (1n << 20n) - 1n) >> 20n;
  const mb = ((mib + 3n) / 4n) * 4n;
  if (mb << 20n !== bytes) {
    warnings.add('MEMORY', `VMware sets memory in multiples of 4 MiB; ${bytes} bytes written as ${mb} MiB`);
  }
  return mb;
}

function biosUuid(uuid: string): string {
  const h = uuid.replace(/-/g, '');
  const pairs = h.match(/../g)!;
  return `${pairs.slice(0, 8).join(' ')}-${pairs.slice(8).join(' ')}`;
}

/** The vmx controller (bus and number) for a source controller: same number when free, else the next. */
function controllerKeys(
  v: SystemView,
  e: Array<[string, string]>,
  warnings: Warnings,
): Map<string, { bus: string; n: number }> {
  const out = new Map<string, { bus: string; n: number }>();
  const numbers = new SlotMap((bus) => (bus === 'ide' ? 2 : 4));
  const order: ControllerView[] = [...v.controllers].sort(
    (a, b) => (a.bus === 'virtio' ? 1 : 0) - (b.bus === 'virtio' ? 1 : 0),
  );
  for (const c of order) {
    if (!v.drives.some((d) => d.controller === c) && c.bus === 'ide') continue;
    const bus = c.bus === 'virtio' ? 'scsi' : c.bus;
    const n = numbers.take(bus, c.address ?? c.index);
    if (n === undefined) {
      warnings.add(
        'CONTROLLER',
        `VMware has no free ${bus} controller for "${c.instanceId}"; its drives are dropped`,
      );
      continue;
    }
    out.set(c.instanceId, { bus, n });
    if (bus === 'ide') continue;
    e.push([`${bus}${n}.present`, 'TRUE']);
    if (bus === 'scsi') {
      const model = c.bus === 'virtio' ? 'pvscsi' : VMX_SCSI[c.model ?? 'lsilogic'];
      if (c.bus === 'virtio' || c.model === 'virtio-scsi') {
        warnings.add(
          'CONTROLLER',
          `VMware has no ${busName(c.bus, c.model)} controller; "${c.instanceId}" written as pvscsi ${bus}${n}`,
        );
      }
      e.push([`${bus}${n}.virtualDev`, model]);
    }
  }
  return out;
}

function storage(v: SystemView, e: Array<[string, string]>, warnings: Warnings): OutputDisk[] {
  const keys = controllerKeys(v, e, warnings);
  const slots = new SlotMap(
    (g) => SIZES[g.replace(/\d+$/, '')] ?? 0,
    (g, s) => g.startsWith('scsi') && s === 7,
  );
  const out: OutputDisk[] = [];
  let floppies = 0;
  for (const d of v.drives) {
    if (d.kind === 'floppy') {
      if (floppies >= 2) {
        warnings.add('DEVICE', `VMware has at most 2 floppy drives; "${d.instanceId}" dropped`);
        continue;
      }
      const p = `floppy${floppies++}`;
      e.push([`${p}.present`, 'TRUE']);
      if (d.file) {
        e.push([`${p}.fileType`, 'file'], [`${p}.fileName`, d.file.file]);
        out.push({ source: d.file.file, target: d.file.file, kind: 'floppy' });
      } else e.push([`${p}.startConnected`, 'FALSE']);
      continue;
    }
    const k = d.controller === undefined ? undefined : keys.get(d.controller.instanceId);
    if (k === undefined) continue;
    const group = `${k.bus}${k.n}`;
    const unit = slots.place(group, d.position, `Drive "${d.instanceId}"`, warnings);
    if (unit === undefined) continue;
    const dev = `${group}:${unit}`;
    e.push([`${dev}.present`, 'TRUE']);
    if (d.kind === 'cdrom') {
      if (d.file) {
        e.push([`${dev}.deviceType`, 'cdrom-image'], [`${dev}.fileName`, d.file.file]);
        out.push({ source: d.file.file, target: d.file.file, kind: 'cdrom' });
      } else
        e.push(
          [`${dev}.deviceType`, 'atapi-cdrom'],
          [`${dev}.fileName`, 'auto detect'],
          [`${dev}.startConnected`, 'FALSE'],
        );
      continue;
    }
    const disk = d.disk!;
    let name = disk.file ?? `${v.name}-${disk.id}.vmdk`;
    if (disk.format !== undefined && disk.format !== 'vmdk') {
      const renamed = `${name.replace(/\.[^./\\]*$/, '')}.vmdk`;
      warnings.add(
        'DISK_FORMAT',
        `VMware reads VMDK images only; "${baseName(name)}" (${disk.format}) is referenced as "${baseName(renamed)}": convert it with qemu-img convert -O vmdk`,
      );
      name = renamed;
    }
    if (disk.file === undefined)
      warnings.add('DISK_FORMAT', `Disk "${disk.id}" is blank; create "${name}" before powering on`);
    e.push([`${dev}.deviceType`, k.bus === 'ide' ? 'ata-hardDisk' : 'disk'], [`${dev}.fileName`, name]);
    if (disk.capacityBytes !== undefined)
      e.push([`${VMX_CAPACITY_PREFIX}${dev}`, String(disk.capacityBytes)]);
    out.push({
      source: disk.file,
      target: name,
      capacityBytes: disk.capacityBytes,
      format: 'vmdk',
      kind: 'disk',
    });
  }
  return out;
}
