import { serializeXml } from '../../xml/index.js';
import { busName, NIC_NAMES } from '../devices.js';
import { baseName } from '../paths.js';
import { SlotMap } from '../slots.js';
import type { OutputDisk, SystemPackage } from '../types.js';
import { type SystemView, viewSystem } from '../view.js';
import type { Warnings } from '../warnings.js';
import { el } from '../xml-build.js';
import { type CimInstance, type CimProperty, instanceToXml, wmiPath } from './cim-instance.js';

/** Hyper-V's ResourceSubType names (Msvm_* classes, root\virtualization\v2). */
export const HV = {
  processor: 'Microsoft:Hyper-V:Processor',
  memory: 'Microsoft:Hyper-V:Memory',
  ide: 'Microsoft:Hyper-V:Emulated IDE Controller',
  scsi: 'Microsoft:Hyper-V:Synthetic SCSI Controller',
  diskDrive: 'Microsoft:Hyper-V:Synthetic Disk Drive',
  dvdDrive: 'Microsoft:Hyper-V:Synthetic DVD Drive',
  floppyDrive: 'Microsoft:Hyper-V:Synthetic Diskette Drive',
  vhd: 'Microsoft:Hyper-V:Virtual Hard Disk',
  iso: 'Microsoft:Hyper-V:Virtual CD/DVD Disk',
  vfd: 'Microsoft:Hyper-V:Virtual Floppy Disk',
  nic: 'Microsoft:Hyper-V:Synthetic Ethernet Port',
  connection: 'Microsoft:Hyper-V:Ethernet Connection',
  serial: 'Microsoft:Hyper-V:Serial Port',
  display: 'Microsoft:Hyper-V:Synthetic Display Controller',
  gen1: 'Microsoft:Hyper-V:SubType:1',
  gen2: 'Microsoft:Hyper-V:SubType:2',
} as const;

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

/**
 * Writes a {@link SystemPackage} as a Hyper-V virtual system definition: the inputs of
 * Msvm_VirtualSystemManagementService.DefineSystem (one Msvm_VirtualSystemSettingData and the
 * Msvm_*SettingData resources) as CIM-XML DTD 2.0 instances, the text form WMI's GetText(CimDtd20) produces and
 * DefineSystem/AddResourceSettings accept. BIOS firmware is generation 1 (IDE boot), EFI generation 2 (SCSI only).
 * Hyper-V's own limits are applied and reported: VHD/VHDX images, synthetic NICs, memory in 2 MiB steps, COM1/COM2.
 */
