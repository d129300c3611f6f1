import type { VirtualSystemDefinition } from '../../model/index.js';
import { CimError } from '../errors.js';
import { keptOut } from '../jobs.js';
import { rasdFromRequest, vssdFromInstance, vssdInstance } from '../mapping.js';
import { C, systemPath } from '../naming.js';
import type { CimContext, MethodResult } from '../provider.js';
import { type ProviderEnv, waitOf } from '../providers/env.js';
import { answerJob } from './answer.js';
import { applyMetadata } from './metadata.js';
import { many, one, type Params, ref, systemNamed, systemOfSetting, VSSD_CLASSES } from './params.js';
import {
  addResourceSettings,
  assignIds,
  modifyResourceSettings,
  removeResourceSettings,
} from './resources.js';
import { checkSystemValues } from './system-values.js';

/**
 * The methods of the virtual system management service (DSP1042 §8.2), each one Api call of the caller's session
 * (`systems.define`, `undefine`, `modifySettings`, `addResources`, `modifyResources`, `removeResources`): all or
 * nothing, answered 0 when its job completed within the call's wait, 4096 with the job when it still runs, and the
 * Api's error through the one table otherwise. CIM only reads the embedded instances and names the results.
 */

/** DefineSystem (DSP1042 §8.2.2): SystemSettings + ResourceSettings, optionally cloned from ReferenceConfiguration. */
async function defineSystem(env: ProviderEnv, ctx: CimContext, params: Params): Promise<MethodResult> {
  const system = vssdFromInstance(one(params, 'SystemSettings'));
  const { Metadata: metadata, MetadataTag: _, ...settings } = system;
  if (metadata !== undefined && metadata.length > 0)
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      'DefineSystem takes no Metadata: set it with ModifySystemSettings once the system is defined',
    );
  await checkSystemValues(env, ctx, settings);
  const resources = many(params, 'ResourceSettings', false).map((r) => rasdFromRequest(r));
  let base: VirtualSystemDefinition = { system: {}, resources: [] };
  if (params.ReferenceConfiguration !== undefined) {
    const refConf = ref(params, 'ReferenceConfiguration', VSSD_CLASSES, "a virtual system's settings");
    const from = await systemOfSetting(env, ctx, refConf.keys.InstanceID as string | undefined, 'VSSD');
    base = structuredClone(from.system.definition);
    delete base.system.VirtualSystemIdentifier;
  }
  assignIds(base.resources, resources);
  const def: VirtualSystemDefinition = {
    system: { ...base.system, ...settings },
    resources: [...base.resources, ...resources],
  };
  return answerJob(
    'DefineSystem',
    () => env.api(ctx).systems.define(def, { waitMs: waitOf(env, ctx) }),
    (s) => ({ ResultingSystem: systemPath(s.name) }),
  );
}

/** DestroySystem (DSP1042 §8.2.3): powers the system off when it is active, then removes its definition. */
async function destroySystem(env: ProviderEnv, ctx: CimContext, params: Params): Promise<MethodResult> {
  const target = ref(params, 'AffectedSystem', [C.system], 'a virtual system');
  const system = await systemNamed(env, ctx, target.keys.Name as string | undefined);
  return answerJob(
    'DestroySystem',
    () => env.api(ctx).systems.undefine(system.uuid, { powerOff: true, waitMs: waitOf(env, ctx) }),
    () => ({}),
  );
}

/**
 * Vessel_VirtualSystemManagementService.DestroySystemKeepingDisks (a Vessel extension): DestroySystem that keeps
 * the guest's disks (the Api's undefine with keepDisks), naming them in the Kept arrays (keptOut, src/cim/jobs.ts).
 */
async function destroySystemKeepingDisks(
  env: ProviderEnv,
  ctx: CimContext,
  params: Params,
): Promise<MethodResult> {
  const target = ref(params, 'AffectedSystem', [C.system], 'a virtual system');
  const system = await systemNamed(env, ctx, target.keys.Name as string | undefined);
  return answerJob(
    'DestroySystem',
    () =>
      env
        .api(ctx)
        .systems.undefine(system.uuid, { powerOff: true, keepDisks: true, waitMs: waitOf(env, ctx) }),
    (r) => keptOut(r),
  );
}

/**
 * ModifySystemSettings (DSP1042 §8.2.5): the VSSD named by InstanceID takes the given non-NULL properties. Vessel's
 * Metadata (with MetadataTag, if given) is the system's metadata: only the keys that differ are set or removed,
 * through the Api's systems.setMetadata (methods/metadata.ts); the other properties change the settings.
 */
async function modifySystemSettings(
  env: ProviderEnv,
  ctx: CimContext,
  params: Params,
): Promise<MethodResult> {
  const inst = one(params, 'SystemSettings');
  const id = inst.properties.InstanceID as string | undefined;
  const { system } = await systemOfSetting(env, ctx, id, 'VSSD');
  const { Metadata: given, MetadataTag: tag, ...changes } = vssdFromInstance(inst);
  // MetadataTag guards a change of Metadata; alone it asks for none (WS-Man has no empty array: it omits one).
  const metadata = given ?? (tag === undefined ? undefined : []);
  await checkSystemValues(env, ctx, changes, system.definition.system);
  const uuid = changes.VirtualSystemIdentifier;
  if (uuid !== undefined && uuid.toLowerCase() !== system.uuid.toLowerCase())
    throw new CimError('CIM_ERR_INVALID_PARAMETER', 'VirtualSystemIdentifier (the UUID) cannot be changed');
  // The name is the system's key and the host keeps it for the life of the system (ElementNameEditSupported = false).
  if (changes.ElementName !== undefined && changes.ElementName !== system.name)
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `Cannot rename "${system.name}" to "${changes.ElementName}": names cannot be changed`,
    );
  if (metadata !== undefined) {
    // Metadata changes alone (all or nothing): other properties may come along (a whole instance read back) only
    // with the values they have.
    const now = vssdInstance(system).properties;
    const differing = Object.keys(changes).filter(
      (k) => JSON.stringify(changes[k]) !== JSON.stringify(now[k]),
    );
    if (differing.length > 0)
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        `Change Metadata alone, or ${differing.slice(0, 3).join(', ')} without Metadata: ModifySystemSettings changes one or the other`,
      );
    await applyMetadata(env, ctx, system, metadata, tag);
    return { returnValue: 0, out: {} };
  }
  return answerJob(
    'ModifySystemSettings',
    () =>
      env.api(ctx).systems.modifySettings(system.uuid, changes, { waitMs: waitOf(env, ctx), live: 'config' }),
    () => ({}),
  );
}

/** The VSMS methods by name. */
export const VSMS_METHODS: Record<
  string,
  (env: ProviderEnv, ctx: CimContext, params: Params) => Promise<MethodResult>
> = {
  DefineSystem: defineSystem,
  DestroySystem: destroySystem,
  DestroySystemKeepingDisks: destroySystemKeepingDisks,
  ModifySystemSettings: modifySystemSettings,
  AddResourceSettings: addResourceSettings,
  ModifyResourceSettings: modifyResourceSettings,
  RemoveResourceSettings: removeResourceSettings,
};
