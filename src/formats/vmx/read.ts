import { FIRMWARE_PROPERTY, type VssdProperties } from '../../model/index.js';
import { PackageBuilder } from '../build.js';
import { type Bus, nicModelOf, type ScsiModel } from '../devices.js';
import { formatFromName } from '../disk-formats.js';
import { FormatError } from '../errors.js';
import { guestOsFromVmx } from '../guest-os.js';
import { checkImagePath } from '../paths.js';
import type { SystemPackage } from '../types.js';
import { colonMac, LIMITS, smallNumber, wholeNumber } from '../values.js';
import type { Warnings } from '../warnings.js';
import { parseVmxText, type VmxDict } from './text.js';

/** The vmx key Vessel writes a disk's capacity under (`vessel.capacity.scsi0:0`), as vmx files do not carry it (the VMDK does). */
export const VMX_CAPACITY_PREFIX = 'vessel.capacity.';

const SCSI_MODELS: Record<string, ScsiModel> = {
  lsilogic: 'lsilogic',
  buslogic: 'buslogic',
  lsisas1068: 'lsisas1068',
  pvscsi: 'pvscsi',
};

/**
 * Reads a VMware .vmx file as a {@link SystemPackage}: displayName, annotation, guestOS, firmware, numvcpus,
 * memsize (MiB), IDE/SCSI/SATA/NVMe controllers and their disks, CD/DVDs and floppies, ethernetN NICs, serial
 * ports, USB and SVGA (the key mapping libvirt's vmx driver documents). Wrong types and out-of-range values throw
 * `FORMAT_INVALID` with the line; a disk file name that climbs out of the folder throws `FORMAT_UNSAFE_PATH`.
 */
export function readVmx(input: string | Uint8Array, warnings: Warnings, file?: string): SystemPackage {
  const vmx = parseVmxText(input, file);
  const get = (k: string) => vmx.get(k.toLowerCase())?.value;
  const at = (k: string) => ({ file, line: vmx.get(k.toLowerCase())?.line });
  const isTrue = (k: string) => /^(true|yes|1)$/i.test(get(k) ?? '');
  const system: VssdProperties = { ElementName: get('displayName') ?? 'vm' };
  const hwVersion = get('virtualHW.version');
  if (hwVersion !== undefined) {
    const v = smallNumber(hwVersion, 'virtualHW.version', 3, 99, at('virtualHW.version'));
    system.VirtualSystemType = `vmx-${String(v).padStart(2, '0')}`;
  }
  const uuid = uuidFromBios(get('uuid.bios'));
  if (uuid) system.VirtualSystemIdentifier = uuid;
  const annotation = get('annotation');
  if (annotation) system.Description = annotation;
  const fw = get('firmware')?.toLowerCase();
  if (fw === 'efi' || fw === 'bios') system[FIRMWARE_PROPERTY] = fw;
  const b = new PackageBuilder(system);
  b.cpus(
    get('numvcpus') === undefined
      ? 1
      : smallNumber(get('numvcpus'), 'numvcpus', 1, LIMITS.cpus, at('numvcpus')),
  );
  const mem =
    get('memsize') === undefined
      ? 32n
      : wholeNumber(get('memsize'), 'memsize (MB)', 1n, LIMITS.memoryBytes >> 20n, at('memsize'));
  b.memory(mem << 20n);
  readStorage(vmx, b, warnings, file);
  readNics(vmx, b, at);
  for (let n = 0; n < 4; n++) {
    if (!isTrue(`serial${n}.present`)) continue;
    b.serial(get(`serial${n}.fileName`));
  }
  if (get('svga.present') === undefined || isTrue('svga.present')) b.graphics();
  if (isTrue('usb.present') || isTrue('ehci.present') || isTrue('usb_xhci.present')) b.usb();
  if (isTrue('sound.present'))
    warnings.add('DEVICE', 'The sound card (sound.present) has no place in the definition; dropped');
  for (let n = 0; n < 3; n++) {
    if (isTrue(`parallel${n}.present`))
      warnings.add('DEVICE', `Parallel port parallel${n} has no place in the definition; dropped`);
  }
  const guest = get('guestOS');
  return b.build(guest === undefined ? undefined : guestOsFromVmx(guest));
}

