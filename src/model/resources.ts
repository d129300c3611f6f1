import { ModelError } from './errors.js';
import { ResourceType } from './resource-type.js';
import type { ResourceSetting, VirtualSystemDefinition } from './settings.js';
import { parseUint } from './units/format.js';
import { bytesOf, quantityOf } from './units/quantity.js';

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
 * The exact byte count of a memory (or any byte-valued) setting's VirtualQuantity, by the one rule of
 * {@link bytesOf}: VirtualQuantityUnits, else AllocationUnits, else the type's default (memory `byte * 2^20`, as
 * OVF producers that omit units mean MB, DSP0243 §9.5 examples). Throws `MODEL_INVALID` when VirtualQuantity is
 * missing and `MODEL_UNITS` when the size is not a whole number of bytes.
 *
 * @example
 * quantityBytes({ cimClass: 'CIM_ResourceAllocationSettingData',
 *   properties: { ResourceType: '4', VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30' } }); // 1073741824n
 */
export function quantityBytes(r: ResourceSetting): bigint {
  const bytes = bytesOf(r);
  if (bytes === undefined) throw new ModelError('MODEL_INVALID', 'The setting has no VirtualQuantity');
  return bytes;
}

/** The memory of a definition in bytes (the first Memory setting), or undefined when none is given. */
export function memoryBytes(def: VirtualSystemDefinition): bigint | undefined {
  const m = resourcesOfType(def, ResourceType.Memory)[0];
  return m === undefined ? undefined : quantityBytes(m);
}

/**
 * The virtual CPU count of a definition (the first Processor setting), or undefined when none is given. The count
 * is VirtualQuantity in `count`: a processor's AllocationUnits (`hertz * 10^6`) is its speed's unit, never a
 * multiplier of the count.
 */
export function cpuCount(def: VirtualSystemDefinition): number | undefined {
  const p = resourcesOfType(def, ResourceType.Processor)[0];
  if (p === undefined) return undefined;
  const q = quantityOf(p, 'VirtualQuantity');
  if (q === undefined)
    throw new ModelError('MODEL_INVALID', 'The Processor setting has no whole-number VirtualQuantity');
  if (q.unit.base !== 'count' || q.unit.numerator !== q.unit.denominator)
    throw new ModelError('MODEL_UNITS', `The Processor VirtualQuantity is in "${q.unit.base}", not a count`);
  return Number(q.value);
}
