import {
  type ControllerKind,
  FIRMWARE_PROPERTY,
  preferred,
  readHardware,
  type VirtualSystemDefinition,
} from '../model/index.js';
import type { DriverCapabilities } from './capabilities.js';
import type { DriverDiagnostic } from './types.js';
import { systemLocation } from './validate.js';

/**
 * What a definition asks that `caps` does not list: its firmware, a storage controller kind or subtype, a NIC
 * model, a drive kind. A driver whose `validate` is table-driven (the test driver) refuses exactly these, so its
 * capabilities and what it accepts cannot drift apart.
 *
 * @example
 * capabilityProblems(def, await driver.capabilities()); // [] when the driver lists everything def uses
 */
export function capabilityProblems(
  def: VirtualSystemDefinition,
  caps: DriverCapabilities,
): DriverDiagnostic[] {
  const out: DriverDiagnostic[] = [];
  const at = systemLocation(def);
  const add = (item: string, message: string, hint: string) =>
    out.push({ code: 'NOT_SUPPORTED', severity: 'error', location: `${at} item "${item}"`, message, hint });
  const fw = String(def.system[FIRMWARE_PROPERTY] ?? 'bios').toLowerCase();
  const firmware = fw === 'uefi' ? 'efi' : fw;
  if (!(caps.firmware as readonly string[]).includes(firmware)) {
    out.push({
      code: 'NOT_SUPPORTED',
      severity: 'error',
      location: at,
      message: `Firmware "${fw}" is not available with ${caps.driver.uri}`,
      hint: `Available: ${caps.firmware.join(', ')}`,
    });
  }
  const hw = readHardware(def.resources);
  for (const c of hw.controllers) {
    // The model's classification decides the kind (a producer's list of alternatives: the first the driver has).
    const listed = (k: ControllerKind) => caps.devices.controllers.some((x) => x.kind === k);
    const kind = c.certainty === 'guessed' ? undefined : preferred(c.kinds, listed);
    if (kind === undefined) {
      const what = c.subType ? `${c.kind} subtype "${c.subType}"` : `${c.kind} controllers`;
      add(
        c.instanceId,
        `Controller "${c.instanceId}": ${what} is not available`,
        `Available controllers: ${caps.devices.controllers.map((x) => x.kind).join(', ')}`,
      );
    }
  }
  for (const n of hw.nics) {
    const model = (n.subType ?? '').toLowerCase();
    if (model !== '' && !caps.devices.nicModels.includes(model)) {
      add(
        n.instanceId,
        `NIC "${n.instanceId}": model "${n.subType}" is not available`,
        `Known models: ${caps.devices.nicModels.join(', ')}`,
      );
    }
  }
  for (const d of hw.drives) {
    if (!caps.devices.driveKinds.includes(d.kind)) {
      add(
        d.instanceId,
        `Drive "${d.instanceId}": ${d.kind} drives are not available`,
        'See the driver capabilities',
      );
    }
  }
  return out;
}
