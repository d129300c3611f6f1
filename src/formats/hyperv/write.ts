import { firmwareOf, quantityProperties } from '../../model/index.js';
import { serializeXml } from '../../xml/index.js';
import { type BootDevice, bootClasses } from '../boot.js';
import { baseName } from '../paths.js';
import { SlotMap } from '../slots.js';
import { type TargetController, type TargetView, targetView } from '../target.js';
import type { OutputDisk, SystemPackage } from '../types.js';
import type { Warnings } from '../warnings.js';
import { el } from '../xml-build.js';
import { type CimInstance, type CimProperty, instanceToXml, wmiPath } from './cim-instance.js';
import type { BootClass } from './read.js';
import { HV, HYPERV_WORDS, hypervTarget } from './words.js';

export { HV } from './words.js';

const RASD = 'Msvm_ResourceAllocationSettingData';
const SASD = 'Msvm_StorageAllocationSettingData';

const s = (name: string, value: string | string[]): CimProperty => ({ name, type: 'string', value });
const u16 = (name: string, value: number): CimProperty => ({ name, type: 'uint16', value: String(value) });
const u64 = (name: string, value: bigint | number): CimProperty => ({
  name,
  type: 'uint64',
  value: String(value),
});
const bool = (name: string, value: boolean): CimProperty => ({
  name,
  type: 'boolean',
  value: value ? 'TRUE' : 'FALSE',
});

/** Generation 1's default boot order: CD-ROM, IDE hard drive, PXE, floppy (Hyper-V needs all four). */
const DEFAULT_BOOT: readonly BootClass[] = ['1', '2', '3', '0'];

/**
 * Writes a {@link SystemPackage} as a Hyper-V virtual system definition: the inputs of
 * Msvm_VirtualSystemManagementService.DefineSystem (one Msvm_VirtualSystemSettingData and the
 * Msvm_*SettingData resources) as CIM-XML DTD 2.0 instances, the text form WMI's GetText(CimDtd20) produces and
 * DefineSystem/AddResourceSettings accept. BIOS firmware is generation 1 (IDE boot), EFI generation 2 (SCSI only).
 * Hyper-V's own limits are applied and reported: VHD/VHDX images, synthetic NICs (the legacy adapter on
 * generation 1), memory in 2 MiB steps, COM1/COM2, a boot order by device class (generation 1 only).
 */
export function writeHyperv(pkg: SystemPackage, warnings: Warnings): { output: string; disks: OutputDisk[] } {
  const gen2 = firmwareOf(pkg.definition.system).firmware === 'efi';
  const v = targetView(pkg, hypervTarget(gen2), warnings);
  const out: CimInstance[] = [];
  let next = 1;
  const id = () => `Vessel:${next++}`;
  const vssd: CimInstance = {
    className: 'Msvm_VirtualSystemSettingData',
    properties: [
      s('ElementName', v.name),
      s('VirtualSystemSubType', gen2 ? HV.gen2 : HV.gen1),
      ...(v.uuid ? [s('VirtualSystemIdentifier', v.uuid)] : []),
      ...(v.annotation ? [s('Notes', [v.annotation])] : []),
    ],
  };
  out.push(vssd);
  if (v.guestOs)
    warnings.add(
      'GUEST_OS',
      `Hyper-V definitions carry no guest OS type; "${v.guestOs.description ?? v.guestOs.osType}" dropped`,
    );
  out.push({
    className: 'Msvm_ProcessorSettingData',
    properties: [
      s('InstanceID', id()),
      u16('ResourceType', 3),
      s('ResourceSubType', HV.processor),
      u64('VirtualQuantity', v.cpus),
    ],
  });
  const mb = ((((v.memoryBytes + (1n << 20n) - 1n) >> 20n) + 1n) / 2n) * 2n;
  if (mb << 20n !== v.memoryBytes)
    warnings.add(
      'MEMORY',
      `Hyper-V sets memory in multiples of 2 MiB; ${v.memoryBytes} bytes written as ${mb} MiB`,
    );
  out.push({
    className: 'Msvm_MemorySettingData',
    properties: [
      s('InstanceID', id()),
      u16('ResourceType', 4),
      s('ResourceSubType', HV.memory),
      s('AllocationUnits', 'byte*2^20'),
      u64('VirtualQuantity', mb),
      u64('Reservation', mb),
      u64('Limit', mb),
      bool('DynamicMemoryEnabled', false),
    ],
  });
  const written = new Set<BootDevice>();
  const disks = storage(v, gen2, out, id, written, warnings);
  nics(v, out, id, written, warnings);
  serials(v, out, id, warnings);
  if (v.graphics)
    out.push({
      className: 'Msvm_SyntheticDisplayControllerSettingData',
      properties: [s('InstanceID', id()), u16('ResourceType', 24), s('ResourceSubType', HV.display)],
    });
  if (v.usb) warnings.add('DEVICE', 'Hyper-V has no USB controller for guests; dropped');
  for (const o of v.others)
    warnings.add('DEVICE', `Hyper-V has no equivalent of resource "${o.instanceId}" (${o.what}); dropped`);
  bootOrder(v, gen2, vssd, written, warnings);
  const root = el('CIM', { CIMVERSION: '2.0', DTDVERSION: '2.0' }, [
    el('DECLARATION', {}, [
      el(
        'DECLGROUP',
        {},
        out.map((i) => el('VALUE.OBJECT', {}, [instanceToXml(i)])),
      ),
    ]),
  ]);
  return { output: serializeXml(root), disks };
}

