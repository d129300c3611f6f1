import { ModelError } from './errors.js';
import { at } from './json/read.js';
import { type DefinitionProblem, problem } from './problems.js';
import { ARRAY_PROPERTIES, propertySpec } from './schema/index.js';
import type { SettingClass } from './schema/types.js';
import type { CimValue, ResourceSetting, VirtualSystemDefinition } from './settings.js';

/**
 * The shape of property values, as the schema declares it: a list property (HostResource, Connection, BootOrder,
 * ...) holds a list of texts, every other property one text. Every reader of the model relies on it (a
 * ResourceType is trimmed and parsed, an InstanceID compared), so what crosses a trust boundary is brought to
 * these shapes before anything reads it: a list property given as one text becomes a list of one (clients often
 * send it so), and a single-valued property given as a list is refused, naming it (which value was meant is not
 * known). Properties the schema does not name (vendors' own) keep whichever shape they have.
 */

const CLASS_OF: Record<ResourceSetting['cimClass'], SettingClass> = {
  CIM_ResourceAllocationSettingData: 'RASD',
  CIM_StorageAllocationSettingData: 'SASD',
  CIM_EthernetPortAllocationSettingData: 'EPASD',
};

/** The schema's class of a resource's DMTF class (`CIM_StorageAllocationSettingData` -> `SASD`). */
export function settingClassOf(cimClass: ResourceSetting['cimClass']): SettingClass {
  return CLASS_OF[cimClass] ?? 'RASD';
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v === null) return 'null';
  return typeof v === 'object' || typeof v === 'undefined' ? `an ${typeof v}` : `a ${typeof v}`;
}

/**
 * Why one property's value does not have the schema's shape, or undefined when it has it. A list of texts for a
 * property the schema does not name is a vendor's list, and fine; so is one text for a list property (see
 * {@link listShaped}).
 *
 * @example
 * shapeProblemOf('RASD', 'ResourceType', ['4', '6']); // 'ResourceType takes one value, got a list of 2'
 */
export function shapeProblemOf(cls: SettingClass, name: string, v: unknown): string | undefined {
  if (v === undefined || typeof v === 'string') return undefined;
  const list = Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (list && (ARRAY_PROPERTIES.has(name) || propertySpec(cls, name) === undefined)) return undefined;
  return list
    ? `${name} takes one value, got ${describe(v)}`
    : `${name} must be text${ARRAY_PROPERTIES.has(name) ? ' or a list of texts' : ''}, got ${describe(v)}`;
}

/**
 * Every property of the definition whose value does not have the schema's shape, as errors pointing at it
 * (`/system/ElementName`, `/resources/2/properties/ResourceType`). It never throws.
 *
 * @example
 * shapeProblems({ system: { ElementName: 'a' }, resources: [{ cimClass: 'CIM_ResourceAllocationSettingData',
 *   properties: { ResourceType: ['4', '6'] } }] });
 * // [{ code: 'INVALID_VALUE', message: 'Resource 1: ResourceType takes one value, got a list of 2', ... }]
 */
export function shapeProblems(def: VirtualSystemDefinition): DefinitionProblem[] {
  const out: DefinitionProblem[] = [];
  for (const [name, v] of Object.entries(def.system ?? {})) {
    const why = shapeProblemOf('VSSD', name, v);
    if (why !== undefined)
      out.push(
        problem('error', 'INVALID_VALUE', `The system's ${why}`, undefined, undefined, at('/system', name)),
      );
  }
  (def.resources ?? []).forEach((r, i) => {
    const cls = settingClassOf(r.cimClass);
    for (const [name, v] of Object.entries(r.properties ?? {})) {
      const why = shapeProblemOf(cls, name, v);
      if (why === undefined) continue;
      const pointer = at(`/resources/${i}/properties`, name);
      out.push(problem('error', 'INVALID_VALUE', `Resource ${i + 1}: ${why}`, undefined, undefined, pointer));
    }
  });
  return out;
}

/**
 * The properties with every list property given as one text made a list of one; `props` itself when there is
 * none.
 *
 * @example
 * listShaped({ ResourceType: '17', HostResource: '/images/a.qcow2' }); // { ..., HostResource: ['/images/a.qcow2'] }
 */
export function listShaped<P extends Record<string, CimValue | undefined>>(props: P): P {
  let out: Record<string, CimValue | undefined> | undefined;
  for (const [name, v] of Object.entries(props)) {
    if (typeof v !== 'string' || !ARRAY_PROPERTIES.has(name)) continue;
    out ??= { ...props };
    out[name] = [v];
  }
  return (out as P | undefined) ?? props;
}

/**
 * The definition with every list property given as one text made a list of one; the definition itself when
 * there is none (settings are copied only when one changes).
 *
 * @example
 * withListShapes(def).resources[2]?.properties.HostResource; // ['/images/a.qcow2'] where it was '/images/a.qcow2'
 */
export function withListShapes(def: VirtualSystemDefinition): VirtualSystemDefinition {
  const system = listShaped(def.system);
  let changed = system !== def.system;
  const resources = def.resources.map((r) => {
    const properties = listShaped(r.properties);
    if (properties === r.properties) return r;
    changed = true;
    return { cimClass: r.cimClass, properties };
  });
  return changed ? { ...def, system, resources } : def;
}

/**
 * The definition in the schema's shapes ({@link withListShapes}), or `MODEL_INVALID` naming every single-valued
 * property given as a list (and every value that is not text), with a pointer to each. What the host is given
 * passes here before anything reads it.
 *
 * @example
 * const def = assertShapes(asked); // then look it up, check its pools, ...
 */
export function assertShapes(def: VirtualSystemDefinition): VirtualSystemDefinition {
  const shaped = withListShapes(def);
  const bad = shapeProblems(shaped);
  if (bad.length === 0) return shaped;
  const name = typeof def.system.ElementName === 'string' ? def.system.ElementName : '(unnamed)';
  const list = bad.slice(0, 10).map((p) => p.message);
  if (bad.length > 10) list.push(`... and ${bad.length - 10} more`);
  throw new ModelError('MODEL_INVALID', `Invalid definition "${name}": ${list.join('; ')}`, {
    hint: 'Give list properties (HostResource, Connection, BootOrder, Notes, ...) as lists and the others as one text',
    fields: bad.slice(0, 64).map((p) => ({ pointer: p.pointer!, detail: p.message })),
  });
}
