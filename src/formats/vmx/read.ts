import { CONTROLLERS, type ControllerKind, normalizeMac, type VssdProperties } from '../../model/index.js';
import { idsOfClasses } from '../boot.js';
import { PackageBuilder } from '../build.js';
import { formatFromName } from '../disk-formats.js';
import { FormatError } from '../errors.js';
import { guestOsFromVmx } from '../guest-os.js';
import { checkImagePath } from '../paths.js';
import type { SystemPackage } from '../types.js';
import { LIMITS, readSmallNumber, readWholeNumber } from '../values.js';
import type { Warnings } from '../warnings.js';
import { parseVmxText, type VmxDict } from './text.js';
import { VMX_CONTROLLERS, VMX_SLOTS, VMX_WORDS } from './words.js';

/** The vmx key Vessel writes a disk's capacity under (`vessel.capacity.scsi0:0`), as vmx files do not carry it (the VMDK does). */
export const VMX_CAPACITY_PREFIX = 'vessel.capacity.';

/** `bios.bootOrder` device classes. */
export type VmxBootClass = 'hdd' | 'cdrom' | 'floppy' | 'ethernet';
const BOOT_CLASSES: readonly string[] = ['hdd', 'cdrom', 'floppy', 'ethernet'];

const yes = (v: string | undefined) => /^(true|yes|1)$/i.test(v ?? '');

/**
 * Reads a VMware .vmx file as a {@link SystemPackage}: displayName, annotation, guestOS, firmware, numvcpus,
 * memsize (MiB), IDE/SCSI/SATA/NVMe controllers and their disks, CD/DVDs and floppies, ethernetN NICs, serial
 * ports, USB, SVGA and `bios.bootOrder` (the key mapping libvirt's vmx driver documents). Wrong types and
 * out-of-range values (a unit beyond VMware's slots) throw `FORMAT_INVALID` with the line; a disk file name that
 * climbs out of the folder throws `FORMAT_UNSAFE_PATH`; words Vessel does not know are warnings.
 */
export function readVmx(input: string | Uint8Array, warnings: Warnings, file?: string): SystemPackage {
  const vmx = parseVmxText(input, file);
  const get = (k: string) => vmx.get(k.toLowerCase())?.value;
  const at = (k: string) => ({ file, line: vmx.get(k.toLowerCase())?.line });
  const system: VssdProperties = { ElementName: get('displayName') ?? 'vm' };
  const hwVersion = get('virtualHW.version');
  if (hwVersion !== undefined) {
    const v = readSmallNumber(hwVersion, 'virtualHW.version', 3, 99, at('virtualHW.version'));
    system.VirtualSystemType = `vmx-${String(v).padStart(2, '0')}`;
  }
  const uuid = uuidFromBios(get('uuid.bios'));
  if (uuid) system.VirtualSystemIdentifier = uuid;
  const annotation = get('annotation');
  if (annotation) system.Description = annotation;
  const b = new PackageBuilder(system);
  const fw = get('firmware')?.trim().toLowerCase();
  if (fw === 'efi' || fw === 'bios') b.firmware(fw);
  else if (fw !== undefined)
    warnings.add('FIRMWARE', `firmware "${fw.slice(0, 40)}" is neither bios nor efi; ignored`);
  b.cpus(
    get('numvcpus') === undefined
      ? 1
      : readSmallNumber(get('numvcpus'), 'numvcpus', 1, LIMITS.cpus, at('numvcpus')),
  );
  const mem =
    get('memsize') === undefined
      ? 32n
      : readWholeNumber(get('memsize'), 'memsize (MB)', 1n, LIMITS.memoryBytes >> 20n, at('memsize'));
  b.memory(mem << 20n);
  const boot: { id: string; cls: VmxBootClass }[] = [];
  readStorage(vmx, b, boot, warnings, file);
  readNics(vmx, b, boot, at, warnings);
  for (let n = 0; n < 4; n++) {
    if (!yes(get(`serial${n}.present`))) continue;
    const type = (get(`serial${n}.fileType`) ?? 'file').toLowerCase();
    b.serial(['file', 'pipe', 'network', 'device'].includes(type) ? get(`serial${n}.fileName`) : undefined);
  }
  if (get('svga.present') === undefined || yes(get('svga.present'))) b.graphics();
  if (yes(get('usb.present')) || yes(get('ehci.present')) || yes(get('usb_xhci.present'))) b.usb();
  if (yes(get('sound.present')))
    warnings.add('DEVICE', 'The sound card (sound.present) has no place in the definition; dropped');
  for (let n = 0; n < 3; n++) {
    if (yes(get(`parallel${n}.present`)))
      warnings.add('DEVICE', `Parallel port parallel${n} has no place in the definition; dropped`);
  }
  const order = get('bios.bootOrder');
  if (order !== undefined) b.bootOrder(idsOfClasses(bootClasses(order, warnings), boot));
  const guest = get('guestOS');
  return b.build(guest === undefined ? undefined : guestOsFromVmx(guest));
}