/**
 * Generation 1: `BootOrder`, the stated order's classes then the others (Hyper-V takes all four). Generation 2
 * orders boot entries (Msvm_BootSourceSettingData) that Hyper-V creates with the machine, which no definition can
 * name beforehand: the order is reported, not written.
 */
function bootOrder(
  v: TargetView,
  gen2: boolean,
  vssd: CimInstance,
  written: Set<BootDevice>,
  warnings: Warnings,
): void {
  if (v.bootOrder.length === 0) return;
  if (gen2) {
    const ids = v.bootOrder.map((d) => d.instanceId).join(', ');
    warnings.add(
      'BOOT_ORDER',
      `Hyper-V generation 2 orders the boot entries it creates itself; the boot order (${ids}) is not written`,
    );
    return;
  }
  const classOf = (d: BootDevice): BootClass | undefined => {
    if (!written.has(d)) return undefined;
    if ('model' in d) return '3';
    if (d.kind === 'disk') return d.controller?.kind === 'ide' ? '2' : undefined;
    return d.kind === 'cdrom' ? '1' : '0';
  };
  const classes = bootClasses(v, classOf, 'Hyper-V generation 1', warnings);
  const all = [...classes, ...DEFAULT_BOOT.filter((c) => !classes.includes(c))];
  vssd.properties.push({ name: 'BootOrder', type: 'uint16', value: all });
}

function nics(
  v: TargetView,
  out: CimInstance[],
  id: () => string,
  written: Set<BootDevice>,
  warnings: Warnings,
): void {
  v.nics.forEach((n, i) => {
    if (i >= 8) {
      warnings.add('DEVICE', `Hyper-V has 8 network adapters; NIC "${n.instanceId}" dropped`);
      return;
    }
    written.add(n);
    const legacy = n.model === 'dec21140';
    const port = id();
    const className = legacy
      ? 'Msvm_EmulatedEthernetPortSettingData'
      : 'Msvm_SyntheticEthernetPortSettingData';
    out.push({
      className,
      properties: [
        s('InstanceID', port),
        u16('ResourceType', 10),
        s('ResourceSubType', HYPERV_WORDS.word(n.model)!),
        s('ElementName', `Network Adapter ${i + 1}`),
        ...(n.mac
          ? [s('Address', n.mac.replace(/:/g, '').toUpperCase()), bool('StaticMacAddress', true)]
          : []),
      ],
    });
    if (n.network === undefined) return;
    warnings.add(
      'NETWORK',
      `Hyper-V connects NIC "${n.instanceId}" to a virtual switch by its GUID; the switch path names "${n.network}": replace it with the path of that switch`,
    );
    out.push({
      className: 'Msvm_EthernetPortAllocationSettingData',
      properties: [
        s('InstanceID', id()),
        u16('ResourceType', 33),
        s('ResourceSubType', HV.connection),
        s('ElementName', n.network),
        s('Parent', wmiPath(className, port)),
        s('HostResource', [
          `\\\\.\\root\\virtualization\\v2:Msvm_VirtualEthernetSwitch.CreationClassName="Msvm_VirtualEthernetSwitch",Name="${n.network.replace(/"/g, '\\"')}"`,
        ]),
      ],
    });
  });
}

function serials(v: TargetView, out: CimInstance[], id: () => string, warnings: Warnings): void {
  v.serials.forEach((p, i) => {
    if (i >= 2) {
      warnings.add('SERIAL', `Hyper-V has two serial ports (COM1, COM2); "${p.instanceId}" dropped`);
      return;
    }
    const pipe = p.backend?.startsWith('\\\\.\\pipe\\') ? p.backend : undefined;
    if (p.backend !== undefined && pipe === undefined)
      warnings.add('SERIAL', `Hyper-V serial ports connect to named pipes; "${p.backend}" dropped`);
    out.push({
      className: 'Msvm_SerialPortSettingData',
      properties: [
        s('InstanceID', id()),
        u16('ResourceType', 21),
        s('ResourceSubType', HV.serial),
        s('ElementName', `COM ${i + 1}`),
        s('Connection', [pipe ?? '']),
      ],
    });
  });
}

