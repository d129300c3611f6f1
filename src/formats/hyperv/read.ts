import { FIRMWARE_PROPERTY, toBaseUnits, type VssdProperties } from '../../model/index.js';
import { parseXml, type XmlElement } from '../../xml/index.js';
import { PackageBuilder } from '../build.js';
import { formatFromName } from '../disk-formats.js';
import { FormatError } from '../errors.js';
import { MAX_NATIVE_XML_BYTES } from '../libvirt/read.js';
import { checkImagePath } from '../paths.js';
import type { SystemPackage } from '../types.js';
import { LIMITS, smallNumber, wholeNumber } from '../values.js';
import type { Warnings } from '../warnings.js';
import { children } from '../xml-build.js';
import { instanceFromXml, instanceIdOfPath, nameKeyOfPath } from './cim-instance.js';
import { HV } from './write.js';

type Instance = ReturnType<typeof instanceFromXml>;

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
 * Drive RASD; NIC ports and their Ethernet connections one NIC; generation 2 means EFI firmware.
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
  system[FIRMWARE_PROPERTY] = str(vssd, 'VirtualSystemSubType') === HV.gen2 ? 'efi' : 'bios';
  const b = new PackageBuilder(system);
  const rt = (i: Instance) => Number(str(i, 'ResourceType') ?? '0');
  const at = (i: { line?: number | undefined }) => ({ file, line: i.line });
  const cpu = all.find((i) => rt(i) === 3);
  b.cpus(
    cpu ? smallNumber(str(cpu, 'VirtualQuantity'), 'Processor VirtualQuantity', 1, LIMITS.cpus, at(cpu)) : 1,
  );
  const mem = all.find((i) => rt(i) === 4);
  if (!mem)
    throw new FormatError('FORMAT_INVALID', 'The definition has no Msvm_MemorySettingData', {
      location: { file },
    });
  const quantity = wholeNumber(
    str(mem, 'VirtualQuantity'),
    'Memory VirtualQuantity',
    1n,
    LIMITS.memoryBytes,
    at(mem),
  );
  let bytes: bigint;
  try {
    bytes = toBaseUnits(quantity, str(mem, 'AllocationUnits') ?? 'byte*2^20', 'byte');
  } catch (e) {
    throw new FormatError('FORMAT_INVALID', `Memory AllocationUnits: ${(e as Error).message}`, {
      location: at(mem),
      cause: e,
    });
  }
  if (bytes > LIMITS.memoryBytes)
    throw new FormatError('FORMAT_INVALID', `Memory of ${bytes} bytes is beyond any host`, {
      location: at(mem),
    });
  b.memory(bytes);
  readStorage(all, b, warnings, at);
  for (const port of all.filter((i) => rt(i) === 10)) {
    const pid = str(port, 'InstanceID');
    const conn = all.find((i) => rt(i) === 33 && instanceIdOfPath(str(i, 'Parent')) === pid);
    const network =
      conn === undefined
        ? undefined
        : (nameKeyOfPath(arr(conn, 'HostResource')[0]) ?? str(conn, 'ElementName'));
    const mac = str(port, 'Address');
    b.nic(
      undefined,
      network,
      mac === undefined || mac === '' ? undefined : mac,
      port.className === 'Msvm_EmulatedEthernetPortSettingData' ? 'DEC21140' : undefined,
    );
  }
  for (const p of all.filter((i) => rt(i) === 21)) {
    const c = arr(p, 'Connection')[0];
    b.serial(c === undefined || c === '' ? undefined : c);
  }
  if (all.some((i) => rt(i) === 24)) b.graphics();
  return b.build();
}

function readStorage(
  all: Array<Instance & { line?: number | undefined }>,
  b: PackageBuilder,
  warnings: Warnings,
  at: (i: { line?: number | undefined }) => { file: string | undefined; line: number | undefined },
): void {
  const rt = (i: Instance) => Number(str(i, 'ResourceType') ?? '0');
  const controllers = new Map<string, string>();
  for (const c of all.filter((i) => rt(i) === 5 || rt(i) === 6)) {
    const address = str(c, 'Address');
    const n =
      address === undefined || address === ''
        ? undefined
        : smallNumber(address, 'controller Address', 0, 3, at(c));
    controllers.set(
      str(c, 'InstanceID') ?? '',
      b.controller(rt(c) === 5 ? 'ide' : 'scsi', rt(c) === 6 ? 'lsilogic' : undefined, n),
    );
  }
  if (controllers.size > 0 && all.some((i) => rt(i) === 6))
    warnings.add(
      'CONTROLLER',
      'Hyper-V synthetic SCSI controllers have no model of their own; read as lsilogic',
    );
  for (const d of all.filter((i) => [14, 15, 16, 17].includes(rt(i)))) {
    const id = str(d, 'InstanceID');
    const medium = all.find((i) => rt(i) === 31 && instanceIdOfPath(str(i, 'Parent')) === id);
    const path = medium === undefined ? undefined : arr(medium, 'HostResource')[0];
    const image =
      path === undefined || path === ''
        ? undefined
        : checkImagePath(path, `${medium?.className} HostResource`);
    if (rt(d) === 14) {
      b.floppy(image);
      continue;
    }
    const parent = controllers.get(instanceIdOfPath(str(d, 'Parent')) ?? '');
    const pos = str(d, 'AddressOnParent');
    const position =
      pos === undefined || pos === '' ? undefined : smallNumber(pos, 'AddressOnParent', 0, 63, at(d));
    if (rt(d) !== 17) b.cdrom(parent, position, image);
    else if (image === undefined)
      warnings.add('DEVICE', `Disk drive "${id}" has no virtual hard disk; dropped`);
    else {
      const cap = str(medium!, 'VirtualQuantity');
      b.disk(parent, position, {
        file: image,
        capacityBytes:
          cap === undefined
            ? undefined
            : wholeNumber(cap, 'Virtual Hard Disk VirtualQuantity', 1n, LIMITS.diskBytes, at(medium!)),
        format: formatFromName(image) ?? 'vhdx',
      });
    }
  }
}
