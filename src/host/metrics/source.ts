import type { HypervisorDriver } from '../../hypervisor/index.js';
import { cpuCount, memoryBytes, type VirtualSystemDefinition } from '../../model/index.js';
import type { StoragePools } from '../pools/index.js';
import type { Store } from '../store.js';
import type { SampledSystem, SamplerSource } from './sampler.js';

/**
 * The sampler's view of a host: its stored systems (vCPUs and memory from their definitions, the start time of
 * those that run), the driver's `stats` and the pools' statfs figures.
 *
 * @example
 * const sampler = new MetricsSampler(hostMetricsSource(store, driver, pools));
 */
export function hostMetricsSource(
  store: Store,
  driver: HypervisorDriver,
  pools: StoragePools,
): SamplerSource {
  // Sizes by uuid and etag: a definition is parsed again only when it changed (1,000 parses per sample otherwise).
  let sizes = new Map<string, { etag: string; vcpus: number; memoryBytes: number }>();
  return {
    systems: () => {
      const next = new Map<string, { etag: string; vcpus: number; memoryBytes: number }>();
      const out = store.listVms().map((v): SampledSystem => {
        const live = v.state !== 'stopped';
        const started = live ? store.lastEntered(v.uuid, 'starting') : undefined;
        let size = sizes.get(v.uuid);
        if (size?.etag !== v.etag) size = { etag: v.etag, ...sizesOf(v.definition) };
        next.set(v.uuid, size);
        return {
          uuid: v.uuid,
          name: v.name,
          state: v.state,
          vcpus: size.vcpus,
          memoryBytes: size.memoryBytes,
          startedAt: live ? Date.parse(started ?? v.changedAt) : undefined,
        };
      });
      sizes = next;
      return out;
    },
    stats: driver.stats === undefined ? undefined : (uuid) => driver.stats!(uuid),
    pools: () =>
      pools.list().map((p) => ({
        pool: p.name,
        capacityBytes: p.capacityBytes ?? 0,
        availableBytes: p.freeBytes ?? 0,
        usedBytes: p.usedBytes ?? 0,
      })),
  };
}

/**
 * A definition's CPU count and memory for the metrics, 0 for what cannot be read: a stored definition that the
 * model's rules refuse now (an older host's, or a unit given in a way the rules no longer read) is sampled all the
 * same, without its sizes, rather than failing every sample.
 */
function sizesOf(def: VirtualSystemDefinition): { vcpus: number; memoryBytes: number } {
  const read = <T>(f: () => T | undefined, none: T): T => {
    try {
      return f() ?? none;
    } catch {
      return none;
    }
  };
  return { vcpus: read(() => cpuCount(def), 0), memoryBytes: Number(read(() => memoryBytes(def), 0n)) };
}
