import { memoryBytes, vcpus } from './format.js';
import type { SystemView } from './types.js';

/** How the systems list can be ordered. */
export const SORT_KEYS = { name: 'Name', state: 'State', vcpus: 'vCPUs', memory: 'Memory' } as const;
export type SortKey = keyof typeof SORT_KEYS;

/** The systems whose name or state contains `filter` (any case), ordered by `key`, then by name. */
export function filterAndSort(list: Iterable<SystemView>, filter: string, key: SortKey): SystemView[] {
  const f = filter.trim().toLowerCase();
  const num = (n: number | undefined) => n ?? -1;
  const by: Record<SortKey, (a: SystemView, b: SystemView) => number> = {
    name: () => 0,
    state: (a, b) => a.state.localeCompare(b.state),
    vcpus: (a, b) => num(vcpus(b)) - num(vcpus(a)),
    memory: (a, b) => num(memoryBytes(b)) - num(memoryBytes(a)),
  };
  return [...list]
    .filter((s) => f === '' || s.name.toLowerCase().includes(f) || s.state.includes(f))
    .sort((a, b) => by[key](a, b) || a.name.localeCompare(b.name));
}
