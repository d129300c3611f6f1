import { CONTROLLERS, type ControllerKind, type VssdProperties } from '../../model/index.js';
import { parseXml, textContent, type XmlElement } from '../../xml/index.js';
import { idsOfClasses } from '../boot.js';
import { PackageBuilder } from '../build.js';
import { formatFromName } from '../disk-formats.js';
import { FormatError } from '../errors.js';
import { checkImagePath } from '../paths.js';
import type { GuestOs, SystemPackage } from '../types.js';
import { LIMITS, readSmallNumber, readWholeNumber } from '../values.js';
import type { Warnings } from '../warnings.js';
import { attr, child, children } from '../xml-build.js';
import { applyHostFacts, type HostFacts, readHostFacts } from './host-facts.js';
import { LIBVIRT_WORDS } from './words.js';
import { VESSEL_LIBVIRT_NS } from './write.js';

/** Largest native XML document accepted (real ones are a few kilobytes). */
export const MAX_NATIVE_XML_BYTES = 4 << 20;

const UNITS: Record<string, bigint> = {
  b: 1n,
  bytes: 1n,
  kb: 1000n,
  k: 1024n,
  kib: 1024n,
  mb: 10n ** 6n,
  m: 1n << 20n,
  mib: 1n << 20n,
  gb: 10n ** 9n,
  g: 1n << 30n,
  gib: 1n << 30n,
  tb: 10n ** 12n,
  t: 1n << 40n,
  tib: 1n << 40n,
};

/** Devices libvirt always adds or that carry no hardware the definition models; read without a warning. */
const QUIET = new Set([
  'emulator',
  'console',
  'input',
  'channel',
  'memballoon',
  'graphics',
  'video',
  'rng',
  'audio',
  'controller',
  'disk',
  'interface',
  'serial',
]);

/**
 * Reads a libvirt domain XML as a {@link SystemPackage}: name, uuid, description, memory (any libvirt unit, exact),
 * vcpu, firmware (`<os firmware='efi'>` or an OVMF loader), controllers, disks with their drive addresses, NICs,
 * serial ports, video, USB and the boot order (`<boot order>` per device, else `<os><boot dev>` classes); Vessel's
 * `<metadata>` element gives back the guest OS and disk capacities. The XML reader refuses DOCTYPEs and entities;
 * wrong values throw `FORMAT_INVALID` with the line; words Vessel does not know are warnings.
 */
export function readLibvirt(input: string | Uint8Array, warnings: Warnings, file?: string): SystemPackage {
  const { root } = parseXml(input, { file, maxBytes: MAX_NATIVE_XML_BYTES, keepWhitespace: false });
  if (root.local !== 'domain' || root.ns !== '') {
    throw new FormatError('FORMAT_UNKNOWN', `The root element is <${root.local}>, not a libvirt <domain>`, {
      location: { file, line: root.line },
    });
  }
  const at = (e: XmlElement | undefined) => ({ file, line: e?.line, column: e?.column });
  const text = (name: string) => {
    const e = child(root, name);
    return e === undefined ? undefined : textContent(e).trim();
  };
  const system: VssdProperties = { ElementName: text('name') ?? 'vm' };
  const uuid = text('uuid');
  if (uuid) system.VirtualSystemIdentifier = uuid.toLowerCase();
  const description = text('description');
  if (description) system.Description = description;
  const os = child(root, 'os');
  const loader = os && child(os, 'loader');
  const b = new PackageBuilder(system);
  if (attr(os, 'firmware') === 'efi' || (loader && /ovmf|edk2|efi/i.test(textContent(loader))))
    b.firmware('efi');
  else if (attr(os, 'firmware') === 'bios') b.firmware('bios');
  const vcpu = child(root, 'vcpu');
  const keys = new Map<string, string>();
  keys.set('cpu', b.cpus(vcpu ? readSmallNumber(textContent(vcpu), '<vcpu>', 1, LIMITS.cpus, at(vcpu)) : 1));
  const mem = child(root, 'memory');
  if (!mem)
    throw new FormatError('FORMAT_INVALID', 'The domain has no <memory> element', { location: at(root) });
  const unit = (attr(mem, 'unit') ?? 'KiB').toLowerCase();
  const factor = UNITS[unit];
  if (factor === undefined)
    throw new FormatError('FORMAT_INVALID', `<memory unit="${unit}"> is not a libvirt unit`, {
      location: at(mem),
    });
  const bytes =
    readWholeNumber(textContent(mem), '<memory>', 1n, LIMITS.memoryBytes / factor, at(mem)) * factor;
  keys.set('memory', b.memory(bytes));
  const meta = vesselMetadata(root);
  const devices = child(root, 'devices');
  const boot: Bootable[] = [];
  if (devices) readDevices(devices, b, meta.capacities, boot, warnings, file, keys);
  readBootOrder(os, boot, b);
  const pkg = b.build(meta.os ?? libosinfo(root));
  if (meta.facts !== undefined) applyHostFacts(pkg.definition, keys, meta.facts);
  return pkg;
}

