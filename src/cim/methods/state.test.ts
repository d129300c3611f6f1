import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../model/index.js';
import type { SystemEvent, SystemInfo, VirtualSystemBackend } from '../backend.js';
import { waitForState } from './state.js';

/** A backend whose one system is in `state`; `lookup` counts its calls and can hang. */
function backend(o: { state: () => SystemInfo['state']; hang?: boolean }) {
  const listeners = new Set<(e: SystemEvent) => void>();
  const counts = { lookups: 0, subscribed: 0 };
  const b = {
    hostName: 'h',
    limits: DEFAULT_LIMITS,
    lookup: async (uuid: string) => {
      counts.lookups++;
      if (o.hang) return new Promise<never>(() => undefined);
      return { uuid, name: 'vm', state: o.state() };
    },
    subscribe: (l: (e: SystemEvent) => void) => {
      listeners.add(l);
      counts.subscribed = listeners.size;
      return () => {
        listeners.delete(l);
        counts.subscribed = listeners.size;
      };
    },
  } as unknown as VirtualSystemBackend;
  const emit = () => {
    for (const l of listeners) l({ uuid: 'u', kind: 'state', reason: 'x', time: new Date() });
  };
  return { b, counts, emit };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('waitForState()', () => {
  it('settles on the event that brings the state, then reads no more and unsubscribes', async () => {
    let state: SystemInfo['state'] = 'running';
    const { b, counts, emit } = backend({ state: () => state });
    const done = waitForState(b, 'u', 'stopped', 60_000, 'Stopping');
    await pause(20);
    state = 'stopped';
    emit();
    await done;
    const after = counts.lookups;
    await pause(1500);
    expect([counts.lookups, counts.subscribed]).toEqual([after, 0]);
  });

  it('fails at its bound, and stops reading then', async () => {
    const { b, counts } = backend({ state: () => 'running' });
    await expect(waitForState(b, 'u', 'stopped', 100, 'Shutting down "vm"')).rejects.toMatchObject({
      message: 'Shutting down "vm" did not finish within 0 s',
    });
    const after = counts.lookups;
    await pause(1500);
    expect([counts.lookups, counts.subscribed]).toEqual([after, 0]);
  });

  it('does not pile up reads behind a backend that never answers, and still ends at its bound', async () => {
    const { b, counts, emit } = backend({ state: () => 'running', hang: true });
    const done = waitForState(b, 'u', 'stopped', 1500, 'Stopping');
    for (let i = 0; i < 5; i++) emit();
    await expect(done).rejects.toMatchObject({ message: 'Stopping did not finish within 2 s' });
    expect(counts.lookups).toBe(1);
  });
});
