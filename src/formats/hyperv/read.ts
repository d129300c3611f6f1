import {
  bytesOf,
  type RasdProperties,
  type ResourceSetting,
  type VssdProperties,
} from '../../model/index.js';
import { parseXml, type XmlElement } from '../../xml/index.js';
import { idsOfClasses } from '../boot.js';
import { PackageBuilder } from '../build.js';
import { formatFromName } from '../disk-formats.js';
import { FormatError } from '../errors.js';
import { MAX_NATIVE_XML_BYTES } from '../libvirt/read.js';
import { checkImagePath } from '../paths.js';
import type { SystemPackage } from '../types.js';
import { LIMITS, readSmallNumber, readWholeNumber } from '../values.js';
import type { Warnings } from '../warnings.js';
import { children } from '../xml-build.js';
import { instanceFromXml, instanceIdOfPath, nameKeyOfPath } from './cim-instance.js';
import { HV, HYPERV_WORDS } from './words.js';

type Instance = ReturnType<typeof instanceFromXml>;

/** Generation 1 `BootOrder` values: floppy, CD-ROM, IDE hard drive, PXE boot (Msvm_VirtualSystemSettingData). */
export type BootClass = '0' | '1' | '2' | '3';
const BOOT_CLASSES: readonly BootClass[] = ['0', '1', '2', '3'];