function vesselMetadata(root: XmlElement): {
  os?: GuestOs;
  capacities: Map<string, { capacity?: string; format?: string }>;
  facts?: HostFacts;
} {
  const capacities = new Map<string, { capacity?: string; format?: string }>();
  const sys = children(child(root, 'metadata') ?? root, 'system').find((e) => e.ns === VESSEL_LIBVIRT_NS);
  if (!sys) return { capacities };
  let os: GuestOs | undefined;
  const facts = readHostFacts(sys);
  for (const e of children(sys)) {
    if (e.local === 'os') {
      const t = Number(attr(e, 'type'));
      if (Number.isInteger(t) && t >= 0 && t <= 0xffff) {
        os = {
          osType: t,
          description: attr(e, 'description'),
          vmware: attr(e, 'vmware'),
          vbox: attr(e, 'vbox'),
        };
        for (const k of ['description', 'vmware', 'vbox'] as const) if (os[k] === undefined) delete os[k];
      }
    } else if (e.local === 'disk' && attr(e, 'target')) {
      const capacity = attr(e, 'capacity');
      const format = attr(e, 'format');
      capacities.set(attr(e, 'target')!, {
        ...(capacity ? { capacity } : {}),
        ...(format ? { format } : {}),
      });
    }
  }
  return { capacities, ...(os === undefined ? {} : { os }), ...(facts === undefined ? {} : { facts }) };
}

function libosinfo(root: XmlElement): GuestOs | undefined {
  const meta = child(root, 'metadata');
  const info = meta && children(meta, 'libosinfo')[0];
  const id = attr(info && child(info, 'os'), 'id');
  if (!id) return undefined;
  const families: Array<[RegExp, number]> = [
    [/ubuntu/, 94],
    [/debian/, 96],
    [/rhel|redhat/, 80],
    [/suse|sles/, 83],
    [/freebsd/, 78],
    [/win/, 102],
  ];
  const hit = families.find(([re]) => re.test(id));
  return { osType: hit?.[1] ?? 101, description: id };
}

/** A drive or NIC with its `<boot order>`, or its class for `<os><boot dev>`. */
interface Bootable {
  id: string;
  order?: number | undefined;
  cls: 'hd' | 'cdrom' | 'fd' | 'network';
}

function bootOrderOf(e: XmlElement, at: (e: XmlElement) => object): number | undefined {
  const boot = child(e, 'boot');
  const order = attr(boot, 'order');
  return order === undefined ? undefined : readSmallNumber(order, '<boot order>', 1, 65535, at(boot!));
}

/** `<boot order>` per device when any has one, else the classes `<os><boot dev>` lists. */
function readBootOrder(os: XmlElement | undefined, boot: Bootable[], b: PackageBuilder): void {
  const ordered = boot.filter((d) => d.order !== undefined).sort((x, y) => x.order! - y.order!);
  if (ordered.length > 0) {
    b.bootOrder(ordered.map((d) => d.id));
    return;
  }
  const classes = (os === undefined ? [] : children(os, 'boot'))
    .map((e) => attr(e, 'dev'))
    .filter((c): c is Bootable['cls'] => c === 'hd' || c === 'cdrom' || c === 'fd' || c === 'network');
  if (classes.length > 0) b.bootOrder(idsOfClasses(classes, boot));
}

