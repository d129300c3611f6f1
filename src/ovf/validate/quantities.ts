import { type Quantity, quantityOf, ResourceType } from '../../model/index.js';
import type { OvfItem, OvfResourceAllocationSection, OvfVirtualHardwareSection } from '../types.js';
import type { ValidationContext } from './context.js';
import { itemName, prop } from './refs.js';
import { checkUnit, exactBaseUnits } from './units.js';

/** 64 TiB: more memory than any platform gives one VM (ESXi 8: 24 TiB; QEMU/KVM hosts far less). */
const MAX_MEMORY_BYTES = 1n << 46n;
/** More virtual CPUs than any platform gives one VM (ESXi 8: 768; QEMU x86: 4096). */
const MAX_CPUS = 4096n;
/** Numeric RASD properties (uint64, Weight uint32) checked for whole numbers. */
const NUMERIC = ['VirtualQuantity', 'Reservation', 'Limit', 'Weight'] as const;
const BYTE_TYPES = new Set<number>([ResourceType.Memory, 17, 19, 31, 32]);

/** The quantity by the model's one rule, or undefined when a unit or number is bad (reported elsewhere). */
function readQuantity(it: OvfItem, p: 'VirtualQuantity' | 'Reservation' | 'Limit'): Quantity | undefined {
  try {
    return quantityOf(it.resource, p);
  } catch {
    return undefined;
  }
}

/** AllocationUnits and VirtualQuantityUnits have the base their ResourceType needs; returns whether both do. */
function checkUnits(ctx: ValidationContext, it: OvfItem, rt: number): boolean {
  const name = itemName(it);
  const lineOf = (p: string) => ({ line: it.propertyLines?.[p] ?? it.line });
  let ok = true;
  const au = prop(it, 'AllocationUnits');
  const auBase = rt === ResourceType.Processor ? 'hertz' : BYTE_TYPES.has(rt) ? 'byte' : undefined;
  if (au !== undefined && au.trim() !== '' && auBase !== undefined)
    ok = checkUnit(ctx, lineOf('AllocationUnits'), `${name} AllocationUnits`, au, auBase) !== undefined;
  const vqu = prop(it, 'VirtualQuantityUnits');
  // count(fixed size block) is a StorageItem's default: blocks of VirtualResourceBlockSize (SASD mof).
  const blockCount =
    rt !== ResourceType.Memory && /^count\s*\(\s*fixed size block\s*\)$/i.test(vqu?.trim() ?? '');
  const vquBase = rt === ResourceType.Processor ? 'count' : BYTE_TYPES.has(rt) ? 'byte' : undefined;
  // VirtualQuantityUnits "count" on a size is the CIM default sent back; quantityOf reads around it (a finding).
  if (
    vqu !== undefined &&
    vqu.trim() !== '' &&
    vquBase !== undefined &&
    !blockCount &&
    vqu.trim() !== 'count'
  )
    ok &&=
      checkUnit(ctx, lineOf('VirtualQuantityUnits'), `${name} VirtualQuantityUnits`, vqu, vquBase) !==
      undefined;
  return ok;
}

/**
 * An Item's numbers and units: VirtualQuantity, Reservation, Limit and Weight are whole numbers, AllocationUnits
 * and VirtualQuantityUnits are DSP0004 units in the right base (bytes for memory and disks, hertz for processor
 * speeds, a count of CPUs), sizes are whole numbers of bytes (reported, never rounded), processors and memory have
 * a quantity, and the memory size and CPU count are within what any platform supports. Which unit governs which
 * number is the model's one rule (`quantityOf`).
 */
export function checkQuantities(
  ctx: ValidationContext,
  s: OvfVirtualHardwareSection | OvfResourceAllocationSection,
  it: OvfItem,
): void {
  const name = itemName(it);
  const lineOf = (p: string) => ({ line: it.propertyLines?.[p] ?? it.line });
  let whole = true;
  for (const p of NUMERIC) {
    const v = prop(it, p);
    if (v === undefined || v.trim() === '') continue;
    if (!/^\d{1,30}$/.test(v.trim())) {
      whole = false;
      ctx.report('OVF_VALUE_NOT_INTEGER', lineOf(p), `${name} has ${p} "${v}", not a whole number`);
    }
  }
  const rt = Number(prop(it, 'ResourceType'));
  const unitsOk = checkUnits(ctx, it, rt);
  if (s.kind !== 'VirtualHardwareSection') return;
  const normal = it.bound === undefined || it.bound.trim() === 'normal';
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
  if (!whole || !unitsOk) return;
  const q = readQuantity(it, 'VirtualQuantity');
  if (q?.finding !== undefined)
    ctx.report('OVF_UNITS_IGNORED', lineOf('VirtualQuantityUnits'), `${name}: ${q.finding}`);
  if (q === undefined) return;
  if (rt === ResourceType.Processor) {
    if (q.value === 0n || q.value > MAX_CPUS) {
      ctx.report(
        'OVF_VALUE_OUT_OF_RANGE',
        lineOf('VirtualQuantity'),
        `${name} asks for ${q.value} virtual CPUs; between 1 and ${MAX_CPUS} are possible`,
      );
    }
  } else if (rt === ResourceType.Memory) {
    const bytes = exactBaseUnits(ctx, lineOf('VirtualQuantity'), `${name} VirtualQuantity`, q.value, q.unit);
    for (const p of ['Reservation', 'Limit'] as const) {
      const r = readQuantity(it, p);
      if (r !== undefined && r.unit.base === 'byte')
        exactBaseUnits(ctx, lineOf(p), `${name} ${p}`, r.value, r.unit);
    }
    if (bytes === undefined) return;
    if (bytes === 0n || bytes > MAX_MEMORY_BYTES) {
      const units = prop(it, q.from === 'VirtualQuantityUnits' ? 'VirtualQuantityUnits' : 'AllocationUnits');
      ctx.report(
        'OVF_VALUE_OUT_OF_RANGE',
        lineOf('VirtualQuantity'),
        `${name} asks for ${q.value} × "${units ?? 'byte * 2^20'}" = ${bytes} bytes of memory; no platform runs a VM with ${bytes === 0n ? 'no memory' : 'more than 64 TiB'}`,
        'Check VirtualQuantity against its unit (VirtualQuantityUnits, else AllocationUnits).',
      );
    }
  }
}
