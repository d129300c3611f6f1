import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HypervisorDriver } from '../../hypervisor/index.js';
import { buildDefinition } from '../../model/index.js';
import type { StoragePools } from '../pools/index.js';
import { Store } from '../store.js';
import { hostMetricsSource } from './source.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-msource-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hostMetricsSource', () => {
  it('sizes each system from its definition, again only when the definition changed', () => {
    const store = new Store(join(dir, 's.db'));
    const pools = { list: () => [] } as unknown as StoragePools;
    const source = hostMetricsSource(store, {} as HypervisorDriver, pools);
    store.putVm('u1', buildDefinition({ name: 'a', cpus: 1, memoryBytes: 1n << 28n }));
    store.putVm('u2', buildDefinition({ name: 'b', cpus: 2, memoryBytes: 1n << 29n }));
    expect(source.systems().map((s) => [s.name, s.vcpus, s.memoryBytes])).toEqual([
      ['a', 1, 2 ** 28],
      ['b', 2, 2 ** 29],
    ]);
    store.putVm('u1', buildDefinition({ name: 'a', cpus: 4, memoryBytes: 1n << 30n }));
    store.deleteVm('u2');
    expect(source.systems().map((s) => [s.name, s.vcpus, s.memoryBytes])).toEqual([['a', 4, 2 ** 30]]);
    store.close();
  });

  it('samples a stored system whose sizes the rules cannot read, without them, and the others as before', () => {
    // Definitions an older host stored: a processor counted in thousands, memory in a unit that is none.
    const store = new Store(join(dir, 'bad.db'));
    const source = hostMetricsSource(
      store,
      {} as HypervisorDriver,
      { list: () => [] } as unknown as StoragePools,
    );
    const bad = buildDefinition({ name: 'bad', cpus: 2, memoryBytes: 1n << 28n });
    for (const r of bad.resources) {
      if (r.properties.ResourceType === '3') r.properties.VirtualQuantityUnits = 'count*10^3';
      if (r.properties.ResourceType === '4') r.properties.AllocationUnits = 'file:///x';
    }
    store.putVm('u1', bad);
    store.putVm('u2', buildDefinition({ name: 'good', cpus: 2, memoryBytes: 1n << 29n }));
    expect(source.systems().map((s) => [s.name, s.vcpus, s.memoryBytes])).toEqual([
      ['bad', 0, 0],
      ['good', 2, 2 ** 29],
    ]);
    store.close();
  });
});