const str = (i: Instance, name: string): string | undefined => {
  const v = i.get(name);
  return Array.isArray(v) ? v[0] : v;
};
const arr = (i: Instance, name: string): string[] => {
  const v = i.get(name);
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/**
 * Reads a Hyper-V virtual system definition (CIM-XML DTD 2.0 instances of Msvm_VirtualSystemSettingData and the
 * Msvm_*SettingData resources, as {@link writeHyperv} writes and WMI's GetText gives) as a {@link SystemPackage}.
 * Drives and their media (a Synthetic Disk Drive and the Virtual Hard Disk whose Parent it is) become one Disk
 * Drive RASD; NIC ports and their Ethernet connections one NIC (synthetic, or the emulated legacy adapter);
 * generation 2 means EFI firmware; a generation 1 `BootOrder` (device classes) becomes the boot order.
 */
export function readHyperv(input: string | Uint8Array, warnings: Warnings, file?: string): SystemPackage {
  const { root } = parseXml(input, { file, maxBytes: MAX_NATIVE_XML_BYTES, keepWhitespace: false });
  const found: XmlElement[] = [];
  const collect = (e: XmlElement) => {
    for (const c of children(e)) {
      if (c.local === 'INSTANCE') found.push(c);
      else collect(c);
    }
  };
  collect(root);
  if (found.length > LIMITS.devices * 4)
    throw new FormatError('FORMAT_TOO_LARGE', `The definition has ${found.length} instances`, {
      location: { file },
    });
  const all = found.map((e) => Object.assign(instanceFromXml(e, file), { line: e.line }));
  const vssds = all.filter((i) => i.className === 'Msvm_VirtualSystemSettingData');
  if (root.local !== 'CIM' || vssds.length !== 1) {
    throw new FormatError(
      'FORMAT_UNKNOWN',
      `A Hyper-V definition holds one Msvm_VirtualSystemSettingData instance; this document has ${vssds.length}`,
      {
        location: { file, line: root.line },
      },
    );
  }
  const vssd = vssds[0]!;
  const system: VssdProperties = { ElementName: str(vssd, 'ElementName') ?? 'vm' };
  const uuid = str(vssd, 'VirtualSystemIdentifier');
  if (uuid) system.VirtualSystemIdentifier = uuid.toLowerCase();
  const notes = arr(vssd, 'Notes').filter((n) => n !== '');
  if (notes.length) system.Description = notes.join('\n');
  const gen2 = str(vssd, 'VirtualSystemSubType') === HV.gen2;
  const b = new PackageBuilder(system);
  b.firmware(gen2 ? 'efi' : 'bios');
  const rt = (i: Instance) => Number(str(i, 'ResourceType') ?? '0');
  const at = (i: { line?: number | undefined }) => ({ file, line: i.line });
  const cpu = all.find((i) => rt(i) === 3);
  b.cpus(
    cpu
      ? readSmallNumber(str(cpu, 'VirtualQuantity'), 'Processor VirtualQuantity', 1, LIMITS.cpus, at(cpu))
      : 1,
  );
  const mem = all.find((i) => rt(i) === 4);
  if (!mem)
    throw new FormatError('FORMAT_INVALID', 'The definition has no Msvm_MemorySettingData', {
      location: { file },
    });
  const bytes = sizeOf(mem, 'Memory', at(mem), LIMITS.memoryBytes, 'byte*2^20');
  b.memory(bytes);
  const boot: { id: string; cls: BootClass }[] = [];
  readStorage(all, b, boot, warnings, at);
  for (const port of all.filter((i) => rt(i) === 10)) {
    const pid = str(port, 'InstanceID');
    const conn = all.find((i) => rt(i) === 33 && instanceIdOfPath(str(i, 'Parent')) === pid);
    const network =
      conn === undefined
        ? undefined
        : (nameKeyOfPath(arr(conn, 'HostResource')[0]) ?? str(conn, 'ElementName'));
    const mac = str(port, 'Address');
    const emulated = port.className === 'Msvm_EmulatedEthernetPortSettingData';
    const model =
      HYPERV_WORDS.nic(str(port, 'ResourceSubType')) ?? (emulated ? 'dec21140' : 'hyperv-synthetic');
    const id = b.nic(model, network, mac === undefined || mac === '' ? undefined : mac);
    boot.push({ id, cls: '3' });
  }
  for (const p of all.filter((i) => rt(i) === 21)) {
    const c = arr(p, 'Connection')[0];
    b.serial(c === undefined || c === '' ? undefined : c);
  }
  if (all.some((i) => rt(i) === 24)) b.graphics();
  const order = arr(vssd, 'BootOrder').filter((c): c is BootClass => (BOOT_CLASSES as string[]).includes(c));
  if (!gen2 && order.length > 0) b.bootOrder(idsOfClasses(order, boot));
  return b.build();
}

/** A Memory or Virtual Hard Disk quantity in bytes, by the model's unit rules (VirtualQuantityUnits, AllocationUnits). */
function sizeOf(
  i: Instance,
  what: string,
  location: { file: string | undefined; line: number | undefined },
  max: bigint,
  defaultUnits?: string,
): bigint {
  const properties: RasdProperties = { ResourceType: str(i, 'ResourceType') ?? '4' };
  for (const k of ['VirtualQuantity', 'AllocationUnits', 'VirtualQuantityUnits'] as const) {
    const v = str(i, k);
    if (v !== undefined && v !== '') properties[k] = v;
  }
  if (properties.AllocationUnits === undefined && defaultUnits !== undefined)
    properties.AllocationUnits = defaultUnits;
  readWholeNumber(properties.VirtualQuantity, `${what} VirtualQuantity`, 1n, max, location);
  const cimClass = i.className.includes('Storage')
    ? 'CIM_StorageAllocationSettingData'
    : 'CIM_ResourceAllocationSettingData';
  const r: ResourceSetting = { cimClass, properties };
  let bytes: bigint | undefined;
  try {
    bytes = bytesOf(r);
  } catch (e) {
    throw new FormatError('FORMAT_INVALID', `${what}: ${(e as Error).message}`, { location, cause: e });
  }
  if (bytes === undefined || bytes > max)
    throw new FormatError('FORMAT_INVALID', `${what} of ${bytes} bytes is beyond any host`, { location });
  return bytes;
}

function readStorage(
  all: Array<Instance & { line?: number | undefined }>,
  b: PackageBuilder,
  boot: { id: string; cls: BootClass }[],
  warnings: Warnings,
  at: (i: { line?: number | undefined }) => { file: string | undefined; line: number | undefined },
): void {
  const rt = (i: Instance) => Number(str(i, 'ResourceType') ?? '0');
  const controllers = new Map<string, { id: string; ide: boolean }>();
  for (const c of all.filter((i) => rt(i) === 5 || rt(i) === 6)) {
    const address = str(c, 'Address');
    const n =
      address === undefined || address === ''
        ? undefined
        : readSmallNumber(address, 'controller Address', 0, 3, at(c));
    const sub = str(c, 'ResourceSubType');
    const kind = rt(c) === 5 ? 'ide' : (HYPERV_WORDS.controller(sub) ?? 'hyperv-scsi');
    if (rt(c) === 6 && kind !== 'hyperv-scsi')
      warnings.add(
        'CONTROLLER',
        `SCSI controller subtype "${(sub ?? '').slice(0, 60)}" is not Hyper-V's; read as its synthetic SCSI`,
      );
    controllers.set(str(c, 'InstanceID') ?? '', {
      id: b.controller(kind === 'ide' ? 'ide' : 'hyperv-scsi', n),
      ide: kind === 'ide',
    });
  }
  for (const d of all.filter((i) => [14, 15, 16, 17].includes(rt(i)))) {
    const id = str(d, 'InstanceID');
    const medium = all.find((i) => rt(i) === 31 && instanceIdOfPath(str(i, 'Parent')) === id);
    const path = medium === undefined ? undefined : arr(medium, 'HostResource')[0];
    const image =
      path === undefined || path === ''
        ? undefined
        : checkImagePath(path, `${medium?.className} HostResource`);
    if (rt(d) === 14) {
      boot.push({ id: b.floppy(image), cls: '0' });
      continue;
    }
    const parent = controllers.get(instanceIdOfPath(str(d, 'Parent')) ?? '');
    const pos = str(d, 'AddressOnParent');
    const position =
      pos === undefined || pos === '' ? undefined : readSmallNumber(pos, 'AddressOnParent', 0, 63, at(d));
    if (rt(d) !== 17) boot.push({ id: b.cdrom(parent?.id, position, image), cls: '1' });
    else if (image === undefined)
      warnings.add('DEVICE', `Disk drive "${id}" has no virtual hard disk; dropped`);
    else {
      const cap = str(medium!, 'VirtualQuantity');
      const disk = b.disk(parent?.id, position, {
        file: image,
        capacityBytes:
          cap === undefined ? undefined : sizeOf(medium!, 'Virtual Hard Disk', at(medium!), LIMITS.diskBytes),
        format: formatFromName(image) ?? 'vhdx',
      });
      // Generation 1 boots hard drives on IDE only (BootOrder 2).
      if (parent?.ide) boot.push({ id: disk, cls: '2' });
    }
  }
}
