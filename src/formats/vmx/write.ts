import { type BootDevice, bootClasses } from '../boot.js';
import { vmwareGuestId, vmxGuestName } from '../guest-os.js';
import { baseName } from '../paths.js';
import { SlotMap } from '../slots.js';
import { type TargetController, type TargetView, targetView } from '../target.js';
import type { OutputDisk, SystemPackage } from '../types.js';
import type { Warnings } from '../warnings.js';
import { VMX_CAPACITY_PREFIX, type VmxBootClass } from './read.js';
import { formatVmxText } from './text.js';
import { VMX_CONTROLLERS, VMX_TARGET, VMX_WORDS, vmxPrefix } from './words.js';

type Entries = Array<[string, string]>;

/**
 * Writes a {@link SystemPackage} as a VMware .vmx file (hardware version from the VSSD's `vmx-NN`, else 14).
 * Memory is written in whole MiB rounded up to VMware's multiple of 4; devices VMware lacks become what
 * `SUBSTITUTES.vmware` says (virtio-blk and virtio-scsi: PVSCSI; virtio-net: VMXNET3); drives keep their slots
 * where VMware has them (`VMX_SLOTS`); disk images that are not VMDK are named `.vmdk` and reported, as they must
 * be converted; a stated boot order becomes `bios.bootOrder` (classes only). Every such change is a warning.
 */
export function writeVmx(pkg: SystemPackage, warnings: Warnings): { output: string; disks: OutputDisk[] } {
  const v = targetView(pkg, VMX_TARGET, warnings);
  const e: Entries = [];
  const hw = /^vmx-(\d+)/.exec(v.virtualSystemType ?? '')?.[1];
  e.push(['.encoding', 'UTF-8'], ['config.version', '8'], ['virtualHW.version', String(Number(hw ?? 14))]);
  e.push(['displayName', v.name]);
  if (v.annotation) e.push(['annotation', v.annotation]);
  e.push(['guestOS', vmxGuestName(vmwareGuestId(v.guestOs))]);
  if (v.uuid) e.push(['uuid.bios', biosUuid(v.uuid)]);
  if (v.firmware !== undefined) e.push(['firmware', v.firmware]);
  e.push(['numvcpus', String(v.cpus)], ['memsize', String(memsizeMb(v.memoryBytes, warnings))]);
  const { disks, written } = storage(v, e, warnings);
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
    written.add(n);
    const p = `ethernet${i}`;
    e.push([`${p}.present`, 'TRUE'], [`${p}.virtualDev`, VMX_WORDS.word(n.model)!]);
    if (n.network !== undefined) e.push([`${p}.networkName`, n.network]);
    if (n.mac !== undefined) e.push([`${p}.addressType`, 'static'], [`${p}.address`, n.mac]);
  });
  serials(v, e, warnings);
  if (v.usb) e.push(['usb.present', 'TRUE']);
  if (v.bootOrder.length > 0) {
    const classOf = (d: BootDevice): VmxBootClass | undefined =>
      !written.has(d) ? undefined : 'model' in d ? 'ethernet' : d.kind === 'disk' ? 'hdd' : d.kind;
    e.push(['bios.bootOrder', bootClasses(v, classOf, 'VMware', warnings).join(',')]);
  }
  for (const o of v.others)
    warnings.add('DEVICE', `vmx has no equivalent of resource "${o.instanceId}" (${o.what}); dropped`);
  return { output: formatVmxText(e), disks };
}

/** A serial port's backing: a URI is a network port, a named pipe a pipe, /dev a host device, else a file. */
function serials(v: TargetView, e: Entries, warnings: Warnings): void {
  v.serials.forEach((s, i) => {
    if (i >= 4) {
      warnings.add('SERIAL', `VMware has at most 4 serial ports; "${s.instanceId}" dropped`);
      return;
    }
    const to = s.backend ?? `serial${i}.log`;
    const type = /^[a-z][a-z0-9+.-]*:\/\//i.test(to)
      ? 'network'
      : /^\\\\\.\\pipe\\/i.test(to)
        ? 'pipe'
        : to.startsWith('/dev/')
          ? 'device'
          : 'file';
    e.push([`serial${i}.present`, 'TRUE'], [`serial${i}.fileType`, type], [`serial${i}.fileName`, to]);
  });
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

/**
 * The vmx controller (key prefix and number) of each controller: its Address or position when free, else the
 * next. Controllers with an Address are numbered first, so that one without cannot take their number.
 */
function controllerKeys(
  v: TargetView,
  e: Entries,
  warnings: Warnings,
): Map<TargetController, { prefix: string; n: number }> {
  const out = new Map<TargetController, { prefix: string; n: number }>();
  const numbers = new SlotMap((prefix) => VMX_CONTROLLERS[prefix] ?? 0);
  const used = v.controllers.filter((c) => c.kind !== 'ide' || v.drives.some((d) => d.controller === c));
  const order = [
    ...used.filter((c) => c.address !== undefined),
    ...used.filter((c) => c.address === undefined),
  ];
  for (const c of order) {
    const prefix = vmxPrefix(c.kind);
    const n = numbers.take(prefix, c.address ?? c.ordinal);
    if (n === undefined)
      warnings.add(
        'CONTROLLER',
        `VMware has no free ${prefix} controller for "${c.instanceId}"; its drives are dropped`,
      );
    else out.set(c, { prefix, n });
  }
  for (const c of used) {
    const k = out.get(c);
    if (k === undefined || k.prefix === 'ide') continue;
    e.push([`${k.prefix}${k.n}.present`, 'TRUE']);
    if (k.prefix === 'scsi') e.push([`scsi${k.n}.virtualDev`, VMX_WORDS.word(c.kind)!]);
  }
  return out;
}

function storage(
  v: TargetView,
  e: Entries,
  warnings: Warnings,
): { disks: OutputDisk[]; written: Set<BootDevice> } {
  const keys = controllerKeys(v, e, warnings);
  const out: OutputDisk[] = [];
  const written = new Set<BootDevice>();
  for (const d of v.drives) {
    if (d.kind === 'floppy') {
      if (d.slot >= 2) {
        warnings.add('DEVICE', `VMware has at most 2 floppy drives; "${d.instanceId}" dropped`);
        continue;
      }
      written.add(d);
      const p = `floppy${d.slot}`;
      e.push([`${p}.present`, 'TRUE']);
      if (d.file) {
        e.push([`${p}.fileType`, 'file'], [`${p}.fileName`, d.file.file]);
        out.push({ source: d.file.file, target: d.file.file, kind: 'floppy' });
      } else e.push([`${p}.startConnected`, 'FALSE']);
      continue;
    }
    const k = d.controller === undefined ? undefined : keys.get(d.controller);
    if (k === undefined) continue;
    written.add(d);
    const dev = `${k.prefix}${k.n}:${d.slot}`;
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
    e.push([`${dev}.deviceType`, k.prefix === 'ide' ? 'ata-hardDisk' : 'disk'], [`${dev}.fileName`, name]);
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
  return { disks: out, written };
}
