import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../api/index.js';
import { buildDefinition } from '../../model/index.js';
import { openSession } from '../api/index.js';
import { Host } from '../host.js';
import { Ring } from './ring.js';
import { MetricsSampler } from './sampler.js';

// The sampler of a real host on the test driver: samples on demand (interval 0), read through the Api.

let state: string;
let host: Host;
const forever = { waitMs: Number.POSITIVE_INFINITY };

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-metrics-'));
  host = await Host.open({
    stateDir: state,
    driverUri: 'test:///default',
    metrics: { intervalMs: 0, keep: 3 },
  });
});
afterAll(async () => {
  await host?.close({ stopVms: true });
  await rm(state, { recursive: true, force: true });
});

describe('Ring', () => {
  it('keeps the newest items, oldest first, and selects the newest by a predicate', () => {
    const r = new Ring<number>(3);
    expect(r.toArray()).toEqual([]);
    expect(r.last()).toBeUndefined();
    for (const n of [1, 2, 3, 4, 5]) r.push(n);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.last()).toBe(5);
    expect(r.toArray((n) => n >= 4)).toEqual([4, 5]);
  });
});

describe('MetricsSampler', () => {
  it('samples the host and each system; running ones with the driver statistics', async () => {
    const api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
    for (const name of ['m1', 'm2'])
      resultOf(
        await api.systems.define(
          buildDefinition({ name, cpus: 2, memoryBytes: 96n << 20n, disks: [], nics: [{ network: 'user' }] }),
          forever,
        ),
      );
    resultOf(await api.systems.changeState('m1', 'start', forever));
    expect((await api.metrics.current()).systems).toEqual([]);
    await host.metrics.sample();
    await new Promise((r) => setTimeout(r, 20));
    await host.metrics.sample();
    const snap = await api.metrics.current();
    expect(snap.intervalMs).toBe(0);
    expect(snap.host?.cpus).toBeGreaterThan(0);
    expect(snap.host?.memoryTotalBytes).toBeGreaterThan(0);
    expect(snap.host?.pools.map((p) => p.pool)).toContain('default');
    const [m1, m2] = snap.systems;
    expect(m1).toMatchObject({ name: 'm1', state: 'running', vcpus: 2, memoryBytes: 96 * 2 ** 20 });
    expect(m1?.cpuSeconds).toBeGreaterThan(0);
    expect(m1?.uptimeSeconds).toBeGreaterThan(0);
    expect(m1?.nics.map((n) => n.nic)).toHaveLength(1);
    expect(m2).toMatchObject({ name: 'm2', state: 'stopped', disks: [], nics: [] });
    expect(m2?.cpuSeconds).toBeUndefined();
    const series = await api.metrics.series('m1');
    expect(series).toHaveLength(2);
    expect(series[1]!.cpuSeconds).toBeGreaterThanOrEqual(series[0]!.cpuSeconds!);
    // A stopped system keeps one sample until it changes; the ring keeps `keep` samples.
    expect(await api.metrics.series('m2')).toHaveLength(1);
    for (let i = 0; i < 4; i++) await host.metrics.sample();
    expect(await api.metrics.series('m1')).toHaveLength(3);
    expect(await api.metrics.series('m1', { rangeSeconds: 1 })).toHaveLength(3);
    await expect(api.metrics.series('nope')).rejects.toMatchObject({ code: 'VM_NOT_FOUND' });
    // An undefined system leaves the samples.
    resultOf(await api.systems.undefine('m2', forever));
    await host.metrics.sample();
    expect((await api.metrics.current()).systems.map((s) => s.name)).toEqual(['m1']);
    await api.close();
  });

  it('keeps sampling on its interval when a sample fails, and leaves no rejection unhandled', async () => {
    // A source that fails (a store that cannot be read for a while) then recovers.
    let failing = true;
    let asked = 0;
    const source = {
      systems: () => {
        asked++;
        if (failing) throw new Error('the store cannot be read');
        return [
          { uuid: 'u', name: 'n', state: 'stopped' as const, vcpus: 1, memoryBytes: 1, startedAt: undefined },
        ];
      },
      pools: () => [],
    };
    const unhandled: unknown[] = [];
    const seen = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', seen);
    const sampler = new MetricsSampler(source, { intervalMs: 5 });
    try {
      sampler.start();
      while (asked < 3) await new Promise((r) => setTimeout(r, 5));
      failing = false;
      while (sampler.current().systems.length === 0) await new Promise((r) => setTimeout(r, 5));
    } finally {
      await sampler.stop();
      await new Promise((r) => setTimeout(r, 20));
      process.off('unhandledRejection', seen);
    }
    expect(sampler.current().systems.map((x) => x.name)).toEqual(['n']);
    expect(unhandled).toEqual([]);
  });
});
