import type { Warnings } from './warnings.js';

/**
 * Hands out controller numbers and slots on a target platform, keeping the source's numbers where the target has
 * them free and reporting every drive that had to move.
 */
export class SlotMap {
  readonly #used = new Map<string, Set<number>>();

  constructor(
    /** Slots a group (a controller of the target) offers, e.g. 2 for an IDE channel. */
    readonly size: (group: string) => number,
    /** Slots the target reserves (SCSI unit 7 on VMware). */
    readonly reserved: (group: string, slot: number) => boolean = () => false,
  ) {}

  /** True when `slot` of `group` is taken. */
  taken(group: string, slot: number): boolean {
    return this.#used.get(group)?.has(slot) ?? false;
  }

  /** Takes `wanted` when free and allowed, else the first free slot; undefined when the group is full. */
  take(group: string, wanted: number | undefined): number | undefined {
    const ok = (s: number) =>
      s >= 0 && s < this.size(group) && !this.reserved(group, s) && !this.taken(group, s);
    let slot = wanted !== undefined && ok(wanted) ? wanted : undefined;
    for (let s = 0; slot === undefined && s < this.size(group); s++) if (ok(s)) slot = s;
    if (slot === undefined) return undefined;
    let set = this.#used.get(group);
    if (!set) {
      set = new Set();
      this.#used.set(group, set);
    }
    set.add(slot);
    return slot;
  }

  /** Like {@link take}, and warns when the drive could not keep its slot or found none. */
  place(group: string, wanted: number | undefined, what: string, warnings: Warnings): number | undefined {
    const slot = this.take(group, wanted);
    if (slot === undefined) warnings.add('DISK_POSITION', `${what}: ${group} has no free slot; dropped`);
    else if (wanted !== undefined && slot !== wanted)
      warnings.add(
        'DISK_POSITION',
        `${what}: slot ${wanted} of ${group} is not available; attached at ${slot}`,
      );
    return slot;
  }
}
