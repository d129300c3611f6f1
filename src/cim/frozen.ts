import type { CimInstance, CimValue } from './types.js';

/**
 * Instances whose property sets are frozen: a provider that answers the same values again (a system polled for its
 * state) hands out the same property set, and an encoder may keep what it wrote for it, since a frozen set (with
 * frozen arrays) cannot change. Each answer is a new instance object around the kept set, so the object manager's
 * path stays the caller's own.
 */

type Properties = Record<string, CimValue | undefined>;

/**
 * Freezes a property set and its arrays; answers it.
 *
 * @example
 * const p = freezeProperties({ Name: 'web1', OperationalStatus: ['2'] }); // Object.isFrozen(p.OperationalStatus)
 */
export function freezeProperties<P extends Properties>(p: P): Readonly<P> {
  for (const k in p) {
    const v = p[k];
    if (Array.isArray(v)) Object.freeze(v);
  }
  return Object.freeze(p);
}

/**
 * True when an instance's property set is frozen with {@link freezeProperties}: its values cannot change, so what
 * it encodes to can be kept with the set. Embedded instances and references within are not frozen by it; an
 * encoder keeps only sets whose values are all text.
 */
export function isFrozenSet(p: Properties): boolean {
  return Object.isFrozen(p);
}

/**
 * Instances by an identity (a system's UUID), each kept with what it was made of and a frozen property set: asked
 * again with the same identity and the same values (compared one by one, so the caller builds no key text), it
 * answers a new instance around the kept set. Bounded: forgotten all at once when `max` are kept.
 *
 * @example
 * const kept = new KeptInstances(1024);
 * kept.get(s.uuid, [s.name, s.state], () => instance('CIM_ComputerSystem', { Name: s.name }));
 */
export class KeptInstances {
  private readonly byId = new Map<string, { madeOf: readonly unknown[]; inst: CimInstance }>();

  constructor(private readonly max: number) {}

  /** The instance of `id` made of `madeOf`: `build`'s once, then a new instance around the kept, frozen set. */
  get(id: string, madeOf: readonly unknown[], build: () => CimInstance): CimInstance {
    let kept = this.byId.get(id);
    if (kept === undefined || !sameValues(kept.madeOf, madeOf)) {
      const made = build();
      kept = { madeOf, inst: { className: made.className, properties: freezeProperties(made.properties) } };
      if (this.byId.size >= this.max) this.byId.clear();
      this.byId.set(id, kept);
    }
    return { className: kept.inst.className, properties: kept.inst.properties };
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
