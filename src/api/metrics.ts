import { type Static, Type } from '@sinclair/typebox';
import type { SystemRef } from './common.js';
import { Strict, Timestamp } from './schema.js';
import { SystemStateSchema } from './state.js';

/**
 * Metrics: what the host samples on an interval into a ring buffer per system (and for itself), so that every
 * reader (Prometheus' /metrics, the REST series, `vessel vm stats`, CIM's DSP1053 classes) reads the same samples
 * and no scrape reaches the hypervisor. Counters are cumulative since the system started, as plain numbers (exact
 * up to 2^53: 8 PiB or 104 days of CPU at a million cores).
 */

const count = Type.Number({ minimum: 0 });
const name = Type.String({ maxLength: 256 });

/** Wire schema of one system's sample. */
export const SystemSampleSchema = Type.Object({
  time: Timestamp,
  uuid: Type.String({ maxLength: 64 }),
  name,
  state: SystemStateSchema,
  vcpus: Type.Integer({ minimum: 0 }),
  /** The memory the definition gives the system. */
  memoryBytes: count,
  /** While it runs: */
  cpuSeconds: Type.Optional(count),
  /** Resident memory of the system's process (QEMU: VmRSS of /proc/PID/status). */
  residentBytes: Type.Optional(count),
  /** The balloon's current size, when the guest has a balloon. */
  balloonBytes: Type.Optional(count),
  uptimeSeconds: Type.Optional(count),
  disks: Type.Array(
    Type.Object({ device: name, readBytes: count, writeBytes: count, readOps: count, writeOps: count }),
  ),
  nics: Type.Array(Type.Object({ nic: name, receiveBytes: count, transmitBytes: count })),
  /** Why NICs have no counters (user-mode networking keeps none on the host, QMP has no query for them). */
  nicsUnavailable: Type.Optional(Type.String({ maxLength: 1024 })),
});

/** One sample of a system. */
export type SystemSample = Static<typeof SystemSampleSchema>;

/** Wire schema of the host's own sample. */
export const HostSampleSchema = Type.Object({
  time: Timestamp,
  cpus: Type.Integer({ minimum: 0 }),
  /** Seconds all CPUs spent busy (not idle nor iowait) since boot (/proc/stat). */
  cpuBusySeconds: count,
  cpuIdleSeconds: count,
  memoryTotalBytes: count,
  memoryAvailableBytes: count,
  pools: Type.Array(
    Type.Object({ pool: name, capacityBytes: count, availableBytes: count, usedBytes: count }),
  ),
});

/** One sample of the host. */
export type HostSample = Static<typeof HostSampleSchema>;

/** Wire schema of {@link MetricsSnapshot}. */
export const MetricsSnapshotSchema = Type.Object({
  intervalMs: Type.Integer({ minimum: 0 }),
  host: Type.Optional(HostSampleSchema),
  /** The latest sample of each system, by name. */
  systems: Type.Array(SystemSampleSchema),
});

/** The latest samples: what a scrape reads. */
export type MetricsSnapshot = Static<typeof MetricsSnapshotSchema>;

/** What `metrics.series` selects. */
export const SeriesQuerySchema = Strict({
  /** The last this many seconds (default 3600; the ring keeps what its size allows). */
  rangeSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 86_400 })),
});

/** What `metrics.series` selects. */
export type SeriesQuery = Static<typeof SeriesQuerySchema>;

/**
 * The host's metrics.
 *
 * @example
 * const { systems } = await api.metrics.current();
 * for (const s of systems) console.log(s.name, s.cpuSeconds);
 * const series = await api.metrics.series('web1', { rangeSeconds: 3600 });
 */
export interface MetricsApi {
  /** The latest sample of the host and of every system. */
  current(): Promise<MetricsSnapshot>;
  /** One system's samples over the range, oldest first. */
  series(ref: SystemRef, q?: SeriesQuery): Promise<SystemSample[]>;
}
