import type { SystemDetail } from '../../api/index.js';
import { CimError } from '../errors.js';
import { C, parseSettingId } from '../naming.js';
import type { CimContext } from '../provider.js';
import type { ProviderEnv } from '../providers/env.js';
import { requireClass } from '../references.js';
import { oneSystem } from '../snapshot.js';
import {
  type CimInstance,
  type CimInstanceName,
  type CimValue,
  isInstance,
  isInstanceName,
} from '../types.js';

/** The classes of a virtual system's VSSD, and of its RASDs (what DSP1042's references may name). */
export const VSSD_CLASSES: readonly string[] = [C.vssd];
export const RASD_CLASSES: readonly string[] = [C.rasd, C.sasd, C.epasd];

/** The parameters of an extrinsic method, by declared name. */
export type Params = Record<string, CimValue | undefined>;

/**
 * The one embedded instance `name` holds (CIM_ERR_INVALID_PARAMETER otherwise).
 *
 * @example
 * const vssd = one(params, 'SystemSettings');
 */
export function one(params: Params, name: string): CimInstance {
  const v = params[name];
  if (v === undefined) throw new CimError('CIM_ERR_INVALID_PARAMETER', `Missing ${name} parameter`);
  if (!isInstance(v))
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} must be one embedded instance`);
  return v;
}

/** The embedded instances `name` holds; none when it is absent and not `required`. */
export function many(params: Params, name: string, required: boolean): CimInstance[] {
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

/**
 * The references `name` holds, each (already resolved by the object manager to an existing instance, every key
 * checked) an instance of one of `classes`: a virtual system, not the host; a VSSD, not a RASD.
 *
 * @example
 * const [rasd] = refs(params, 'ResourceSettings', RASD_CLASSES, 'a resource allocation setting');
 */
export function refs(
  params: Params,
  name: string,
  classes: readonly string[],
  kind: string,
): CimInstanceName[] {
  const v = params[name];
  if (v === undefined) throw new CimError('CIM_ERR_INVALID_PARAMETER', `Missing ${name} parameter`);
  const list = Array.isArray(v) ? v : [v];
  if (!list.every(isInstanceName))
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} must be references`);
  for (const r of list as CimInstanceName[]) requireClass(r, classes, name, kind);
  return list as CimInstanceName[];
}

/** The one reference `name` holds, an instance of one of `classes` (see {@link refs}). */
export function ref(params: Params, name: string, classes: readonly string[], kind: string): CimInstanceName {
  const [r, extra] = refs(params, name, classes, kind);
  if (!r || extra) throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} must be one reference`);
  return r;
}

/**
 * A system by name, or CIM_ERR_NOT_FOUND (libvirt-cim's and cimtest's expectation).
 *
 * @example
 * const s = await systemNamed(env, ctx, ref(params, 'AffectedSystem').keys.Name as string);
 */
export async function systemNamed(
  env: ProviderEnv,
  ctx: CimContext,
  name: string | undefined,
): Promise<SystemDetail> {
  const s = name === undefined ? undefined : await oneSystem(ctx, env, name);
  if (s === undefined)
    throw new CimError('CIM_ERR_NOT_FOUND', `Referenced virtual system "${name ?? ''}" does not exist`);
  return s;
}

/**
 * The system a VSSD or RASD InstanceID belongs to, and the RASD's own InstanceID.
 *
 * @example
 * const { system, localId } = await systemOfSetting(env, ctx, 'Vessel:web1/3', 'RASD'); // localId '3'
 */
export async function systemOfSetting(
  env: ProviderEnv,
  ctx: CimContext,
  id: string | undefined,
  kind: 'VSSD' | 'RASD',
): Promise<{ system: SystemDetail; localId: string | undefined }> {
  const parsed = id === undefined ? undefined : parseSettingId(id);
  if (!parsed || (kind === 'VSSD') !== (parsed.localId === undefined))
    throw new CimError('CIM_ERR_NOT_FOUND', `"${id ?? ''}" is not the InstanceID of a ${kind} of this host`);
  return { system: await systemNamed(env, ctx, parsed.system), localId: parsed.localId };
}