export function writeHyperv(pkg: SystemPackage, warnings: Warnings): { output: string; disks: OutputDisk[] } {
  const v = viewSystem(pkg, warnings);
  const gen2 = v.firmware === 'efi';
  const out: CimInstance[] = [];
  let next = 1;
  const id = () => `Vessel:${next++}`;
  out.push({
    className: 'Msvm_VirtualSystemSettingData',
    properties: [
      s('ElementName', v.name),
      s('VirtualSystemSubType', gen2 ? HV.gen2 : HV.gen1),
      ...(v.uuid ? [s('VirtualSystemIdentifier', v.uuid)] : []),
      ...(v.annotation ? [s('Notes', [v.annotation])] : []),
    ],
  });
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
  const disks = storage(v, gen2, out, id, warnings);
  v.nics.forEach((n, i) => {
    if (i >= 8) {
      warnings.add('DEVICE', `Hyper-V has 8 network adapters; NIC "${n.instanceId}" dropped`);
      return;
    }
    if (n.model !== undefined)
      warnings.add(
        'NIC_MODEL',
        `Hyper-V has no ${NIC_NAMES[n.model]} NIC; NIC "${n.instanceId}" written as a synthetic adapter`,
      );
    const port = id();
    out.push({
      className: 'Msvm_SyntheticEthernetPortSettingData',
      properties: [
        s('InstanceID', port),
        u16('ResourceType', 10),
        s('ResourceSubType', HV.nic),
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
        s('Parent', wmiPath('Msvm_SyntheticEthernetPortSettingData', port)),
        s('HostResource', [
          `\\\\.\\root\\virtualization\\v2:Msvm_VirtualEthernetSwitch.CreationClassName="Msvm_VirtualEthernetSwitch",Name="${n.network.replace(/"/g, '\\"')}"`,
        ]),
      ],
    });
  });
  v.serials.forEach((p, i) => {
    if (i >= 2) {
      warnings.add('SERIAL', `Hyper-V has two serial ports (COM1, COM2); "${p.instanceId}" dropped`);
      return;
    }
    const pipe = p.connection?.startsWith('\\\\.\\pipe\\') ? p.connection : undefined;
    if (p.connection !== undefined && pipe === undefined)
      warnings.add('SERIAL', `Hyper-V serial ports connect to named pipes; "${p.connection}" dropped`);
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
  if (v.graphics)
    out.push({
      className: 'Msvm_SyntheticDisplayControllerSettingData',
      properties: [s('InstanceID', id()), u16('ResourceType', 24), s('ResourceSubType', HV.display)],
    });
  if (v.usb) warnings.add('DEVICE', 'Hyper-V has no USB controller for guests; dropped');
  for (const o of v.others)
    warnings.add('DEVICE', `Hyper-V has no equivalent of resource "${o.instanceId}" (${o.what}); dropped`);
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

function storage(
  v: SystemView,
  gen2: boolean,
  out: CimInstance[],
  id: () => string,
  warnings: Warnings,
): OutputDisk[] {
  const ctlIds = new Map<string, string>();
  const scsiNumbers = new SlotMap(() => 4);
  const slots = new SlotMap((g) => (g.startsWith('ide') ? 2 : 64));
  const controller = (key: string, bus: 'ide' | 'scsi', address: number): string => {
    let c = ctlIds.get(key);
    if (c === undefined) {
      c = id();
      ctlIds.set(key, c);
      out.push({
        className: RASD,
        properties: [
          s('InstanceID', c),
          u16('ResourceType', bus === 'ide' ? 5 : 6),
          s('ResourceSubType', bus === 'ide' ? HV.ide : HV.scsi),
          s('Address', String(address)),
        ],
      });
    }
    return c;
  };
  const disks: OutputDisk[] = [];
  let floppy = false;
  for (const d of v.drives) {
    let group: string;
    let ctl: string;
    if (d.kind === 'floppy') {
      if (gen2 || floppy) {
        warnings.add(
          'DEVICE',
          `Hyper-V ${gen2 ? 'generation 2 has no floppy drive' : 'has one floppy drive'}; "${d.instanceId}" dropped`,
        );
        continue;
      }
      floppy = true;
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
    const c = d.controller!;
    const wantIde = !gen2 && (c.bus === 'ide' || d.kind === 'cdrom');
    if (wantIde) {
      const channel = c.bus === 'ide' ? Math.min(c.address ?? c.index, 1) : 1;
      if (c.bus !== 'ide')
        warnings.add(
          'CONTROLLER',
          `Hyper-V generation 1 attaches DVD drives to IDE only; "${d.instanceId}" moved from ${busName(c.bus, c.model)} to IDE ${channel}`,
        );
      group = `ide${channel}`;
      ctl = controller(group, 'ide', channel);
    } else {
      const which = c.bus === 'ide' ? 'generation 2 (EFI) has no IDE' : `has no ${busName(c.bus, c.model)}`;
      warnings.add(
        'CONTROLLER',
        `Hyper-V ${which} controller; "${c.instanceId}" written as a synthetic SCSI controller`,
      );
      group = `scsi:${c.instanceId}`;
      const n = ctlIds.has(group)
        ? 0
        : (scsiNumbers.take('scsi', c.bus === 'scsi' ? (c.address ?? c.index) : undefined) ?? 0);
      ctl = controller(group, 'scsi', n);
    }
    const slot = slots.place(
      group,
      wantIde && c.bus !== 'ide' ? undefined : d.position,
      `Drive "${d.instanceId}"`,
      warnings,
    );
    if (slot === undefined) continue;
    const drive = id();
    out.push({
      className: RASD,
      properties: [
        s('InstanceID', drive),
        u16('ResourceType', d.kind === 'cdrom' ? 16 : 17),
        s('ResourceSubType', d.kind === 'cdrom' ? HV.dvdDrive : HV.diskDrive),
        s('Parent', wmiPath(RASD, ctl)),
        s('AddressOnParent', String(slot)),
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
    !v.drives.some((d) => d.kind === 'disk' && d.controller?.bus === 'ide')
  ) {
    warnings.add(
      'CONTROLLER',
      'Hyper-V generation 1 boots only from IDE; no disk is on IDE, so the guest cannot boot from disk as written',
    );
  }
  return disks;
}

function media(
  out: CimInstance[],
  instanceId: string,
  drive: string,
  subType: string,
  file: string,
  capacity: bigint | undefined,
): void {
  out.push({
    className: SASD,
    properties: [
      s('InstanceID', instanceId),
      u16('ResourceType', 31),
      s('ResourceSubType', subType),
      s('Parent', wmiPath(RASD, drive)),
      s('HostResource', [file]),
      ...(capacity === undefined
        ? []
        : [u64('VirtualQuantity', capacity), s('VirtualQuantityUnits', 'byte')]),
    ],
  });
}
