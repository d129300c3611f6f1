import { type DefinitionProblem, problem } from '../problems.js';
import type { VssdProperties } from '../settings.js';
import type { DeviceView, DriveDevice, NicDevice } from './device-view.js';
import type { BootOrder, Firmware } from './vocabulary.js';

/**
 * Firmware and boot order, read once for every driver and writer: the VSSD `Firmware` and `BootOrder` properties
 * (Vessel extensions; CIM's VSSD has neither).
 */

/** The VSSD property Vessel reads the firmware from (`bios` or `efi`); a Vessel extension, as CIM has none. */
export const FIRMWARE_PROPERTY = 'Firmware';

/** The VSSD property that lists the boot devices, first first (InstanceIDs of drives and NICs). */
export const BOOT_ORDER_PROPERTY = 'BootOrder';

/**
 * The VSSD Firmware: `bios` or `efi` (any case); `uefi` is read as efi with a warning; anything else is an
 * INVALID_VALUE error. Absent or empty: undefined (the driver's default, BIOS).
 *
 * @example
 * firmwareOf({ Firmware: 'EFI' }); // { firmware: 'efi' }
 */
export function firmwareOf(system: VssdProperties): {
  firmware: Firmware | undefined;
  finding?: DefinitionProblem;
} {
  const value = system[FIRMWARE_PROPERTY];
  if (value === undefined) return { firmware: undefined };
  const text = Array.isArray(value) ? undefined : value.trim().toLowerCase();
  if (text === '') return { firmware: undefined };
  if (text === 'bios' || text === 'efi') return { firmware: text };
  if (text === 'uefi') {
    return {
      firmware: 'efi',
      finding: problem('warning', 'INVALID_VALUE', 'Firmware "uefi" is read as efi', undefined, 'Write efi'),
    };
  }
  const shown = Array.isArray(value) ? value.join(', ') : value;
  return {
    firmware: undefined,
    finding: problem(
      'error',
      'INVALID_VALUE',
      `Firmware "${shown.slice(0, 40)}" is neither bios nor efi`,
      undefined,
      'Use bios or efi',
    ),
  };
}

/** The VSSD BootOrder as written: a list of InstanceIDs (a lone string is one id), blanks left out. */
export function bootOrderIds(system: VssdProperties): BootOrder {
  const value = system[BOOT_ORDER_PROPERTY];
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((id) => id.trim()).filter((id) => id !== '');
}

/** Disks in definition order, then CDs/DVDs: the boot order when the definition gives none. */
export function defaultBootOrder(view: DeviceView): readonly DriveDevice[] {
  return [...view.drives.filter((d) => d.kind === 'disk'), ...view.drives.filter((d) => d.kind === 'cdrom')];
}

/** BootOrder resolved against the view, with a warning for each id that is unknown, not bootable or repeated. */
export function resolveBootOrder(view: Pick<DeviceView, 'system' | 'byId'>): {
  devices: (DriveDevice | NicDevice)[];
  findings: DefinitionProblem[];
} {
  const devices: (DriveDevice | NicDevice)[] = [];
  const findings: DefinitionProblem[] = [];
  const seen = new Set<string>();
  for (const id of view.system.bootOrder) {
    const d = view.byId(id);
    const shown = id.slice(0, 40);
    if (seen.has(id)) {
      findings.push(
        problem('warning', 'CONTRADICTORY', `BootOrder names "${shown}" twice; the first counts`),
      );
      continue;
    }
    seen.add(id);
    if (d === undefined) {
      findings.push(
        problem('warning', 'IGNORED', `BootOrder names "${shown}", which is no device of this definition`),
      );
    } else if (d.device !== 'drive' && d.device !== 'nic') {
      findings.push(
        problem(
          'warning',
          'IGNORED',
          `BootOrder names "${shown}", which is not a drive or NIC`,
          d.instanceId,
        ),
      );
    } else devices.push(d);
  }
  return { devices, findings };
}

/**
 * The devices to boot from, first first: the VSSD BootOrder's drives and NICs (ids that name none are left out),
 * or {@link defaultBootOrder} when it names none.
 *
 * @example
 * bootOrderOf(readDevices(def)).map((d) => d.instanceId); // ['cd1', 'disk1']
 */
export function bootOrderOf(view: DeviceView): readonly (DriveDevice | NicDevice)[] {
  const { devices } = resolveBootOrder(view);
  return devices.length > 0 ? devices : defaultBootOrder(view);
}
