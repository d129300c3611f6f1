import { memoryBytes, vcpus } from './format.js';
import type { Usage } from './series.js';
import type { SystemView } from './types.js';

/** How the systems list can be ordered. */
export const SORT_KEYS = {
  name: 'Name',
  state: 'State',
  vcpus: 'vCPUs',
  memory: 'Memory',
  cpuUse: 'CPU use',
  memoryUse: 'Memory use',
} as const;
export type SortKey = keyof typeof SORT_KEYS;

/**
 * The systems whose name or state contains `filter` (any case), ordered by `key` (sizes and use: largest first),
 * then by name. `usage` gives the live use (a system without a figure sorts last).
 */
export function filterAndSort(
  list: Iterable<SystemView>,
  filter: string,
  key: SortKey,
  usage: ReadonlyMap<string, Usage> = new Map(),
): SystemView[] {
  const f = filter.trim().toLowerCase();
  const num = (n: number | undefined) => n ?? -1;
  const memUse = (s: SystemView) => {
    const u = usage.get(s.uuid);
    return u?.memoryUsed === undefined || u.memoryTotal <= 0 ? undefined : u.memoryUsed / u.memoryTotal;
  };
  const by: Record<SortKey, (a: SystemView, b: SystemView) => number> = {
    name: () => 0,
    state: (a, b) => a.state.localeCompare(b.state),
    vcpus: (a, b) => num(vcpus(b)) - num(vcpus(a)),
    memory: (a, b) => num(memoryBytes(b)) - num(memoryBytes(a)),
    cpuUse: (a, b) => num(usage.get(b.uuid)?.cpu) - num(usage.get(a.uuid)?.cpu),
    memoryUse: (a, b) => num(memUse(b)) - num(memUse(a)),
  };
  return [...list]
    .filter((s) => f === '' || s.name.toLowerCase().includes(f) || s.state.includes(f))
    .sort((a, b) => by[key](a, b) || a.name.localeCompare(b.name));
}
