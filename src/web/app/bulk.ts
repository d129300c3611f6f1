import { signal } from '@preact/signals';
import { Problem } from './http.js';
import { changeState, systems } from './systems.js';
import type { TargetState } from './types.js';

/**
 * Bulk start and stop on the systems list: each selected system gets its own request (at most four at a time) and
 * its own result, so one refusal (already running, a bad image) does not hide the others.
 */

/** A row's result: `ok`, `skipped` (already in that state) or the host's refusal. */
export interface RowResult {
  outcome: 'ok' | 'skipped' | 'failed';
  text: string;
}

/** The selected systems, by UUID. */
export const selected = signal<ReadonlySet<string>>(new Set());
/** The last bulk action's result per system, by UUID. */
export const results = signal<ReadonlyMap<string, RowResult>>(new Map());
/** True while a bulk action runs. */
export const bulkBusy = signal(false);

/** Selects or clears one system. */
export function toggle(uuid: string, on: boolean): void {
  const next = new Set(selected.value);
  if (on) next.add(uuid);
  else next.delete(uuid);
  selected.value = next;
}

/** Whether a system in `state` is already where `target` leads. */
function alreadyThere(state: string, target: TargetState): boolean {
  return target === 'running' ? state === 'running' : state === 'stopped';
}

/** Brings every selected system to `target`; answers the results (also in {@link results}). */
export async function runBulk(target: 'running' | 'stopped'): Promise<ReadonlyMap<string, RowResult>> {
  bulkBusy.value = true;
  const queue = [...selected.value];
  const out = new Map<string, RowResult>();
  const set = (uuid: string, r: RowResult) => {
    out.set(uuid, r);
    results.value = new Map([...results.value, [uuid, r]]);
  };
  results.value = new Map();
  const worker = async () => {
    for (let uuid = queue.shift(); uuid !== undefined; uuid = queue.shift()) {
      const s = systems.value.get(uuid);
      if (s === undefined) continue;
      if (alreadyThere(s.state, target)) {
        set(uuid, { outcome: 'skipped', text: `already ${s.state}` });
        continue;
      }
      try {
        await changeState(s, target);
        set(uuid, { outcome: 'ok', text: target === 'running' ? 'started' : 'powered off' });
      } catch (e) {
        const text = e instanceof Problem ? `${e.message} (${e.code})` : String(e);
        set(uuid, { outcome: 'failed', text });
      }
    }
  };
  try {
    await Promise.all([worker(), worker(), worker(), worker()]);
  } finally {
    bulkBusy.value = false;
  }
  return out;
}
