import { ApiError } from '../../../api/index.js';
import {
  type CimClass,
  type CimInstance,
  type CimInstanceName,
  rasdFromInstance,
  vssdFromInstance,
} from '../../../cim/index.js';
import {
  propertiesOf,
  type RasdClass,
  type ResourceSetting,
  type SettingClass,
  settingClassOf,
  type VirtualSystemDefinition,
} from '../../../model/index.js';
import type { CimSession } from './session.js';

/**
 * The model's definition (VSSD + RASDs) to and from the host's settings instances. Out: each settings instance is
 * written as the host's own class (`Vessel_VirtualSystemSettingData` for a Vessel host, the DMTF class where the
 * host has no subclass), and a property that class does not declare is refused as NOT_SUPPORTED rather than left
 * out (CIM-XML writes an instance with its class's properties only, so leaving it out would lose it silently,
 * as `--firmware efi` once did). In: src/cim's mapping reads the instances back, and properties outside the
 * model's schema (a vendor's own) are left out.
 */

const DMTF_CLASS: Readonly<Record<RasdClass | 'VSSD', readonly string[]>> = {
  VSSD: ['CIM_VirtualSystemSettingData'],
  CIM_ResourceAllocationSettingData: ['CIM_ResourceAllocationSettingData'],
  CIM_StorageAllocationSettingData: ['CIM_StorageAllocationSettingData', 'CIM_ResourceAllocationSettingData'],
  CIM_EthernetPortAllocationSettingData: [
    'CIM_EthernetPortAllocationSettingData',
    'CIM_ResourceAllocationSettingData',
  ],
};

/**
 * The host's class for a settings class of the model: its own subclass, else the DMTF class (or its parent).
 *
 * @example
 * (await settingsClass(s, 'VSSD')).name; // 'Vessel_VirtualSystemSettingData' on a Vessel host
 */
export async function settingsClass(s: CimSession, kind: RasdClass | 'VSSD'): Promise<CimClass> {
  for (const dmtf of DMTF_CLASS[kind]) {
    const cls = await s.vendorClass(dmtf);
    if (cls) return cls;
  }
  throw new ApiError(
    'NOT_SUPPORTED',
    `${s.where} declares no ${DMTF_CLASS[kind][0]} class in ${s.namespace}`,
  );
}

/**
 * An embedded settings instance of `cls` with the given properties, each spelt as the class spells it. A property
 * the class lacks is NOT_SUPPORTED; a list given for a single-valued property is DEFINITION_INVALID.
 *
 * @example
 * await settingsInstance(s, vssdClass, { ElementName: 'web1', Firmware: 'efi' }, 'Cannot define "web1"');
 */
export function settingsInstance(
  s: CimSession,
  cls: CimClass,
  properties: Readonly<Record<string, string | string[] | undefined>>,
  what: string,
): CimInstance {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    const p = cls.propertyIndex.get(name.toLowerCase());
    if (p === undefined)
      throw new ApiError(
        'NOT_SUPPORTED',
        `${what}: ${s.where}'s ${cls.name} has no property ${name}, so ${s.encoding} cannot carry it there`,
        { hint: `Leave ${name} out, or make the change on the host itself` },
      );
    if (!p.isArray && Array.isArray(value))
      throw new ApiError(
        'DEFINITION_INVALID',
        `${what}: ${name} is a single value in ${cls.name}, not a list of ${value.length}`,
      );
    out[p.name] = value;
  }
  return { className: cls.name, properties: out };
}

/**
 * A system's embedded settings for DefineSystem: the VSSD and one instance per RASD, in definition order.
 *
 * @example
 * const { system, resources } = await definitionInstances(s, def, 'Cannot define "web1"');
 */
export async function definitionInstances(
  s: CimSession,
  def: VirtualSystemDefinition,
  what: string,
): Promise<{ system: CimInstance; resources: CimInstance[] }> {
  const system = settingsInstance(s, await settingsClass(s, 'VSSD'), def.system, what);
  const resources: CimInstance[] = [];
  for (const r of def.resources) resources.push(await resourceInstance(s, r, what));
  return { system, resources };
}

