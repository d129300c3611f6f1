import type { ResourceSetting, VirtualSystemDefinition } from '../../model/index.js';
import type { SystemInfo } from '../backend.js';
import { CimError } from '../errors.js';
import type { JobRecord } from '../jobs.js';
import { localId, rasdFromInstance, rasdInstance, vssdFromInstance } from '../mapping.js';
import { C, idPath, parseSettingId, systemPath } from '../naming.js';
import type { CimContext, MethodResult } from '../provider.js';
import type { ProviderEnv } from '../providers/env.js';
import {
  type CimInstance,
  type CimInstanceName,
  type CimValue,
  isInstance,
  isInstanceName,
} from '../types.js';
import { codeOf, toCimError } from './errors-map.js';
import { waitForState } from './state.js';

/** Return values of the VSMS methods (DSP1042 §8.2). */
export const VSMS = {
  Completed: 0,
  NotSupported: 1,
  Failed: 2,
  InvalidParameter: 4,
  InvalidState: 5,
  JobStarted: 4096,
};

type Params = Record<string, CimValue | undefined>;

function one(params: Params, name: string): CimInstance {
  const v = params[name];
  if (v === undefined) throw new CimError('CIM_ERR_INVALID_PARAMETER', `Missing ${name} parameter`);
  if (!isInstance(v))
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} must be one embedded instance`);
  return v;
}

function many(params: Params, name: string, required: boolean): CimInstance[] {
  const v = params[name];
  if (v === undefined) {
    if (required) throw new CimError('CIM_ERR_INVALID_PARAMETER', `Missing ${name} parameter`);
    return [];
  }
  const list = Array.isArray(v) ? v : [v];
  if (!list.every(isInstance))
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} must be embedded instances`);
  return list as CimInstance[];
}

function refs(params: Params, name: string): CimInstanceName[] {
  const v = params[name];
  if (v === undefined) throw new CimError('CIM_ERR_INVALID_PARAMETER', `Missing ${name} parameter`);
  const list = Array.isArray(v) ? v : [v];
  if (!list.every(isInstanceName))
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} must be references`);
  return list as CimInstanceName[];
}

function ref(params: Params, name: string): CimInstanceName {
  const [r, extra] = refs(params, name);
  if (!r || extra) throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} must be one reference`);
  return r;
}

/** A system by name or fails with CIM_ERR_NOT_FOUND (libvirt-cim's and cimtest's expectation). */
async function systemNamed(env: ProviderEnv, name: string | undefined): Promise<SystemInfo> {
  const info = name === undefined ? undefined : await env.backend.lookup(name);
  if (!info || info.name !== name)
    throw new CimError('CIM_ERR_NOT_FOUND', `Referenced virtual system "${name ?? ''}" does not exist`);
  return info;
}

/** The system a VSSD or RASD InstanceID belongs to. */
async function systemOfSetting(env: ProviderEnv, id: string | undefined, kind: 'VSSD' | 'RASD') {
  const parsed = id === undefined ? undefined : parseSettingId(id);
  if (!parsed || (kind === 'VSSD') !== (parsed.localId === undefined))
    throw new CimError('CIM_ERR_NOT_FOUND', `"${id ?? ''}" is not the InstanceID of a ${kind} of this host`);
  return { info: await systemNamed(env, parsed.system), localId: parsed.localId };
}

