import { ApiError, type ResourceChange } from '../api/index.js';
import type { ResourceSetting, VirtualSystemDefinition, VssdProperties } from '../model/index.js';

/**
 * Changes of a definition as pure functions: settings merged into the VSSD, resources added (each given an
 * InstanceID when it has none), changed or removed by InstanceID. Each either makes the whole change or throws
 * (an unknown InstanceID is NOT_FOUND) and never touches its input; the host then defines the result, so the
 * driver's checks refuse a bad one before anything is stored: all or nothing.
 */

/** A changed definition and the InstanceIDs the change made or touched. */
export interface Edited {
  def: VirtualSystemDefinition;
  instanceIds: string[];
}

/**
 * Settings merged into the VSSD; the system's identifier cannot change.
 *
 * @example
 * editSettings(def, { Description: 'web tier' }).def.system.Description; // 'web tier'
 */
export function editSettings(def: VirtualSystemDefinition, changes: VssdProperties): Edited {
  const next = structuredClone(def);
  const id = changes.VirtualSystemIdentifier;
  if (
    id !== undefined &&
    String(id).toLowerCase() !== String(def.system.VirtualSystemIdentifier).toLowerCase()
  ) {
    throw new ApiError('INVALID_ARGUMENT', 'The VirtualSystemIdentifier of a system cannot change');
  }
  next.system = { ...next.system, ...structuredClone(changes) };
  return { def: next, instanceIds: [] };
}

/** The next free whole-number InstanceID after the definition's. */
function nextInstanceId(taken: ReadonlySet<string>): () => string {
  let n = 0;
  for (const id of taken) if (/^\d{1,9}$/.test(id)) n = Math.max(n, Number(id));
  return () => {
    while (taken.has(String(++n)));
    return String(n);
  };
}

function idsOf(def: VirtualSystemDefinition): Set<string> {
  return new Set(def.resources.map((r) => String(r.properties.InstanceID ?? '')).filter((id) => id !== ''));
}

/**
 * Resources added, each with an InstanceID (a taken one is refused).
 *
 * @example
 * addResources(def, [nic]).instanceIds; // ['7']
 */
export function addResources(def: VirtualSystemDefinition, add: readonly ResourceSetting[]): Edited {
  const next = structuredClone(def);
  const taken = idsOf(next);
  const fresh = nextInstanceId(taken);
  const instanceIds: string[] = [];
  for (const r of add) {
    const copy = structuredClone(r);
    const given = copy.properties.InstanceID;
    const id = given === undefined || given === '' ? fresh() : String(given);
    if (given !== undefined && given !== '' && taken.has(id)) {
      throw new ApiError(
        'DEFINITION_INVALID',
        `The InstanceID "${id}" is taken in "${def.system.ElementName}"`,
      );
    }
    copy.properties.InstanceID = id;
    taken.add(id);
    instanceIds.push(id);
    next.resources.push(copy);
  }
  return { def: next, instanceIds };
}

function unknownIds(def: VirtualSystemDefinition, ids: readonly string[]): ApiError | undefined {
  const have = idsOf(def);
  const missing = ids.filter((id) => !have.has(id));
  if (missing.length === 0) return undefined;
  return new ApiError(
    'NOT_FOUND',
    `"${def.system.ElementName}" has no resource ${missing.map((m) => `"${m}"`).join(', ')}`,
    { detail: { domain: 'host', code: 'RESOURCE_NOT_FOUND' } },
  );
}

/**
 * Resources changed: the given properties merged into the resource with each InstanceID.
 *
 * @example
 * modifyResources(def, [{ instanceId: '3', properties: { VirtualQuantity: '2' } }]);
 */
export function modifyResources(def: VirtualSystemDefinition, changes: readonly ResourceChange[]): Edited {
  const missing = unknownIds(
    def,
    changes.map((c) => c.instanceId),
  );
  if (missing !== undefined) throw missing;
  const next = structuredClone(def);
  for (const c of changes) {
    const r = next.resources.find((x) => String(x.properties.InstanceID) === c.instanceId)!;
    r.properties = { ...r.properties, ...structuredClone(c.properties), InstanceID: c.instanceId };
  }
  return { def: next, instanceIds: changes.map((c) => c.instanceId) };
}

/**
 * Resources removed by InstanceID.
 *
 * @example
 * removeResources(def, ['7']).def.resources.length;
 */
export function removeResources(def: VirtualSystemDefinition, ids: readonly string[]): Edited {
  const missing = unknownIds(def, ids);
  if (missing !== undefined) throw missing;
  const next = structuredClone(def);
  const gone = new Set(ids);
  next.resources = next.resources.filter((r) => !gone.has(String(r.properties.InstanceID ?? '')));
  return { def: next, instanceIds: [...ids] };
}
