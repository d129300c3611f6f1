import type { ResourceChange, SystemDetail } from '../../api/index.js';
import type { ResourceSetting } from '../../model/index.js';
import { CimError } from '../errors.js';
import { CLASS_OF, localId, rasdFromRequest } from '../mapping.js';
import { idPath, rasdId } from '../naming.js';
import type { CimContext, MethodResult } from '../provider.js';
import { type ProviderEnv, waitOf } from '../providers/env.js';
import type { CimInstanceName } from '../types.js';
import { answerJob } from './answer.js';
import { many, type Params, RASD_CLASSES, ref, refs, systemOfSetting, VSSD_CLASSES } from './params.js';

/**
 * The resource methods of DSP1042 (§8.2.1, §8.2.4, §8.2.6) as the Api's `addResources`, `modifyResources` and
 * `removeResources` of one system: all or nothing, a running system's devices hot-plugged where the host can.
 */

/**
 * Gives resources without an InstanceID, or with one already taken, the next free whole number (a client that
 * copies an existing RASD, or a template, sends its InstanceID along). Changes `added` in place.
 *
 * @example
 * assignIds(system.definition.resources, added); // added[i].properties.InstanceID set
 */
export function assignIds(existing: readonly ResourceSetting[], added: ResourceSetting[]): void {
  const taken = new Set(existing.map((r, i) => localId(r, i)));
  let next = 1;
  for (const r of [...existing, ...added]) {
    const n = Number(r.properties.InstanceID);
    if (Number.isInteger(n) && n >= next) next = n + 1;
  }
  for (const r of added) {
    if (r.properties.InstanceID === undefined || taken.has(r.properties.InstanceID))
      r.properties.InstanceID = String(next++);
    taken.add(r.properties.InstanceID);
  }
}

/** The path of a system's RASD with this InstanceID, in the class its model class has. */
function rasdPath(system: string, r: ResourceSetting | undefined, id: string): CimInstanceName {
  return idPath(CLASS_OF[r?.cimClass ?? 'CIM_ResourceAllocationSettingData'], rasdId(system, id));
}

/** The one system that RASD InstanceIDs name, each checked to exist (CIM_ERR_NOT_FOUND otherwise). */
async function systemOfRasds(
  env: ProviderEnv,
  ctx: CimContext,
  ids: Array<string | undefined>,
): Promise<{ system: SystemDetail; localIds: string[] }> {
  let system: SystemDetail | undefined;
  const localIds: string[] = [];
  for (const id of ids) {
    const found = await systemOfSetting(env, ctx, id, 'RASD');
    if (system !== undefined && found.system.uuid !== system.uuid)
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        `The resource settings belong to more than one virtual system ("${system.name}", "${found.system.name}"); change one system per call`,
      );
    system = found.system;
    if (!system.definition.resources.some((r, i) => localId(r, i) === found.localId))
      throw new CimError('CIM_ERR_NOT_FOUND', `No resource setting "${id}"`);
    localIds.push(found.localId!);
  }
  if (system === undefined) throw new CimError('CIM_ERR_INVALID_PARAMETER', 'ResourceSettings is empty');
  return { system, localIds };
}

/**
 * AddResourceSettings (DSP1042 §8.2.1): to a stopped system's definition, or hot-plugged into a running one. The
 * InstanceIDs are chosen on the definition read (its etag), so a change made in between fails rather than clash.
 */
export async function addResourceSettings(
  env: ProviderEnv,
  ctx: CimContext,
  params: Params,
): Promise<MethodResult> {
  const conf = ref(params, 'AffectedConfiguration', VSSD_CLASSES, "a virtual system's settings");
  const { system } = await systemOfSetting(env, ctx, conf.keys.InstanceID as string | undefined, 'VSSD');
  const added = many(params, 'ResourceSettings', true).map((r) => rasdFromRequest(r));
  if (added.length === 0) throw new CimError('CIM_ERR_INVALID_PARAMETER', 'ResourceSettings is empty');
  assignIds(system.definition.resources, added);
  return answerJob(
    'AddResourceSettings',
    () =>
      env.api(ctx).systems.addResources(system.uuid, added, {
        waitMs: waitOf(env, ctx),
        live: 'auto',
        ifMatch: system.etag,
      }),
    (r) => ({
      ResultingResourceSettings: r.instanceIds.map((id, i) => rasdPath(system.name, added[i], id)),
    }),
  );
}

/** ModifyResourceSettings (DSP1042 §8.2.4): each RASD named by InstanceID takes the given non-NULL properties. */
export async function modifyResourceSettings(
  env: ProviderEnv,
  ctx: CimContext,
  params: Params,
): Promise<MethodResult> {
  const list = many(params, 'ResourceSettings', true);
  const { system, localIds } = await systemOfRasds(
    env,
    ctx,
    list.map((r) => r.properties.InstanceID as string | undefined),
  );
  const byId = new Map(system.definition.resources.map((r, i) => [localId(r, i), r]));
  const changes: ResourceChange[] = list.map((inst, i) => {
    const stored = byId.get(localIds[i]!)!;
    const { cimClass, properties: given } = rasdFromRequest(inst, stored);
    // The embedded instance is of the RASD's own class or of the generic base class, never another kind.
    if (cimClass !== 'CIM_ResourceAllocationSettingData' && cimClass !== stored.cimClass)
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        `ResourceSettings[${i}] is a ${inst.className}, but "${String(inst.properties.InstanceID)}" is a ${CLASS_OF[stored.cimClass]}`,
      );
    const { InstanceID: _id, ...properties } = given;
    return { instanceId: localIds[i]!, properties };
  });
  return answerJob(
    'ModifyResourceSettings',
    () => env.api(ctx).systems.modifyResources(system.uuid, changes, { waitMs: waitOf(env, ctx) }),
    (r) => ({
      ResultingResourceSettings: r.instanceIds.map((id) => rasdPath(system.name, byId.get(id), id)),
    }),
  );
}

/** RemoveResourceSettings (DSP1042 §8.2.6): from a stopped system's definition, or hot-unplugged. */
export async function removeResourceSettings(
  env: ProviderEnv,
  ctx: CimContext,
  params: Params,
): Promise<MethodResult> {
  const list = refs(params, 'ResourceSettings', RASD_CLASSES, 'a resource allocation setting');
  const { system, localIds } = await systemOfRasds(
    env,
    ctx,
    list.map((r) => r.keys.InstanceID as string | undefined),
  );
  return answerJob(
    'RemoveResourceSettings',
    () =>
      env.api(ctx).systems.removeResources(system.uuid, localIds, { waitMs: waitOf(env, ctx), live: 'auto' }),
    () => ({}),
  );
}
