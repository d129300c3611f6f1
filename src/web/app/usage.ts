import { signal } from '@preact/signals';
import type { MetricsSeries } from './host-types.js';
import { api } from './http.js';
import { type Usage, usageOf } from './series.js';
import { systems } from './systems.js';

/**
 * The systems list's live CPU and memory bars: the running systems' latest samples (GET /systems/{id}/metrics),
 * read again every sampling interval and whenever a system's state changes (the event stream updates `systems`).
 */

/** The use of each live system, by UUID. */
export const usage = signal<ReadonlyMap<string, Usage>>(new Map());

let timer: ReturnType<typeof setTimeout> | undefined;
let stopped = true;
let intervalMs = 10_000;

/** Reads the samples of every live system once (a system that fails to answer keeps no bar). */
export async function readUsage(): Promise<void> {
  const live = [...systems.value.values()].filter((s) => s.state !== 'stopped');
  const next = new Map<string, Usage>();
  await Promise.all(
    live.map(async (s) => {
      try {
        // Two intervals and a little: enough for the two samples a CPU rate needs.
        const range = `${Math.max(3, Math.ceil((intervalMs * 2.5) / 1000))}s`;
        const m = await api<MetricsSeries>(
          'GET',
          `/systems/${encodeURIComponent(s.uuid)}/metrics?range=${range}`,
        );
        intervalMs = m.intervalMs > 0 ? m.intervalMs : intervalMs;
        const u = usageOf(m.items);
        if (u !== undefined) next.set(s.uuid, u);
      } catch {
        // no bar for this one
      }
    }),
  );
  if (!stopped) usage.value = next;
}

/** Starts reading the use on the host's sampling interval (at least every 2 s, at most every 30 s). */
export function followUsage(): () => void {
  stopped = false;
  const tick = async () => {
    await readUsage();
    if (!stopped) timer = setTimeout(tick, Math.min(30_000, Math.max(2_000, intervalMs)));
  };
  void tick();
  // A system that starts or stops is read at once, not at the next tick.
  let states = '';
  const unsubscribe = systems.subscribe((m) => {
    const now = [...m.values()].map((s) => `${s.uuid}:${s.state === 'stopped'}`).join();
    if (now !== states && states !== '') void readUsage();
    states = now;
  });
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    unsubscribe();
  };
}
