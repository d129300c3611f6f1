import { ModelError } from './errors.js';
import { ResourceType } from './resource-type.js';
import type { ResourceSetting, VirtualSystemDefinition } from './settings.js';
import { parseUint, toBaseUnits } from './units.js';

/** The numeric ResourceType of a setting, or undefined when it is missing or not a number. */
export function resourceTypeOf(r: ResourceSetting): number | undefined {
  const v = parseUint(r.properties.ResourceType);
  return v === undefined || v > 0xffffn ? undefined : Number(v);
}

/** The settings of the given ResourceType, in order. */
export function resourcesOfType(def: VirtualSystemDefinition, type: number): ResourceSetting[] {
  return def.resources.filter((r) => resourceTypeOf(r) === type);
}

/**
 * The exact byte count of a memory (or any byte-valued) setting: VirtualQuantity times AllocationUnits.
 * AllocationUnits defaults to `byte * 2^20` for memory, as OVF producers that omit it mean MB (DSP0243 §9.5 examples).
 *
 * @example
 * quantityBytes({ cimClass: 'CIM_ResourceAllocationSettingData',
 *   properties: { ResourceType: '4', VirtualQuantity: '512', AllocationUnits: 'byte * 2^20' } }); // 536870912n
 */
export function quantityBytes(r: ResourceSetting, defaultUnit = 'byte * 2^20'): bigint {
  const q = parseUint(r.properties.VirtualQuantity);
  if (q === undefined) {
    throw new ModelError(
      'MODEL_INVALID',
      `VirtualQuantity "${r.properties.VirtualQuantity ?? ''}" is not a whole number`,
    );
  }
  return toBaseUnits(q, r.properties.AllocationUnits ?? defaultUnit, 'byte');
}

/** The memory of a definition in bytes (the first Memory setting), or undefined when none is given. */
export function memoryBytes(def: VirtualSystemDefinition): bigint | undefined {
  const m = resourcesOfType(def, ResourceType.Memory)[0];
  return m === undefined ? undefined : quantityBytes(m);
}

/** The virtual CPU count of a definition (the first Processor setting), or undefined when none is given. */
export function cpuCount(def: VirtualSystemDefinition): number | undefined {
  const p = resourcesOfType(def, ResourceType.Processor)[0];
  if (p === undefined) return undefined;
  const q = parseUint(p.properties.VirtualQuantity);
  if (q === undefined)
    throw new ModelError('MODEL_INVALID', 'The Processor setting has no whole-number VirtualQuantity');
  return Number(q);
}
