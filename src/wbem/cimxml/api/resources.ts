import {
  ApiError,
  checkTransition,
  type EditOptions,
  type JobInfo,
  type ResourceChange,
  type ResourceResult,
  type SystemDetail,
  transitionRefusal,
} from '../../../api/index.js';
import { type CimInstance, type CimInstanceName, isInstanceName } from '../../../cim/index.js';
import type { ResourceSetting, VssdProperties } from '../../../model/index.js';
import { resourceInstance, type SettingsRead, settingsInstance } from './definitions.js';
import type { CallContext } from './errors.js';
import { etagOf, type Inventory, type Listed } from './inventory.js';
import type { ClientJobs } from './jobs.js';
import type { CimSession } from './session.js';

/**
 * Settings and resource changes over CIM-XML (DSP1042 §8.2.1, 8.2.4-8.2.6): ModifySystemSettings,
 * AddResourceSettings, ModifyResourceSettings, RemoveResourceSettings. Before anything is sent, the client checks
 * what it can: `ifMatch` against the etag of the definition as the host has it now (CIM has no conditional
 * change, so a change made between this read and the call is not detected), `live: 'config'` against the state,
 * and that every RASD named exists (all or nothing).
 */

/** What the change functions share with the systems namespace. */
interface EditContext {
  s: CimSession;
  inv: Inventory;
  jobs: ClientJobs;
}

interface Prepared {
  x: Listed;
  settings: SettingsRead;
  ctx: CallContext;
  applied: ResourceResult['applied'];
  refuse: (value: number) => ApiError | undefined;
}

async function prepare(e: EditContext, ref: string, o: EditOptions, verb: string): Promise<Prepared> {
  const x = await e.inv.find(ref);
  const { name, state } = x.summary;
  if (o.live === 'config') checkTransition(name, state, 'modify');
  const settings = await e.inv.settings(x);
  if (o.ifMatch !== undefined && o.ifMatch !== etagOf(settings.definition))
    throw new ApiError('CONFLICT', `"${name}" changed since ${o.ifMatch}`, {
      hint: 'Read it again and make the change from what it is now',
    });
  const ctx: CallContext = {
    what: `Cannot ${verb} "${name}"`,
    notFound: 'NOT_FOUND',
    invalid: 'DEFINITION_INVALID',
  };
  // 5 Invalid State: the host does not change this system in its state (DSP1042).
  const refuse = (value: number) =>
    value === 5
      ? new ApiError(
          'INVALID_STATE',
          transitionRefusal(name, state, 'modify') ??
            `${ctx.what}: ${e.s.where} refuses it while it is ${state}`,
          { detail: { domain: 'cim', code: 'InvalidState:5' } },
        )
      : undefined;
  return { x, settings, ctx, applied: state === 'stopped' ? 'config' : 'live', refuse };
}

function pathsOf(p: Prepared, ids: readonly string[]): CimInstanceName[] {
  return ids.map((id) => {
    const found = p.settings.rasds.find((r) => r.resource.properties.InstanceID === id);
    if (found === undefined)
      throw new ApiError('NOT_FOUND', `No resource "${id}" in "${p.x.summary.name}" on the host`, {
        detail: { domain: 'cim', code: 'RASD_NOT_FOUND' },
      });
    return found.path;
  });
}

/**
 * ModifySystemSettings with the VSSD's InstanceID and the changed properties.
 *
 * @example
 * await modifySettings(e, 'web1', { Description: 'front end' }, { waitMs: 5000 });
 */
export async function modifySettings(
  e: EditContext,
  ref: string,
  changes: VssdProperties,
  o: EditOptions,
): Promise<JobInfo<SystemDetail>> {
  const p = await prepare(e, ref, o, 'modify');
  const cls = await e.s.classOf(p.settings.vssd.className);
  if (cls === undefined)
    throw new ApiError(
      'PROTOCOL',
      `${e.s.where} does not declare ${p.settings.vssd.className}, the class of its own VSSD`,
    );
  const id = p.settings.vssd.path.keys.InstanceID;
  const inst = settingsInstance(
    e.s,
    cls,
    { ...changes, InstanceID: typeof id === 'string' ? id : undefined },
    p.ctx.what,
  );
  const vsms = await e.inv.service();
  const outcome = await e.s.call(p.ctx, (c) =>
    c.invokeMethod(
      vsms,
      'ModifySystemSettings',
      { SystemSettings: { type: 'string', embedded: true, value: inst } },
      e.s.lookup,
    ),
  );
  const uuid = p.x.summary.uuid;
  return e.jobs.start(
    {
      operation: 'modify',
      target: { kind: 'system', id: uuid, name: p.x.summary.name },
      ctx: p.ctx,
      method: 'ModifySystemSettings',
      outcome,
      result: async () => e.inv.detail(await e.inv.find(uuid)),
    },
    o.waitMs,
    p.refuse,
  );
}

