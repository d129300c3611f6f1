import {
  CONTROLLERS,
  type ControllerKind,
  firmwareOf,
  type NicModel,
  preferred,
  readDevices,
  type VirtualSystemDefinition,
} from '../model/index.js';
import type { DriverCapabilities } from './capabilities.js';
import type { DriverDiagnostic } from './types.js';
import { systemLocation } from './validate.js';

/**
 * What a definition asks that `caps` does not list, read through the model's device view: its firmware, a storage
 * controller kind (USB host controllers are not storage), a NIC model, a drive kind. A producer's list of alternatives (`virtio lsilogic`) is fine when
 * the driver has one of them; a subtype the model cannot name is refused. A driver whose `validate` is
 * table-driven (the test driver; QEMU's device checks) refuses exactly these, so its capabilities and what it
 * accepts cannot drift apart.
 *
 * @example
 * capabilityProblems(def, await driver.capabilities()); // [] when the driver lists everything def uses
 */
export function capabilityProblems(
  def: VirtualSystemDefinition,
  caps: Pick<DriverCapabilities, 'driver' | 'firmware' | 'devices'>,
): DriverDiagnostic[] {
  const out: DriverDiagnostic[] = [];
  const at = systemLocation(def);
  const add = (item: string, message: string, hint: string) =>
    out.push({ code: 'NOT_SUPPORTED', severity: 'error', location: `${at} item "${item}"`, message, hint });
  const { firmware, finding } = firmwareOf(def.system);
  if (finding?.severity === 'error' || !caps.firmware.includes(firmware ?? 'bios')) {
    out.push({
      code: 'NOT_SUPPORTED',
      severity: 'error',
      location: at,
      message:
        finding?.severity === 'error'
          ? finding.message
          : `Firmware "${firmware}" is not available with ${caps.driver.uri}`,
      hint: `Available: ${caps.firmware.join(', ')}`,
    });
  }
  const view = readDevices(def);
  const listed = (k: ControllerKind) => caps.devices.controllers.some((x) => x.kind === k);
  // Storage controllers; USB host controllers hold no drives here and are not among them.
  for (const c of view.controllers.filter((x) => x.kind !== 'usb')) {
    const kind = c.certainty === 'guessed' ? undefined : preferred(c.kinds, listed);
    if (kind !== undefined) continue;
    const what =
      c.certainty === 'guessed'
        ? `subtype "${(c.subType ?? '').slice(0, 60)}"`
        : `${c.kinds.map((k) => CONTROLLERS[k].name).join(' or ')} controllers`;
    add(
      c.instanceId,
      `Controller "${c.instanceId}": ${what} is not available`,
      `Available controllers: ${caps.devices.controllers.map((x) => x.kind).join(', ')}`,
    );
  }
  const models = (m: NicModel) => caps.devices.nicModels.includes(m);
  for (const n of view.nics) {
    if (n.certainty === 'defaulted' || preferred(n.models, models) !== undefined) continue;
    add(
      n.instanceId,
      `NIC "${n.instanceId}": model "${(n.subType ?? '').slice(0, 60)}" is not available`,
      `Available models: ${caps.devices.nicModels.join(', ')}`,
    );
  }
  for (const d of view.drives) {
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