/** Hyper-V's controller RASDs: IDE controllers 0 and 1 (the channels), up to 4 synthetic SCSI controllers. */
function controllers(
  v: TargetView,
  out: CimInstance[],
  id: () => string,
  warnings: Warnings,
): Map<TargetController, string> {
  const numbers = new SlotMap((kind) => (kind === 'ide' ? 2 : 4));
  const used = v.controllers.filter((c) => v.drives.some((d) => d.controller === c));
  const order = [
    ...used.filter((c) => c.address !== undefined),
    ...used.filter((c) => c.address === undefined),
  ];
  const numbered = new Map<TargetController, number>();
  for (const c of order) {
    const n = numbers.take(c.kind, c.address ?? c.ordinal);
    if (n !== undefined) numbered.set(c, n);
    else
      warnings.add(
        'CONTROLLER',
        `Hyper-V has no free ${c.kind === 'ide' ? 'IDE' : 'SCSI'} controller for "${c.instanceId}"; its drives are dropped`,
      );
  }
  const ids = new Map<TargetController, string>();
  for (const c of used) {
    const n = numbered.get(c);
    if (n === undefined) continue;
    const rasd = id();
    ids.set(c, rasd);
    out.push({
      className: RASD,
      properties: [
        s('InstanceID', rasd),
        u16('ResourceType', c.kind === 'ide' ? 5 : 6),
        s('ResourceSubType', HYPERV_WORDS.word(c.kind)!),
        s('Address', String(n)),
      ],
    });
  }
  return ids;
}

function storage(
  v: TargetView,
  gen2: boolean,
  out: CimInstance[],
  id: () => string,
  written: Set<BootDevice>,
  warnings: Warnings,
): OutputDisk[] {
  const ctls = controllers(v, out, id, warnings);
  const disks: OutputDisk[] = [];
  for (const d of v.drives) {
    if (d.kind === 'floppy') {
      if (gen2 || d.slot > 0) {
        warnings.add(
          'DEVICE',
          `Hyper-V ${gen2 ? 'generation 2 has no floppy drive' : 'has one floppy drive'}; "${d.instanceId}" dropped`,
        );
        continue;
      }
      written.add(d);
      const drive = id();
      out.push({
        className: RASD,
        properties: [
          s('InstanceID', drive),
          u16('ResourceType', 14),
          s('ResourceSubType', HV.floppyDrive),
          s('AddressOnParent', '0'),
        ],
      });
      if (d.file) media(out, id(), drive, HV.vfd, d.file.file, undefined);
      continue;
    }
    const ctl = d.controller === undefined ? undefined : ctls.get(d.controller);
    if (ctl === undefined) continue;
    written.add(d);
    const drive = id();
    out.push({
      className: RASD,
      properties: [
        s('InstanceID', drive),
        u16('ResourceType', d.kind === 'cdrom' ? 16 : 17),
        s('ResourceSubType', d.kind === 'cdrom' ? HV.dvdDrive : HV.diskDrive),
        s('Parent', wmiPath(RASD, ctl)),
        s('AddressOnParent', String(d.slot)),
      ],
    });
    if (d.kind === 'cdrom') {
      if (d.file) {
        media(out, id(), drive, HV.iso, d.file.file, undefined);
        disks.push({ source: d.file.file, target: d.file.file, kind: 'cdrom' });
      }
      continue;
    }
    const disk = d.disk!;
    let file = disk.file ?? `${v.name}-${disk.id}.vhdx`;
    if (disk.format !== 'vhd' && disk.format !== 'vhdx') {
      const renamed = `${file.replace(/\.[^./\\]*$/, '')}.vhdx`;
      warnings.add(
        'DISK_FORMAT',
        `Hyper-V attaches VHD and VHDX images only; "${baseName(file)}" is referenced as "${baseName(renamed)}": convert it with qemu-img convert -O vhdx`,
      );
      file = renamed;
    }
    if (disk.file === undefined)
      warnings.add('DISK_FORMAT', `Disk "${disk.id}" is blank; create "${file}" before starting the machine`);
    media(out, id(), drive, HV.vhd, file, disk.capacityBytes);
    disks.push({
      source: disk.file,
      target: file,
      capacityBytes: disk.capacityBytes,
      format: disk.format === 'vhd' ? 'vhd' : 'vhdx',
      kind: 'disk',
    });
  }
  if (
    !gen2 &&
    v.drives.some((d) => d.kind === 'disk') &&
    !v.drives.some((d) => d.kind === 'disk' && d.controller?.kind === 'ide')
  ) {
    warnings.add(
      'CONTROLLER',
      'Hyper-V generation 1 boots only from IDE; no disk is on IDE, so the guest cannot boot from disk as written',
    );
  }
  return disks;
}

/** The medium of a drive: a VHD/VHDX (its size in the largest exact binary unit), ISO or floppy image. */
function media(
  out: CimInstance[],
  instanceId: string,
  drive: string,
  subType: string,
  file: string,
  capacity: bigint | undefined,
): void {
  const size = capacity === undefined ? undefined : quantityProperties(capacity, 'cim');
  out.push({
    className: SASD,
    properties: [
      s('InstanceID', instanceId),
      u16('ResourceType', 31),
      s('ResourceSubType', subType),
      s('Parent', wmiPath(RASD, drive)),
      s('HostResource', [file]),
      ...(size === undefined
        ? []
        : [
            u64('VirtualQuantity', BigInt(size.VirtualQuantity!)),
            s('AllocationUnits', size.AllocationUnits!),
            s('VirtualQuantityUnits', size.VirtualQuantityUnits!),
          ]),
    ],
  });
}
