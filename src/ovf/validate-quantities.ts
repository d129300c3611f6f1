import { ResourceType } from '../model/index.js';
import type { OvfItem, OvfResourceAllocationSection, OvfVirtualHardwareSection } from './types.js';
import type { ValidationContext } from './validate-context.js';
import { itemName, prop } from './validate-refs.js';
import { checkUnit, inBaseUnits } from './validate-units.js';

/** 64 TiB: more memory than any platform gives one VM (ESXi 8: 24 TiB; QEMU/KVM hosts far less). */
export const MAX_MEMORY_BYTES = 1n << 46n;
/** More virtual CPUs than any platform gives one VM (ESXi 8: 768; QEMU x86: 4096). */
export const MAX_CPUS = 4096n;
/** Numeric RASD properties (uint64, Weight uint32) checked for whole numbers. */
const NUMERIC = ['VirtualQuantity', 'Reservation', 'Limit', 'Weight'] as const;
const BYTE_TYPES = new Set<number>([ResourceType.Memory, 17, 19, 31, 32]);

/**
 * An Item's numbers and units: VirtualQuantity, Reservation, Limit and Weight are whole numbers, AllocationUnits
 * is a DSP0004 unit in the right base (bytes for memory and disks, hertz for processors), processors and memory
 * have a quantity, and the memory size and CPU count are within what any platform supports.
 */
export function checkQuantities(
  ctx: ValidationContext,
  s: OvfVirtualHardwareSection | OvfResourceAllocationSection,
  it: OvfItem,
): void {
  const name = itemName(it);
  const lineOf = (prop: string) => ({ line: it.propertyLines?.[prop] ?? it.line });
  const values: Partial<Record<(typeof NUMERIC)[number], bigint>> = {};
  for (const name_ of NUMERIC) {
    const v = prop(it, name_);
    if (v === undefined || v.trim() === '') continue;
    if (!/^\d{1,30}$/.test(v.trim())) {
      ctx.report('OVF_VALUE_NOT_INTEGER', lineOf(name_), `${name} has ${name_} "${v}", not a whole number`);
    } else values[name_] = BigInt(v.trim());
  }
  const rt = Number(prop(it, 'ResourceType'));
  const allocationUnits = prop(it, 'AllocationUnits');
  let unit: ReturnType<typeof checkUnit>;
  if (allocationUnits !== undefined && allocationUnits.trim() !== '') {
    const base = rt === ResourceType.Processor ? 'hertz' : BYTE_TYPES.has(rt) ? 'byte' : undefined;
    if (base !== undefined)
      unit = checkUnit(ctx, lineOf('AllocationUnits'), `${name} AllocationUnits`, allocationUnits, base);
  }
  if (s.kind !== 'VirtualHardwareSection') return;
  const normal = it.bound === undefined || it.bound.trim() === 'normal';
  const q = values.VirtualQuantity;
  if (
    (rt === ResourceType.Processor || rt === ResourceType.Memory) &&
    normal &&
    prop(it, 'VirtualQuantity') === undefined
  ) {
    ctx.report(
      'OVF_ITEM_NO_QUANTITY',
      it,
      `${name} is a ${rt === ResourceType.Processor ? 'processor' : 'memory'} Item without rasd:VirtualQuantity`,
      'Only ovf:bound="min"/"max" range markers may give a Reservation or Limit alone.',
    );
  }
  if (q === undefined) return;
  if (rt === ResourceType.Processor) {
    if (q === 0n || q > MAX_CPUS) {
      ctx.report(
        'OVF_VALUE_OUT_OF_RANGE',
        lineOf('VirtualQuantity'),
        `${name} asks for ${q} virtual CPUs; between 1 and ${MAX_CPUS} are possible`,
      );
    }
  } else if (rt === ResourceType.Memory) {
    // Producers that leave AllocationUnits out mean MiB (DSP0243 examples; model quantityBytes default).
    const bytes = unit === undefined ? (allocationUnits ? undefined : q << 20n) : inBaseUnits(q, unit);
    if (bytes === undefined) return;
    if (bytes === 0n || bytes > MAX_MEMORY_BYTES) {
      ctx.report(
        'OVF_VALUE_OUT_OF_RANGE',
        lineOf('VirtualQuantity'),
        `${name} asks for ${q} × "${allocationUnits ?? 'byte * 2^20'}" = ${bytes} bytes of memory; no platform runs a VM with ${bytes === 0n ? 'no memory' : 'more than 64 TiB'}`,
        'Check VirtualQuantity against AllocationUnits.',
      );
    }
  }
}