/**
 * AddResourceSettings to the system's VSSD. The new RASDs' ids come from ResultingResourceSettings when the host
 * answers at once, else from the RASDs that were not there before.
 */
export async function addResources(
  e: EditContext,
  ref: string,
  add: readonly ResourceSetting[],
  o: EditOptions,
): Promise<JobInfo<ResourceResult>> {
  const p = await prepare(e, ref, o, 'add resources to');
  if (add.length === 0) throw new ApiError('INVALID_ARGUMENT', `${p.ctx.what}: no resource was given`);
  const instances: CimInstance[] = [];
  for (const r of add) instances.push(await resourceInstance(e.s, r, p.ctx.what));
  const vsms = await e.inv.service();
  const outcome = await e.s.call(p.ctx, (c) =>
    c.invokeMethod(
      vsms,
      'AddResourceSettings',
      {
        AffectedConfiguration: { type: 'reference', value: p.settings.vssd.path },
        ResourceSettings: { type: 'string', embedded: true, value: instances },
      },
      e.s.lookup,
    ),
  );
  const before = new Set(p.settings.rasds.map((r) => String(r.path.keys.InstanceID)));
  const resulting = outcome.out.ResultingResourceSettings;
  const named = new Set(
    (Array.isArray(resulting) ? resulting : resulting === undefined ? [] : [resulting])
      .filter(isInstanceName)
      .map((r) => String(r.keys.InstanceID)),
  );
  return e.jobs.start(
    {
      operation: 'modify',
      target: { kind: 'system', id: p.x.summary.uuid, name: p.x.summary.name },
      ctx: p.ctx,
      method: 'AddResourceSettings',
      outcome,
      result: async () => {
        const after = await e.inv.settings(await e.inv.find(p.x.summary.uuid));
        const added = after.rasds.filter((r) => {
          const id = String(r.path.keys.InstanceID);
          return named.size > 0 ? named.has(id) : !before.has(id);
        });
        return { instanceIds: added.map((r) => r.resource.properties.InstanceID ?? ''), applied: p.applied };
      },
    },
    o.waitMs,
    p.refuse,
  );
}

/** ModifyResourceSettings: each RASD by its InstanceID on the host, with the changed properties. */
export async function modifyResources(
  e: EditContext,
  ref: string,
  changes: readonly ResourceChange[],
  o: EditOptions,
): Promise<JobInfo<ResourceResult>> {
  const p = await prepare(e, ref, o, 'modify resources of');
  const paths = pathsOf(
    p,
    changes.map((c) => c.instanceId),
  );
  const instances: CimInstance[] = [];
  for (const [i, change] of changes.entries()) {
    const path = paths[i]!;
    const cls = await e.s.classOf(path.className);
    if (cls === undefined) throw new ApiError('PROTOCOL', `${e.s.where} does not declare ${path.className}`);
    const id = path.keys.InstanceID;
    instances.push(
      settingsInstance(
        e.s,
        cls,
        { ...change.properties, InstanceID: typeof id === 'string' ? id : undefined },
        p.ctx.what,
      ),
    );
  }
  const vsms = await e.inv.service();
  const outcome = await e.s.call(p.ctx, (c) =>
    c.invokeMethod(
      vsms,
      'ModifyResourceSettings',
      { ResourceSettings: { type: 'string', embedded: true, value: instances } },
      e.s.lookup,
    ),
  );
  return e.jobs.start(
    {
      operation: 'modify',
      target: { kind: 'system', id: p.x.summary.uuid, name: p.x.summary.name },
      ctx: p.ctx,
      method: 'ModifyResourceSettings',
      outcome,
      result: async () => ({ instanceIds: changes.map((c) => c.instanceId), applied: p.applied }),
    },
    o.waitMs,
    p.refuse,
  );
}

/** RemoveResourceSettings with the RASDs' paths; an id the system does not have refuses the whole call. */
export async function removeResources(
  e: EditContext,
  ref: string,
  instanceIds: readonly string[],
  o: EditOptions,
): Promise<JobInfo<ResourceResult>> {
  const p = await prepare(e, ref, o, 'remove resources of');
  if (instanceIds.length === 0)
    throw new ApiError('INVALID_ARGUMENT', `${p.ctx.what}: no resource was named`);
  const paths = pathsOf(p, instanceIds);
  const vsms = await e.inv.service();
  const outcome = await e.s.call(p.ctx, (c) =>
    c.invokeMethod(vsms, 'RemoveResourceSettings', { ResourceSettings: { type: 'reference', value: paths } }),
  );
  return e.jobs.start(
    {
      operation: 'modify',
      target: { kind: 'system', id: p.x.summary.uuid, name: p.x.summary.name },
      ctx: p.ctx,
      method: 'RemoveResourceSettings',
      outcome,
      result: async () => ({ instanceIds: [...instanceIds], applied: p.applied }),
    },
    o.waitMs,
    p.refuse,
  );
}
