import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { HypervisorDriver } from '../../hypervisor/index.js';
import { DISK_MODE_PROPERTY, type VirtualSystemDefinition } from '../../model/index.js';
import {
  allContents,
  definitionFromOvf,
  hardwareOf,
  itemApplies,
  type OvfContent,
  type OvfEnvelope,
  type OvfEnvironment,
  virtualSystems,
} from '../../ovf/index.js';
import { HostError } from '../errors.js';
import { assertConfined, checkPackageReferences, declaredIds } from './confine.js';
import { type PlannedDisk, type PlannedFile, resolveDrives } from './drives.js';
import { applyFirmware, attachEnvironmentCd, defaultCpuAndMemory, ensureSerialConsole } from './hardware.js';
import type { ResolvedProperties } from './properties.js';

export type { PlannedDisk, PlannedFile } from './drives.js';

/** The OVF environment ISO a deploy writes in a system's folder (DSP8027 ISO transport). */
const ENVIRONMENT_ISO = 'ovf-env.iso';

/** One VirtualSystem of the package as it will be registered. */
export interface SystemPlan {
  system: OvfContent;
  uuid: string;
  name: string;
  /** Paths in HostResource already point at the system's final directory. */
  definition: VirtualSystemDefinition;
  disks: PlannedDisk[];
  files: PlannedFile[];
  /** The OVF environment, when the system asks for the ISO transport. */
  environment: OvfEnvironment | undefined;
  /** Property values of the system (its own and its collections'), by key. */
  properties: Record<string, string>;
  notes: string[];
}

/**
 * The driver's deploy hooks: `mapHardware` (what it runs of the package's items; none means it takes them as they
 * are) and `validate` (a definition as it would run it). Any `HypervisorDriver` is one.
 */
export type DeployHooks = Pick<HypervisorDriver, 'validate' | 'mapHardware'>;

/** Everything {@link planSystems} needs besides the envelope. */
interface PlanContext {
  /** The driver the systems will run on. */
  driver: DeployHooks;
  configuration: string | undefined;
  properties: ResolvedProperties;
  networks: ReadonlyMap<string, string>;
  /** `--name`: the system's name, or the prefix of each system's name in a collection. */
  name: string | undefined;
  lax: boolean;
  /** The final directory of a system (`STATE/vms/UUID`). */
  finalDir(uuid: string): string;
  platformVersion: string;
}

/** The parent collection of each content node. */
function parents(env: OvfEnvelope): Map<OvfContent, OvfContent> {
  const out = new Map<OvfContent, OvfContent>();
  for (const c of allContents(env)) for (const k of c.children) out.set(k, c);
  return out;
}

function ancestry(c: OvfContent, up: Map<OvfContent, OvfContent>): OvfContent[] {
  const chain: OvfContent[] = [];
  for (let x: OvfContent | undefined = c; x !== undefined; x = up.get(x)) chain.unshift(x);
  return chain;
}

/** Which items of the system are `ovf:required="false"` for the configuration. */
function optionalIds(system: OvfContent, configuration: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const i of hardwareOf(system)?.items ?? []) {
    const id = i.resource.properties.InstanceID;
    if (id !== undefined && itemApplies(i, configuration) && /^(false|0)$/i.test(i.required ?? ''))
      out.add(id);
  }
  return out;
}

/** Checks the definition as the driver will run it (its `validate` hook); refuses with `DEPLOY_HARDWARE`. */
async function preflight(driver: DeployHooks, def: VirtualSystemDefinition, name: string): Promise<void> {
  const problems = await driver.validate(def, 'deploy');
  const first = problems.find((p) => p.severity === 'error');
  if (first !== undefined) {
    throw new HostError('DEPLOY_HARDWARE', `"${name}" cannot run on this host: ${first.message}`, {
      ...(first.hint === undefined ? {} : { hint: first.hint }),
    });
  }
}

/**
 * The name a system of the package is deployed under: `--name` for a lone system, else its Name (or id) made
 * usable ("sun/vhw" becomes "sun-vhw"), prefixed with `--name-` in a collection.
 */
export function systemName(env: OvfEnvelope, system: OvfContent, requested: string | undefined): string {
  const own = (system.name?.text.trim() || system.id).replace(/[/\p{Cc}]+/gu, '-').slice(0, 128);
  return virtualSystems(env).length === 1 && env.content === system
    ? (requested ?? own)
    : `${requested ? `${requested}-` : ''}${own}`;
}