function bootClasses(order: string, warnings: Warnings): VmxBootClass[] {
  const out: VmxBootClass[] = [];
  for (const w of order
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((x) => x !== '')) {
    if (BOOT_CLASSES.includes(w)) out.push(w as VmxBootClass);
    else
      warnings.add(
        'BOOT_ORDER',
        `bios.bootOrder names "${w.slice(0, 20)}", which is no device class; ignored`,
      );
  }
  return out;
}

/** `uuid.bios = "56 4d 12 ... 9a-bc ..."` as an 8-4-4-4-12 UUID. */
function uuidFromBios(text: string | undefined): string | undefined {
  const hex = (text ?? '').replace(/[\s-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const DEVICE = /^(ide|scsi|sata|nvme)(\d+):(\d+)\.present$/;

function readStorage(
  vmx: VmxDict,
  b: PackageBuilder,
  boot: { id: string; cls: VmxBootClass }[],
  warnings: Warnings,
  file: string | undefined,
): void {
  const get = (k: string) => vmx.get(k.toLowerCase())?.value;
  const controllers = new Map<string, { id: string; kind: ControllerKind }>();
  const controller = (prefix: string, n: number) => {
    const key = `${prefix}${n}`;
    let c = controllers.get(key);
    if (c === undefined) {
      const kind =
        prefix === 'scsi' ? scsiKind(key, get(`${key}.virtualDev`), warnings) : VMX_WORDS.controller(prefix)!;
      c = { id: b.controller(kind, n), kind };
      controllers.set(key, c);
    }
    return c;
  };
  for (const prefix of ['scsi', 'sata', 'nvme'] as const) {
    for (let n = 0; n < 4; n++) if (yes(get(`${prefix}${n}.present`))) controller(prefix, n);
  }
  const devices = [...vmx.values()]
    .map((e) => ({ e, m: DEVICE.exec(e.key.toLowerCase()) }))
    .filter((x) => x.m !== null && yes(x.e.value))
    .sort((x, y) => x.e.line - y.e.line);
  if (devices.length > LIMITS.devices) {
    throw new FormatError('FORMAT_TOO_LARGE', `The vmx file has ${devices.length} drives`, {
      location: { file },
    });
  }
  for (const { e, m } of devices) {
    const prefix = m![1]!;
    const where = { file, line: e.line };
    const n = readSmallNumber(m![2], `${prefix} controller number`, 0, VMX_CONTROLLERS[prefix]! - 1, where);
    const ctl = controller(prefix, n);
    const slots = VMX_SLOTS.slots(ctl.kind) ?? 1;
    const unit = readSmallNumber(
      m![3],
      `${prefix}${n} unit (${CONTROLLERS[ctl.kind].name})`,
      0,
      slots - 1,
      where,
    );
    const dev = `${prefix}${n}:${unit}`;
    if (prefix !== 'ide' && !yes(get(`${prefix}${n}.present`))) {
      warnings.add('CONTROLLER', `${dev} is present but ${prefix}${n} is not; read as present`);
    }
    const type = (get(`${dev}.deviceType`) ?? '').toLowerCase();
    const name = get(`${dev}.fileName`);
    if (type.includes('cdrom')) {
      const image = type === 'cdrom-image' && name ? checkImagePath(name, `${dev}.fileName`) : undefined;
      boot.push({ id: b.cdrom(ctl.id, unit, image), cls: 'cdrom' });
    } else if (name === undefined) {
      warnings.add('DEVICE', `${dev} has no fileName; dropped`);
    } else {
      const capacity = get(`${VMX_CAPACITY_PREFIX}${dev}`);
      const id = b.disk(ctl.id, unit, {
        file: checkImagePath(name, `${dev}.fileName`),
        capacityBytes:
          capacity === undefined
            ? undefined
            : readWholeNumber(capacity, `${VMX_CAPACITY_PREFIX}${dev}`, 1n, LIMITS.diskBytes),
        format: formatFromName(name) ?? 'vmdk',
      });
      boot.push({ id, cls: 'hdd' });
    }
  }
  for (let n = 0; n < 2; n++) {
    const present = get(`floppy${n}.present`);
    const name = get(`floppy${n}.fileName`);
    if (present !== undefined ? !yes(present) : name === undefined) continue;
    const isFile = (get(`floppy${n}.fileType`) ?? 'file').toLowerCase() === 'file';
    const id = b.floppy(isFile && name ? checkImagePath(name, `floppy${n}.fileName`) : undefined);
    boot.push({ id, cls: 'floppy' });
  }
}

/** The kind a `scsiN.virtualDev` names; an unknown or missing one is read as LSI Logic (reported when unknown). */
function scsiKind(key: string, dev: string | undefined, warnings: Warnings): ControllerKind {
  const kind = VMX_WORDS.controller(dev ?? 'lsilogic');
  if (kind !== undefined && CONTROLLERS[kind].bus === 'scsi') return kind;
  warnings.add(
    'CONTROLLER',
    `${key}.virtualDev "${(dev ?? '').slice(0, 40)}" is not a SCSI model Vessel knows; read as lsilogic`,
  );
  return 'lsilogic';
}

function readNics(
  vmx: VmxDict,
  b: PackageBuilder,
  boot: { id: string; cls: VmxBootClass }[],
  at: (k: string) => { file?: string | undefined; line?: number | undefined },
  warnings: Warnings,
): void {
  const get = (k: string) => vmx.get(k.toLowerCase())?.value;
  for (let n = 0; n < 10; n++) {
    const p = `ethernet${n}`;
    if (!yes(get(`${p}.present`))) continue;
    const dev = get(`${p}.virtualDev`) ?? 'e1000';
    const model = VMX_WORDS.nic(dev);
    if (model === undefined)
      warnings.add(
        'NIC_MODEL',
        `${p}.virtualDev "${dev.slice(0, 40)}" is not a NIC model Vessel knows; kept as written`,
      );
    const network = get(`${p}.networkName`) ?? get(`${p}.connectionType`);
    const type = (get(`${p}.addressType`) ?? 'generated').toLowerCase();
    const macText = type === 'static' ? get(`${p}.address`) : get(`${p}.generatedAddress`);
    const mac = macText === undefined ? undefined : normalizeMac(macText);
    if (macText !== undefined && mac === undefined) {
      throw new FormatError('FORMAT_INVALID', `${p} MAC address "${macText}" is not a MAC address`, {
        location: at(`${p}.address`),
      });
    }
    boot.push({ id: b.nic(model, network, mac, model === undefined ? dev : undefined), cls: 'ethernet' });
  }
}
