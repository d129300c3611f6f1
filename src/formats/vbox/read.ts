import type { ControllerKind, VssdProperties } from '../../model/index.js';
import { parseXml, textContent, type XmlElement } from '../../xml/index.js';
import { idsOfClasses } from '../boot.js';
import { PackageBuilder } from '../build.js';
import { formatFromName } from '../disk-formats.js';
import { FormatError } from '../errors.js';
import { guestOsFromVbox } from '../guest-os.js';
import { MAX_NATIVE_XML_BYTES } from '../libvirt/read.js';
import { checkImagePath } from '../paths.js';
import type { SystemPackage } from '../types.js';
import { LIMITS, readSmallNumber, readWholeNumber } from '../values.js';
import type { Warnings } from '../warnings.js';
import { attr, child, children } from '../xml-build.js';
import { VBOX_WORDS } from './words.js';
import { VBOX_CAPACITY_KEY, VBOX_SETTINGS_NS } from './write.js';

/** VirtualBox's floppy controller type (a floppy drive has no controller in the model). */
const FLOPPY = 'I82078';

/** `<Boot><Order device>` classes. */
type VboxBootClass = 'Floppy' | 'DVD' | 'HardDisk' | 'Network';
const BOOT_CLASSES: readonly string[] = ['Floppy', 'DVD', 'HardDisk', 'Network'];

interface Medium {
  location: string;
  format?: string | undefined;
  differencing: boolean;
}

/**
 * Reads a VirtualBox machine file (.vbox) as a {@link SystemPackage}: name, OSType, description, CPU count,
 * memory (MiB), firmware, the boot order (device classes), enabled network adapters and serial ports, display and
 * USB, and every storage controller's attached disks, DVDs and floppies resolved through the media registry. StorageControllers are
 * read under Machine (settings 1.x up to VirtualBox 6) or under Hardware (VirtualBox 7). DOCTYPEs are refused.
 */