/** Gives resources without an InstanceID (or with one already taken) the next free whole number. */
function assignIds(existing: ResourceSetting[], added: ResourceSetting[]): void {
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

/** The job's affected element for a change to a system's settings (ElementEffects 1 Other). */
function touched(name: string): JobRecord['affected'] {
  return [{ path: systemPath(name), effects: [1] }];
}

/** Runs a VSMS method body through the job machinery: 0 when done in time, else 4096 and a job. */
async function runJob(
  env: ProviderEnv,
  ctx: CimContext,
  spec: { name: string; method: string; affected: JobRecord['affected'] },
  work: () => Promise<Params>,
): Promise<MethodResult> {
  try {
    const outcome = await env.jobs.run(
      { name: spec.name, method: spec.method, owner: ctx.user, affected: spec.affected },
      env.syncMs,
      work,
    );
    if (outcome.done) return { returnValue: VSMS.Completed, out: outcome.value };
    return { returnValue: VSMS.JobStarted, out: { Job: idPath(C.job, outcome.job.id) } };
  } catch (e) {
    if (codeOf(e) === 'INVALID_STATE') return { returnValue: VSMS.InvalidState, out: {} };
    throw toCimError(e);
  }
}

/** DefineSystem (DSP1042 §8.2.2): SystemSettings + ResourceSettings, optionally cloned from ReferenceConfiguration. */
async function defineSystem(env: ProviderEnv, ctx: CimContext, params: Params): Promise<MethodResult> {
  const system = vssdFromInstance(one(params, 'SystemSettings'));
  const resources = many(params, 'ResourceSettings', false).map(rasdFromInstance);
  const refConf = params.ReferenceConfiguration;
  let base: VirtualSystemDefinition = { system: {}, resources: [] };
  if (refConf !== undefined) {
    if (!isInstanceName(refConf))
      throw new CimError('CIM_ERR_INVALID_PARAMETER', 'ReferenceConfiguration must be a reference');
    const { info } = await systemOfSetting(env, refConf.keys.InstanceID as string | undefined, 'VSSD');
    base = await env.backend.definition(info.uuid);
    delete base.system.VirtualSystemIdentifier;
  }
  assignIds(base.resources, resources);
  const def: VirtualSystemDefinition = {
    system: { ...base.system, ...system },
    resources: [...base.resources, ...resources],
  };
  const name = def.system.ElementName ?? '';
  const affected: JobRecord['affected'] = [];
  return runJob(env, ctx, { name: `DefineSystem ${name}`, method: 'DefineSystem', affected }, async () => {
    const info = await env.backend.define(def);
    affected.push({ path: systemPath(info.name), effects: [5] });
    return { ResultingSystem: systemPath(info.name) };
  });
}

/** DestroySystem (DSP1042 §8.2.3): powers the system off when it is active, then removes its definition. */
async function destroySystem(env: ProviderEnv, ctx: CimContext, params: Params): Promise<MethodResult> {
  const target = ref(params, 'AffectedSystem');
  const info = await systemNamed(env, target.keys.Name as string | undefined);
  if (!env.backend.supports('undefine')) return { returnValue: VSMS.NotSupported, out: {} };
  return runJob(
    env,
    ctx,
    { name: `DestroySystem ${info.name}`, method: 'DestroySystem', affected: [] },
    async () => {
      const now = await env.backend.lookup(info.uuid);
      if (now && now.state !== 'stopped') {
        await env.backend.changeState(info.uuid, 'powerOff');
        await waitForState(
          env.backend,
          info.uuid,
          'stopped',
          env.shutdownTimeoutMs,
          `Powering off "${info.name}"`,
        );
      }
      await env.backend.undefine(info.uuid);
      env.requested.delete(info.uuid);
      env.changedAt.delete(info.uuid);
      return {};
    },
  );
}

/** ModifySystemSettings (DSP1042 §8.2.5): the VSSD named by InstanceID takes the given non-NULL properties. */
async function modifySystemSettings(
  env: ProviderEnv,
  ctx: CimContext,
  params: Params,
): Promise<MethodResult> {
  const inst = one(params, 'SystemSettings');
  const { info } = await systemOfSetting(env, inst.properties.InstanceID as string | undefined, 'VSSD');
  const changes = vssdFromInstance(inst);
  if (changes.VirtualSystemIdentifier !== undefined && changes.VirtualSystemIdentifier !== info.uuid)
    throw new CimError('CIM_ERR_INVALID_PARAMETER', 'VirtualSystemIdentifier (the UUID) cannot be changed');
  // The name is the system's key and the drivers keep it for the life of the system (ElementNameEditSupported = false).
  if (changes.ElementName !== undefined && changes.ElementName !== info.name)
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `Cannot rename "${info.name}" to "${changes.ElementName}": names cannot be changed`,
    );
  if (!env.backend.supports('modify')) return { returnValue: VSMS.NotSupported, out: {} };
  return runJob(
    env,
    ctx,
    {
      name: `ModifySystemSettings ${info.name}`,
      method: 'ModifySystemSettings',
      affected: touched(info.name),
    },
    async () => {
      const def = await env.backend.definition(info.uuid);
      def.system = { ...def.system, ...changes, VirtualSystemIdentifier: info.uuid };
      await env.backend.modify(info.uuid, def);
      return {};
    },
  );
}

/** AddResourceSettings (DSP1042 §8.2.1): to a stopped system's definition, or hot-plugged into a running one. */
async function addResourceSettings(env: ProviderEnv, ctx: CimContext, params: Params): Promise<MethodResult> {
  const conf = ref(params, 'AffectedConfiguration');
  const { info } = await systemOfSetting(env, conf.keys.InstanceID as string | undefined, 'VSSD');
  const added = many(params, 'ResourceSettings', true).map(rasdFromInstance);
  if (added.length === 0) throw new CimError('CIM_ERR_INVALID_PARAMETER', 'ResourceSettings is empty');
  return runJob(
    env,
    ctx,
    { name: `AddResourceSettings ${info.name}`, method: 'AddResourceSettings', affected: touched(info.name) },
    async () => {
      const def = await env.backend.definition(info.uuid);
      assignIds(def.resources, added);
      const state = (await env.backend.lookup(info.uuid))?.state ?? 'stopped';
      if (state === 'stopped') {
        def.resources.push(...added);
        await env.backend.modify(info.uuid, def);
      } else {
        if (!env.backend.attachDevice || !env.backend.supports('attachDevice'))
          throw Object.assign(new Error(`Cannot add devices to "${info.name}" while it is ${state}`), {
            code: 'INVALID_STATE',
          });
        for (const r of added) await env.backend.attachDevice(info.uuid, r);
      }
      const after = (await env.backend.definition(info.uuid)).resources;
      const paths = added.map((r) => {
        const i = after.findIndex((x) => x.properties.InstanceID === r.properties.InstanceID);
        const inst = rasdInstance(info.name, after[i] ?? r, i);
        return idPath(inst.className, inst.properties.InstanceID as string);
      });
      return { ResultingResourceSettings: paths };
    },
  );
}