function readDevices(
  devices: XmlElement,
  b: PackageBuilder,
  capacities: Map<string, { capacity?: string; format?: string }>,
  boot: Bootable[],
  warnings: Warnings,
  file: string | undefined,
  keys: Map<string, string>,
): void {
  const at = (e: XmlElement) => ({ file, line: e.line, column: e.column });
  const ctl = keys;
  const controller = (kind: ControllerKind, key: string, address?: number): string => {
    let id = ctl.get(key);
    if (id === undefined) {
      id = b.controller(kind, address);
      ctl.set(key, id);
    }
    return id;
  };
  const scsiKinds = new Map<number, ControllerKind>();
  const all = children(devices);
  if (all.length > LIMITS.devices * 4)
    throw new FormatError('FORMAT_TOO_LARGE', `The domain has ${all.length} devices`, {
      location: at(devices),
    });
  for (const c of children(devices, 'controller')) {
    const type = attr(c, 'type');
    const n = readSmallNumber(attr(c, 'index') ?? '0', 'controller index', 0, 255, at(c));
    if (type === 'scsi') {
      const m = attr(c, 'model');
      const found = LIBVIRT_WORDS.controller(m ?? 'lsilogic');
      const kind = found !== undefined && CONTROLLERS[found].bus === 'scsi' ? found : 'lsilogic';
      if (kind !== found)
        warnings.add('CONTROLLER', `SCSI controller model "${m}" has no equivalent; read as lsilogic`);
      scsiKinds.set(n, kind);
      controller(kind, `scsi:${n}`, n);
    } else if (type === 'sata') controller('ahci', `sata:${n}`, n);
    else if (type === 'usb' && attr(c, 'model') !== 'none') {
      const id = b.usb();
      if (!keys.has('usb')) keys.set('usb', id);
    }
  }
  let virtioUnit = 0;
  for (const d of children(devices, 'disk')) {
    const device = attr(d, 'device') ?? 'disk';
    const target = child(d, 'target');
    const dev = attr(target, 'dev') ?? '';
    const bus =
      attr(target, 'bus') ??
      (dev.startsWith('hd')
        ? 'ide'
        : dev.startsWith('vd')
          ? 'virtio'
          : dev.startsWith('fd')
            ? 'fdc'
            : 'scsi');
    const source = child(d, 'source');
    const path = attr(source, 'file') ?? attr(source, 'dev');
    if (source && path === undefined && device === 'disk') {
      warnings.add(
        'DEVICE',
        `Disk ${dev}: a ${attr(d, 'type') ?? 'network'} source has no file to reference; dropped`,
      );
      continue;
    }
    const image = path === undefined ? undefined : checkImagePath(path, `<disk> ${dev} source`);
    const order = bootOrderOf(d, at);
    if (bus === 'fdc') {
      const id = b.floppy(image);
      keys.set(`disk:${dev}`, id);
      boot.push({ id, order, cls: 'fd' });
      continue;
    }
    const addr = child(d, 'address');
    const unitText = attr(addr, 'unit');
    let parent: string;
    let position: number | undefined;
    if (bus === 'ide') {
      const fromDev = dev.length === 3 ? dev.charCodeAt(2) - 97 : 0;
      const channel =
        attr(addr, 'bus') === undefined
          ? fromDev >> 1
          : readSmallNumber(attr(addr, 'bus'), `${dev} IDE bus`, 0, 1, at(d));
      const n = readSmallNumber(attr(addr, 'controller') ?? '0', `${dev} controller`, 0, 3, at(d));
      parent = controller('ide', `ide:${n * 2 + channel}`, channel);
      position = unitText === undefined ? fromDev & 1 : readSmallNumber(unitText, `${dev} unit`, 0, 1, at(d));
    } else if (bus === 'scsi' || bus === 'sata') {
      const n = readSmallNumber(attr(addr, 'controller') ?? '0', `${dev} controller`, 0, 255, at(d));
      const kind = bus === 'sata' ? 'ahci' : (scsiKinds.get(n) ?? 'lsilogic');
      parent = controller(kind, `${bus}:${n}`, n);
      position =
        unitText === undefined ? undefined : readSmallNumber(unitText, `${dev} unit`, 0, 1023, at(d));
    } else if (bus === 'virtio') {
      parent = controller('virtio-blk', 'virtio');
      position = virtioUnit++;
    } else {
      warnings.add('CONTROLLER', `Disk ${dev} on bus "${bus}" has no equivalent; dropped`);
      continue;
    }
    if (device === 'cdrom') {
      const id = b.cdrom(parent, position, image);
      keys.set(`disk:${dev}`, id);
      boot.push({ id, order, cls: 'cdrom' });
    } else {
      const meta = capacities.get(dev);
      const driver = attr(child(d, 'driver'), 'type');
      const id = b.disk(parent, position, {
        file: image,
        capacityBytes:
          meta?.capacity === undefined
            ? undefined
            : readWholeNumber(meta.capacity, `capacity of ${dev}`, 1n, LIMITS.diskBytes),
        format: meta?.format ?? (driver === 'vpc' ? 'vhd' : driver) ?? formatFromName(image),
      });
      keys.set(`disk:${dev}`, id);
      boot.push({ id, order, cls: 'hd' });
    }
  }
  readOthers(devices, b, boot, warnings, at, keys);
}

function readOthers(
  devices: XmlElement,
  b: PackageBuilder,
  boot: Bootable[],
  warnings: Warnings,
  at: (e: XmlElement) => object,
  keys: Map<string, string>,
): void {
  children(devices, 'interface').forEach((i, n) => {
    const type = attr(i, 'type') ?? 'network';
    const source = child(i, 'source');
    const network =
      type === 'user' ? 'user' : (attr(source, 'network') ?? attr(source, 'bridge') ?? attr(source, 'dev'));
    const word = attr(child(i, 'model'), 'type');
    const model = LIBVIRT_WORDS.nic(word);
    if (word !== undefined && model === undefined)
      warnings.add(
        'NIC_MODEL',
        `Interface model "${word.slice(0, 40)}" is not one Vessel knows; kept as written`,
      );
    const mac = attr(child(i, 'mac'), 'address');
    const id = b.nic(model, network, mac, model === undefined ? word : undefined);
    keys.set(`nic:${n}`, id);
    boot.push({ id, order: bootOrderOf(i, at), cls: 'network' });
  });
  children(devices, 'serial').forEach((s, n) => {
    keys.set(
      `serial:${n}`,
      b.serial(attr(s, 'type') === 'file' ? attr(child(s, 'source'), 'path') : undefined),
    );
  });
  if (children(devices, 'video').length > 0) keys.set('video', b.graphics());
  const dropped = new Set(
    children(devices)
      .map((e) => e.local)
      .filter((n) => !QUIET.has(n)),
  );
  for (const n of dropped)
    warnings.add('DEVICE', `libvirt <${n}> devices have no place in the definition; dropped`);
}