/** `uuid.bios = "56 4d 12 ... 9a-bc ..."` as an 8-4-4-4-12 UUID. */
function uuidFromBios(text: string | undefined): string | undefined {
  const hex = (text ?? '').replace(/[\s-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const DEVICE = /^(ide|scsi|sata|nvme)(\d+):(\d+)\.present$/;

function readStorage(vmx: VmxDict, b: PackageBuilder, warnings: Warnings, file: string | undefined): void {
  const get = (k: string) => vmx.get(k.toLowerCase())?.value;
  const isTrue = (k: string) => /^(true|yes|1)$/i.test(get(k) ?? '');
  const controllers = new Map<string, string>();
  const controller = (bus: Bus, n: number): string => {
    const key = `${bus}${n}`;
    let id = controllers.get(key);
    if (id === undefined) {
      const dev = (get(`${key}.virtualDev`) ?? 'lsilogic').toLowerCase();
      const model = bus === 'scsi' ? SCSI_MODELS[dev] : undefined;
      if (bus === 'scsi' && model === undefined) {
        warnings.add(
          'CONTROLLER',
          `${key}.virtualDev "${dev}" is not a SCSI model Vessel knows; read as lsilogic`,
        );
      }
      id = b.controller(bus, model ?? (bus === 'scsi' ? 'lsilogic' : undefined), n);
      controllers.set(key, id);
    }
    return id;
  };
  for (const bus of ['scsi', 'sata', 'nvme'] as const) {
    for (let n = 0; n < 4; n++) if (isTrue(`${bus}${n}.present`)) controller(bus, n);
  }
  const devices = [...vmx.values()]
    .map((e) => ({ e, m: DEVICE.exec(e.key.toLowerCase()) }))
    .filter((x) => x.m !== null && /^(true|yes|1)$/i.test(x.e.value))
    .sort((x, y) => x.e.line - y.e.line);
  if (devices.length > LIMITS.devices) {
    throw new FormatError('FORMAT_TOO_LARGE', `The vmx file has ${devices.length} drives`, {
      location: { file },
    });
  }
  for (const { e, m } of devices) {
    const bus = m![1] as Bus;
    const n = smallNumber(m![2], `${bus} controller number`, 0, bus === 'ide' ? 1 : 3, {
      file,
      line: e.line,
    });
    const unit = smallNumber(
      m![3],
      `${bus}${n} unit`,
      0,
      bus === 'sata' ? 29 : bus === 'nvme' ? 63 : bus === 'ide' ? 1 : 15,
      { file, line: e.line },
    );
    const dev = `${bus}${n}:${unit}`;
    if (bus !== 'ide' && !isTrue(`${bus}${n}.present`)) {
      warnings.add('CONTROLLER', `${dev} is present but ${bus}${n} is not; read as present`);
    }
    const ctl = controller(bus, n);
    const type = (get(`${dev}.deviceType`) ?? '').toLowerCase();
    const name = get(`${dev}.fileName`);
    const where = `${dev}.fileName`;
    if (type.includes('cdrom')) {
      const image = type === 'cdrom-image' && name ? checkImagePath(name, where) : undefined;
      b.cdrom(ctl, unit, image);
    } else if (name === undefined) {
      warnings.add('DEVICE', `${dev} has no fileName; dropped`);
    } else {
      const capacity = get(`${VMX_CAPACITY_PREFIX}${dev}`);
      b.disk(ctl, unit, {
        file: checkImagePath(name, where),
        capacityBytes:
          capacity === undefined
            ? undefined
            : wholeNumber(capacity, `${VMX_CAPACITY_PREFIX}${dev}`, 1n, LIMITS.diskBytes),
        format: formatFromName(name) ?? 'vmdk',
      });
    }
  }
  for (let n = 0; n < 2; n++) {
    const present = get(`floppy${n}.present`);
    const name = get(`floppy${n}.fileName`);
    if (present !== undefined ? !isTrue(`floppy${n}.present`) : name === undefined) continue;
    const isFile = (get(`floppy${n}.fileType`) ?? 'file').toLowerCase() === 'file';
    b.floppy(isFile && name ? checkImagePath(name, `floppy${n}.fileName`) : undefined);
  }
}

function readNics(
  vmx: VmxDict,
  b: PackageBuilder,
  at: (k: string) => { file?: string | undefined; line?: number | undefined },
): void {
  const get = (k: string) => vmx.get(k.toLowerCase())?.value;
  for (let n = 0; n < 10; n++) {
    const p = `ethernet${n}`;
    if (!/^(true|yes|1)$/i.test(get(`${p}.present`) ?? '')) continue;
    const dev = (get(`${p}.virtualDev`) ?? 'e1000').toLowerCase();
    const model = dev === 'vlance' ? 'pcnet' : nicModelOf(dev);
    const network = get(`${p}.networkName`) ?? get(`${p}.connectionType`);
    const type = (get(`${p}.addressType`) ?? 'generated').toLowerCase();
    const macText = type === 'static' ? get(`${p}.address`) : get(`${p}.generatedAddress`);
    const mac = colonMac(macText);
    if (macText !== undefined && mac === undefined) {
      throw new FormatError('FORMAT_INVALID', `${p} MAC address "${macText}" is not a MAC address`, {
        location: at(`${p}.address`),
      });
    }
    b.nic(model, network, mac, model === undefined ? dev : undefined);
  }
}