/** Groups RASD InstanceIDs by system, checking that each exists (CIM_ERR_NOT_FOUND otherwise). */
async function bySystem(env: ProviderEnv, ids: Array<string | undefined>) {
  const groups = new Map<string, { info: SystemInfo; localIds: string[] }>();
  for (const id of ids) {
    const { info, localId: lid } = await systemOfSetting(env, id, 'RASD');
    const def = await env.backend.definition(info.uuid);
    if (!def.resources.some((r, i) => localId(r, i) === lid))
      throw new CimError('CIM_ERR_NOT_FOUND', `No resource setting "${id}"`);
    const g = groups.get(info.uuid) ?? { info, localIds: [] };
    g.localIds.push(lid!);
    groups.set(info.uuid, g);
  }
  return [...groups.values()];
}

/** ModifyResourceSettings (DSP1042 §8.2.4): each RASD named by InstanceID takes the given non-NULL properties. */
async function modifyResourceSettings(
  env: ProviderEnv,
  ctx: CimContext,
  params: Params,
): Promise<MethodResult> {
  const list = many(params, 'ResourceSettings', true);
  const groups = await bySystem(
    env,
    list.map((r) => r.properties.InstanceID as string | undefined),
  );
  const affected = groups.flatMap((g) => touched(g.info.name));
  return runJob(
    env,
    ctx,
    { name: 'ModifyResourceSettings', method: 'ModifyResourceSettings', affected },
    async () => {
      const out: CimInstanceName[] = [];
      for (const g of groups) {
        const def = await env.backend.definition(g.info.uuid);
        for (const inst of list) {
          const parsed = parseSettingId(inst.properties.InstanceID as string);
          if (parsed?.system !== g.info.name) continue;
          const i = def.resources.findIndex((r, idx) => localId(r, idx) === parsed.localId);
          const changed = rasdFromInstance(inst);
          const current = def.resources[i]!;
          const properties = { ...current.properties, ...changed.properties };
          if (current.properties.InstanceID === undefined) delete properties.InstanceID;
          else properties.InstanceID = current.properties.InstanceID;
          def.resources[i] = { cimClass: current.cimClass, properties };
          const r = rasdInstance(g.info.name, def.resources[i]!, i);
          out.push(idPath(r.className, r.properties.InstanceID as string));
        }
        await env.backend.modify(g.info.uuid, def);
      }
      return { ResultingResourceSettings: out };
    },
  );
}

/** RemoveResourceSettings (DSP1042 §8.2.6): from a stopped system's definition, or hot-unplugged. */
async function removeResourceSettings(
  env: ProviderEnv,
  ctx: CimContext,
  params: Params,
): Promise<MethodResult> {
  const list = refs(params, 'ResourceSettings');
  const groups = await bySystem(
    env,
    list.map((r) => r.keys.InstanceID as string | undefined),
  );
  const affected = groups.flatMap((g) => touched(g.info.name));
  return runJob(
    env,
    ctx,
    { name: 'RemoveResourceSettings', method: 'RemoveResourceSettings', affected },
    async () => {
      for (const g of groups) {
        const state = (await env.backend.lookup(g.info.uuid))?.state ?? 'stopped';
        const def = await env.backend.definition(g.info.uuid);
        if (state === 'stopped') {
          def.resources = def.resources.filter((r, i) => !g.localIds.includes(localId(r, i)));
          await env.backend.modify(g.info.uuid, def);
        } else {
          if (!env.backend.detachDevice || !env.backend.supports('detachDevice'))
            throw Object.assign(
              new Error(`Cannot remove devices from "${g.info.name}" while it is ${state}`),
              { code: 'INVALID_STATE' },
            );
          for (const id of g.localIds) await env.backend.detachDevice(g.info.uuid, id);
        }
      }
      return {};
    },
  );
}

/** The VSMS methods by name. */
export const VSMS_METHODS: Record<
  string,
  (env: ProviderEnv, ctx: CimContext, params: Params) => Promise<MethodResult>
> = {
  DefineSystem: defineSystem,
  DestroySystem: destroySystem,
  ModifySystemSettings: modifySystemSettings,
  AddResourceSettings: addResourceSettings,
  ModifyResourceSettings: modifyResourceSettings,
  RemoveResourceSettings: removeResourceSettings,
};