/**
 * Plans every VirtualSystem of the package (a lone system, or each one of a collection, depth first): its
 * definition for the deployment option, with names, a new UUID, networks mapped, hardware mapped by the driver's
 * `mapHardware` (or the deploy refused), drives pointing at the files the deploy will write, firmware, a serial
 * console, and the OVF environment CD when the system asks for the ISO transport; then the driver's `validate`.
 */
export async function planSystems(env: OvfEnvelope, ctx: PlanContext): Promise<SystemPlan[]> {
  const up = parents(env);
  const out: SystemPlan[] = [];
  for (const system of virtualSystems(env)) out.push(await planSystem(env, ctx, system, up));
  return out;
}

async function planSystem(
  env: OvfEnvelope,
  ctx: PlanContext,
  system: OvfContent,
  up: Map<OvfContent, OvfContent>,
): Promise<SystemPlan> {
  const chain = ancestry(system, up);
  const props: Record<string, string> = {};
  for (const c of chain) for (const p of ctx.properties.values.get(c) ?? []) props[p.key] = p.value;
  const read = definitionFromOvf(env, {
    systemId: system.id,
    ...(ctx.configuration === undefined ? {} : { configuration: ctx.configuration }),
  });
  const def = read.definition;
  const name = systemName(env, system, ctx.name);
  const uuid = randomUUID();
  def.system.ElementName = name;
  def.system.VirtualSystemIdentifier = uuid;
  checkPackageReferences(def, name, declaredIds(env));
  const notes: string[] = [];
  const optional = optionalIds(system, ctx.configuration);
  const hints = { optional: (id: string) => optional.has(id), lax: ctx.lax };
  const mapped = ctx.driver.mapHardware?.(def.resources, hints) ?? {
    resources: def.resources,
    refused: [],
    notes: [],
  };
  if (mapped.refused.length > 0) {
    throw new HostError(
      'DEPLOY_HARDWARE',
      `"${name}" has hardware this host cannot give it: ${mapped.refused.map((u) => `item "${u.instanceId}": ${u.reason}`).join('; ')}`,
      { hint: 'Optional items (ovf:required="false") are left out; --lax leaves out required ones too' },
    );
  }
  def.resources = mapped.resources;
  notes.push(...mapped.notes);
  notes.push(...defaultCpuAndMemory(def));
  for (const r of def.resources) {
    const conn = r.properties.Connection;
    if (conn?.[0] !== undefined && ctx.networks.has(conn[0]))
      r.properties.Connection = [ctx.networks.get(conn[0])!, ...conn.slice(1)];
  }
  const dir = ctx.finalDir(uuid);
  const { disks, files } = resolveDrives(env, def, dir, props);
  const fw = applyFirmware(def, system);
  if (fw) notes.push(fw);
  // How the host writes the disks is its own choice, never a package's: a deployed system writes overlays.
  delete def.system[DISK_MODE_PROPERTY];
  const serial = ensureSerialConsole(def);
  if (serial) notes.push(serial);
  const transport = (hardwareOf(system)?.transport ?? '').split(/[\s,]+/).map((t) => t.toLowerCase());
  let environment: OvfEnvironment | undefined;
  if (transport.includes('iso')) {
    attachEnvironmentCd(def, join(dir, ENVIRONMENT_ISO));
    const parent = up.get(system);
    environment = {
      id: system.id,
      platform: { kind: 'Vessel', version: ctx.platformVersion, vendor: 'Vessel', locale: 'en' },
      properties: Object.entries(props).map(([key, value]) => ({ key, value })),
      entities: (parent?.children ?? [])
        .filter((s) => s !== system)
        .map((s) => ({ id: s.id, properties: ctx.properties.values.get(s) ?? [] })),
    };
  } else if (Object.keys(props).length > 0) {
    notes.push(
      'The system has properties but asks for no OVF environment transport (ovf:transport="iso"); none is given to it',
    );
  }
  await preflight(ctx.driver, def, name);
  const written = [...disks, ...files].map((f) => f.fileName);
  if (environment !== undefined) written.push(ENVIRONMENT_ISO);
  assertConfined(def, name, dir, new Set(written));
  return { system, uuid, name, definition: def, disks, files, environment, properties: props, notes };
}
