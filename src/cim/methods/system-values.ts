import type { Capabilities } from '../../api/index.js';
import type { VssdProperties } from '../../model/index.js';
import { CimError } from '../errors.js';
import type { CimContext } from '../provider.js';
import type { ProviderEnv } from '../providers/env.js';
import { capabilitiesOf } from '../snapshot.js';

/**
 * The VSSD values DefineSystem and ModifySystemSettings check against what the host offers (DSP1042 §7.2.1:
 * VirtualSystemType is one of the capabilities' VirtualSystemTypesSupported), before anything reaches the Api.
 */

/**
 * The VirtualSystemType values the host runs: those of its machine types (the VSMS capabilities'
 * VirtualSystemTypesSupported).
 *
 * @example
 * virtualSystemTypes(await api.host.capabilities()); // ['vessel-qemu', 'vessel-q35']
 */
export function virtualSystemTypes(caps: Capabilities): string[] {
  return [...new Set(caps.machineTypes.flatMap((m) => m.virtualSystemTypes))];
}

/**
 * The AutomaticStartupAction values the host honours (CIM_VirtualSystemSettingData ValueMap: 2 None, 3 Restart if
 * previously active, 4 Always startup): only 2, as no host starts systems by itself yet.
 */
export const AUTOMATIC_STARTUP_ACTIONS: readonly string[] = ['2'];

/**
 * Refuses (CIM_ERR_INVALID_PARAMETER) a VirtualSystemType or AutomaticStartupAction the host does not offer. A value
 * equal to the system's `current` one passes, so a client that sends a deployed system's VSSD back (a `vmx-07`
 * from its OVF, say) with one property changed is not refused for what it did not change.
 *
 * @example
 * await checkSystemValues(env, ctx, { VirtualSystemType: 'Xen' }); // throws: not one of vessel-qemu, vessel-q35
 */
export async function checkSystemValues(
  env: ProviderEnv,
  ctx: CimContext,
  given: VssdProperties,
  current: VssdProperties = {},
): Promise<void> {
  const type = given.VirtualSystemType;
  if (type !== undefined && type !== current.VirtualSystemType) {
    const types = virtualSystemTypes(await capabilitiesOf(ctx, env));
    if (!types.includes(type))
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        `VirtualSystemType "${type}" is not one this host runs (VirtualSystemTypesSupported: ${types.join(', ')})`,
      );
  }
  const action = given.AutomaticStartupAction;
  if (
    action !== undefined &&
    action !== current.AutomaticStartupAction &&
    !AUTOMATIC_STARTUP_ACTIONS.includes(action)
  )
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `AutomaticStartupAction ${action} is not offered: this host starts no system by itself (${AUTOMATIC_STARTUP_ACTIONS.join(', ')} None only)`,
    );
}