export function readVbox(input: string | Uint8Array, warnings: Warnings, file?: string): SystemPackage {
  const { root } = parseXml(input, { file, maxBytes: MAX_NATIVE_XML_BYTES, keepWhitespace: false });
  const machine = root.local === 'VirtualBox' ? child(root, 'Machine') : undefined;
  if (!machine || root.ns !== VBOX_SETTINGS_NS) {
    throw new FormatError(
      'FORMAT_UNKNOWN',
      'The document is not a VirtualBox machine file (<VirtualBox><Machine>)',
      {
        location: { file, line: root.line },
      },
    );
  }
  const at = (e: XmlElement | undefined) => ({ file, line: e?.line, column: e?.column });
  const system: VssdProperties = { ElementName: attr(machine, 'name') ?? 'vm' };
  const uuid = attr(machine, 'uuid')?.replace(/[{}]/g, '');
  if (uuid) system.VirtualSystemIdentifier = uuid.toLowerCase();
  const description = child(machine, 'Description');
  if (description) system.Description = textContent(description);
  const hw = child(machine, 'Hardware');
  if (!hw)
    throw new FormatError('FORMAT_INVALID', 'The machine has no <Hardware> element', {
      location: at(machine),
    });
  const b = new PackageBuilder(system);
  const fw = findDeep(hw, 'Firmware');
  if (fw) b.firmware(/^EFI/i.test(attr(fw, 'type') ?? '') ? 'efi' : 'bios');
  const cpu = child(hw, 'CPU');
  b.cpus(
    attr(cpu, 'count') === undefined
      ? 1
      : readSmallNumber(attr(cpu, 'count'), 'CPU count', 1, LIMITS.cpus, at(cpu)),
  );
  const mem = child(hw, 'Memory');
  b.memory(
    readWholeNumber(
      attr(mem, 'RAMSize'),
      'Memory RAMSize (MiB)',
      1n,
      LIMITS.memoryBytes >> 20n,
      at(mem ?? hw),
    ) << 20n,
  );
  const media = mediaRegistry(machine, warnings, file);
  const capacities = new Map<string, string>();
  for (const item of children(child(machine, 'ExtraData') ?? machine, 'ExtraDataItem')) {
    const name = attr(item, 'name') ?? '';
    if (name.startsWith(VBOX_CAPACITY_KEY))
      capacities.set(
        name.slice(VBOX_CAPACITY_KEY.length).replace(/[{}]/g, '').toLowerCase(),
        attr(item, 'value') ?? '',
      );
  }
  const storage = child(machine, 'StorageControllers') ?? child(hw, 'StorageControllers');
  const boot: { id: string; cls: VboxBootClass }[] = [];
  for (const sc of children(storage ?? machine, 'StorageController'))
    readController(sc, b, media, capacities, boot, warnings, at);
  for (const a of children(child(hw, 'Network') ?? hw, 'Adapter')) {
    if (attr(a, 'enabled') !== 'true') continue;
    const att = children(a).find((e) => e.local !== 'DisabledModes');
    const network =
      att === undefined
        ? undefined
        : att.local === 'NAT'
          ? 'NAT'
          : (attr(att, 'name') ??
            (att.local === 'BridgedInterface'
              ? 'Bridged'
              : att.local === 'HostOnlyInterface'
                ? 'HostOnly'
                : att.local));
    const type = attr(a, 'type') ?? '82540EM';
    const model = VBOX_WORDS.nic(type);
    if (model === undefined)
      warnings.add(
        'NIC_MODEL',
        `Network adapter type "${type.slice(0, 40)}" is not one Vessel knows; kept as written`,
      );
    const id = b.nic(model, network, attr(a, 'MACAddress'), model === undefined ? type : undefined);
    boot.push({ id, cls: 'Network' });
  }
  for (const p of children(child(hw, 'UART') ?? hw, 'Port')) {
    if (attr(p, 'enabled') === 'true')
      b.serial(attr(p, 'hostMode') === 'RawFile' ? attr(p, 'path') : undefined);
  }
  if (child(hw, 'Display')) b.graphics();
  if (children(child(child(hw, 'USB') ?? hw, 'Controllers') ?? hw, 'Controller').length > 0) b.usb();
  const audio = child(hw, 'AudioAdapter');
  if (audio && attr(audio, 'enabled') === 'true')
    warnings.add('DEVICE', 'The audio adapter has no place in the definition; dropped');
  readBootOrder(hw, boot, b, warnings);
  const os = attr(machine, 'OSType');
  return b.build(os === undefined ? undefined : guestOsFromVbox(os));
}

/** `<Boot><Order position device>`: the devices of each class, in the order the file lists them. */
function readBootOrder(
  hw: XmlElement,
  boot: { id: string; cls: VboxBootClass }[],
  b: PackageBuilder,
  warnings: Warnings,
): void {
  const orders = children(child(hw, 'Boot') ?? hw, 'Order')
    .map((o) => ({ position: Number(attr(o, 'position')), device: attr(o, 'device') ?? 'None' }))
    .filter((o) => o.device !== 'None')
    .sort((x, y) => x.position - y.position);
  if (orders.length === 0) return;
  const classes: VboxBootClass[] = [];
  for (const o of orders) {
    if (BOOT_CLASSES.includes(o.device)) classes.push(o.device as VboxBootClass);
    else
      warnings.add(
        'BOOT_ORDER',
        `<Boot> names the device "${o.device.slice(0, 20)}", which is no device class; ignored`,
      );
  }
  b.bootOrder(idsOfClasses(classes, boot));
}

function findDeep(e: XmlElement, local: string): XmlElement | undefined {
  for (const c of children(e)) {
    if (c.local === local) return c;
    const d = findDeep(c, local);
    if (d) return d;
  }
  return undefined;
}