/** One RASD as an embedded instance of the host's class for its model class. */
export async function resourceInstance(
  s: CimSession,
  r: ResourceSetting,
  what: string,
): Promise<CimInstance> {
  return settingsInstance(s, await settingsClass(s, r.cimClass), r.properties, what);
}

function known(cls: SettingClass): ReadonlySet<string> {
  // What a definition cannot hold (Vessel's Metadata and MetadataTag sit beside it) stays out.
  const held = propertiesOf(cls).filter((p) => p.carriage.json === 'native' || !('none' in p.carriage.json));
  return new Set(held.map((p) => p.name));
}

function keepKnown<T extends Record<string, unknown>>(props: T, names: ReadonlySet<string>): T {
  for (const k of Object.keys(props)) if (!names.has(k)) delete props[k];
  return props;
}

/** A host's settings read back: its VSSD and RASDs with their paths, and the definition they make. */
export interface SettingsRead {
  vssd: CimInstance & { path: CimInstanceName };
  rasds: Array<{ path: CimInstanceName; resource: ResourceSetting }>;
  definition: VirtualSystemDefinition;
}

/**
 * The definition of settings instances: src/cim's mapping, then only what the model's schema knows.
 *
 * @example
 * definitionOf(vssd, rasds).system.ElementName; // 'web1'
 */
function definitionOf(vssd: CimInstance, rasds: readonly CimInstance[]): VirtualSystemDefinition {
  const system = keepKnown(vssdFromInstance(vssd), known('VSSD'));
  const resources = rasds.map((i) => {
    const r = rasdFromInstance(i);
    keepKnown(r.properties, known(settingClassOf(r.cimClass)));
    return r;
  });
  return { system, resources };
}

const withPath = (i: CimInstance, ns: string): i is CimInstance & { path: CimInstanceName } => {
  if (i.path === undefined) return false;
  i.path = { ...i.path, namespace: i.path.namespace ?? ns, host: undefined };
  return true;
};

/**
 * A system's settings as the host has them (DSP1057): the VSSD that CIM_SettingsDefineState (else
 * CIM_ElementSettingData) ties to the system, and the RASDs its CIM_VirtualSystemSettingDataComponent aggregates.
 *
 * @example
 * const { vssd, rasds, definition } = await readSettings(s, web1.cs.path, 'web1');
 */
export async function readSettings(
  s: CimSession,
  system: CimInstanceName,
  name: string,
): Promise<SettingsRead> {
  const ctx = { what: `Reading the settings of "${name}"`, notFound: 'VM_NOT_FOUND' as const };
  const ns = s.namespace;
  let vssds: CimInstance[] = [];
  for (const assocClass of ['CIM_SettingsDefineState', 'CIM_ElementSettingData']) {
    vssds = await s.call(ctx, (c) =>
      c.associators(system, { assocClass, resultClass: 'CIM_VirtualSystemSettingData' }),
    );
    if (vssds.length > 0) break;
  }
  const vssd = vssds.find((v) => withPath(v, ns));
  if (vssd === undefined || !withPath(vssd, ns))
    throw new ApiError('PROTOCOL', `"${name}" on ${s.where} has no VirtualSystemSettingData (DSP1057)`);
  const parts = await s.call(ctx, (c) =>
    c.associators(vssd.path, { assocClass: 'CIM_VirtualSystemSettingDataComponent' }),
  );
  const rasds = parts.filter(
    (i) =>
      /settingdata$/i.test(i.className) && !/virtualsystemsettingdata$/i.test(i.className) && withPath(i, ns),
  ) as Array<CimInstance & { path: CimInstanceName }>;
  const definition = definitionOf(vssd, rasds);
  return {
    vssd,
    rasds: rasds.map((i, n) => ({ path: i.path, resource: definition.resources[n]! })),
    definition,
  };
}