function mediaRegistry(
  machine: XmlElement,
  warnings: Warnings,
  file: string | undefined,
): Map<string, Medium> {
  const out = new Map<string, Medium>();
  const reg = child(machine, 'MediaRegistry');
  const visit = (e: XmlElement, parent: boolean, depth: number) => {
    if (depth > 64)
      throw new FormatError('FORMAT_TOO_LARGE', 'The media registry nests deeper than 64 levels', {
        location: { file, line: e.line },
      });
    const uuid = attr(e, 'uuid')?.replace(/[{}]/g, '').toLowerCase();
    const location = attr(e, 'location');
    if (uuid && location !== undefined)
      out.set(uuid, { location, format: attr(e, 'format'), differencing: parent });
    for (const c of children(e, e.local)) visit(c, true, depth + 1);
  };
  for (const group of ['HardDisks', 'DVDImages', 'FloppyImages']) {
    for (const m of children(
      child(reg ?? machine, group) ?? machine,
      group === 'HardDisks' ? 'HardDisk' : 'Image',
    ))
      visit(m, false, 0);
  }
  if (out.size > LIMITS.devices * 4) warnings.add('DEVICE', `The media registry lists ${out.size} media`);
  return out;
}

function readController(
  sc: XmlElement,
  b: PackageBuilder,
  media: Map<string, Medium>,
  capacities: Map<string, string>,
  boot: { id: string; cls: VboxBootClass }[],
  warnings: Warnings,
  at: (e: XmlElement | undefined) => {
    file: string | undefined;
    line: number | undefined;
    column: number | undefined;
  },
): void {
  const type = attr(sc, 'type') ?? '';
  const kind: ControllerKind | undefined = type === FLOPPY ? undefined : VBOX_WORDS.controller(type);
  if (type !== FLOPPY && kind === undefined) {
    warnings.add(
      'CONTROLLER',
      `VirtualBox controller type "${type.slice(0, 40)}" has no equivalent; its drives are dropped`,
    );
    return;
  }
  const ids = new Map<number, string>();
  const controller = (port: number): string | undefined => {
    if (kind === undefined) return undefined;
    const key = kind === 'ide' ? port : 0;
    let id = ids.get(key);
    if (id === undefined) {
      id = b.controller(kind, kind === 'ide' ? port : undefined);
      ids.set(key, id);
    }
    return id;
  };
  if (kind !== undefined && kind !== 'ide') controller(0);
  for (const ad of children(sc, 'AttachedDevice')) {
    const port = readSmallNumber(attr(ad, 'port') ?? '0', 'AttachedDevice port', 0, 255, at(ad));
    const device = readSmallNumber(attr(ad, 'device') ?? '0', 'AttachedDevice device', 0, 1, at(ad));
    const imageUuid = attr(child(ad, 'Image'), 'uuid')?.replace(/[{}]/g, '').toLowerCase();
    const medium = imageUuid === undefined ? undefined : media.get(imageUuid);
    if (imageUuid !== undefined && medium === undefined) {
      warnings.add('DEVICE', `Attached image {${imageUuid}} is not in the media registry; attached empty`);
    }
    const parent = controller(port);
    const position = kind === 'ide' ? device : port;
    const location =
      medium === undefined ? undefined : checkImagePath(medium.location, `Medium {${imageUuid}}`);
    const t = attr(ad, 'type');
    if (t === 'DVD') boot.push({ id: b.cdrom(parent, position, location), cls: 'DVD' });
    else if (t === 'Floppy') boot.push({ id: b.floppy(location), cls: 'Floppy' });
    else if (t === 'HardDisk') {
      if (location === undefined) continue;
      if (medium?.differencing)
        warnings.add(
          'DISK_FORMAT',
          `"${location}" is a differencing image (a snapshot); referenced as it is, without its parents`,
        );
      const cap = capacities.get(imageUuid ?? '');
      const id = b.disk(parent, position, {
        file: location,
        capacityBytes:
          cap === undefined ? undefined : readWholeNumber(cap, 'capacity in ExtraData', 1n, LIMITS.diskBytes),
        format: medium?.format?.toLowerCase() ?? formatFromName(location),
      });
      boot.push({ id, cls: 'HardDisk' });
    }
  }
}
