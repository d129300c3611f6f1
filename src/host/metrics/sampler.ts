import type { HostSample, MetricsSnapshot, SystemSample, SystemState } from '../../api/index.js';
import type { DomainStats } from '../../hypervisor/index.js';
import { hostReadings } from './proc.js';
import { Ring } from './ring.js';

/** One system as the sampler sees it (from the host's store). */
export interface SampledSystem {
  uuid: string;
  name: string;
  state: SystemState;
  vcpus: number;
  memoryBytes: number;
  /** When it last started (ms since the epoch), while it runs. */
  startedAt?: number | undefined;
}

/** What the sampler reads: the host's systems, the driver's statistics, the pools. */
export interface SamplerSource {
  systems(): SampledSystem[];
  /** The driver's statistics of a running system (absent when the driver has none). */
  stats?: ((uuid: string) => Promise<DomainStats>) | undefined;
  pools(): HostSample['pools'];
}

/** Options of {@link MetricsSampler}. */
export interface SamplerOptions {
  /** Interval between samples, ms (default 10 s); 0 samples only when asked ({@link MetricsSampler.sample}). */
  intervalMs?: number;
  /** Samples kept per system (default 360: an hour at 10 s). */
  keep?: number;
  /** Statistics read at once (default 4), so that a host with many systems does not flood its hypervisor. */
  concurrency?: number;
}

/** How long one system's statistics may take before the sample goes without them, ms. */
const STATS_TIMEOUT_MS = 5000;

interface Kept {
  at: number;
  sample: SystemSample;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([p.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

/** A system's sample from its row and, while it runs, its statistics. */
function sampleOf(s: SampledSystem, time: string, now: number, st: DomainStats | undefined): SystemSample {
  const base: SystemSample = {
    time,
    uuid: s.uuid,
    name: s.name,
    state: s.state,
    vcpus: s.vcpus,
    memoryBytes: s.memoryBytes,
    disks: [],
    nics: [],
  };
  if (s.startedAt !== undefined) base.uptimeSeconds = Math.max(0, (now - s.startedAt) / 1000);
  if (st === undefined) return base;
  base.cpuSeconds = Number(st.cpuTimeNs) / 1e9;
  if (st.residentBytes !== undefined) base.residentBytes = Number(st.residentBytes);
  if (st.balloonBytes !== undefined) base.balloonBytes = Number(st.balloonBytes);
  base.disks = st.disks.map((d) => ({
    device: d.instanceId,
    readBytes: Number(d.readBytes),
    writeBytes: Number(d.writeBytes),
    readOps: Number(d.readOps),
    writeOps: Number(d.writeOps),
  }));
  base.nics = st.nics.map((n) => ({
    nic: n.instanceId,
    receiveBytes: Number(n.rxBytes),
    transmitBytes: Number(n.txBytes),
  }));
  if (st.nicsUnavailable !== undefined) base.nicsUnavailable = st.nicsUnavailable;
  return base;
}

/**
 * Samples the host and its systems on an interval into a ring per system: what every metrics reader reads, so
 * that a scrape costs no call to the hypervisor (no per-scrape QMP storm). A running system's statistics come from
 * the driver (QEMU: /proc of its process and QMP query-blockstats), a few systems at a time; a system that does not
 * answer in time is sampled without them.
 *
 * @example
 * const sampler = new MetricsSampler(source, { intervalMs: 10_000 });
 * sampler.start();
 * const snap = sampler.current();
 * sampler.stop();
 */
export class MetricsSampler {
  readonly intervalMs: number;
  private readonly keep: number;
  private readonly concurrency: number;
  private readonly rings = new Map<string, Ring<Kept>>();
  private latest: SystemSample[] = [];
  private host: HostSample | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly source: SamplerSource,
    o: SamplerOptions = {},
  ) {
    this.intervalMs = o.intervalMs ?? 10_000;
    this.keep = Math.max(1, o.keep ?? 360);
    this.concurrency = Math.max(1, o.concurrency ?? 4);
  }

  /** Samples now, then every interval (nothing when the interval is 0). */
  start(): void {
    if (this.timer !== undefined || this.intervalMs <= 0) return;
    // A sample that fails is lost, not the host: the next one is taken on time (a timer's rejection is unhandled).
    const tick = () => {
      this.sample().catch(() => undefined);
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling; waits for a sample under way. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Takes one sample of the host and every system (a sample under way is joined, not doubled). */
  sample(): Promise<void> {
    this.running ??= this.take().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The latest samples. */
  current(): MetricsSnapshot {
    return {
      intervalMs: this.intervalMs,
      ...(this.host === undefined ? {} : { host: this.host }),
      systems: this.latest,
    };
  }

  /** A system's samples of the last `rangeSeconds`, oldest first. */
  series(uuid: string, rangeSeconds: number): SystemSample[] {
    const from = Date.now() - rangeSeconds * 1000;
    return (this.rings.get(uuid)?.toArray((k) => k.at >= from) ?? []).map((k) => k.sample);
  }

  private async take(): Promise<void> {
    const now = Date.now();
    const time = new Date(now).toISOString();
    const systems = this.source.systems();
    const stats = new Map<string, DomainStats>();
    const read = this.source.stats;
    const live =
      read === undefined ? [] : systems.filter((s) => s.state === 'running' || s.state === 'paused');
    for (let i = 0; i < live.length; i += this.concurrency) {
      const batch = live.slice(i, i + this.concurrency);
      const got = await Promise.all(batch.map((s) => withTimeout(read!(s.uuid), STATS_TIMEOUT_MS)));
      got.forEach((st, j) => {
        if (st !== undefined) stats.set(batch[j]!.uuid, st);
      });
    }
    const latest: SystemSample[] = [];
    const seen = new Set<string>();
    for (const s of systems) {
      const sample = sampleOf(s, time, now, stats.get(s.uuid));
      latest.push(sample);
      seen.add(s.uuid);
      let ring = this.rings.get(s.uuid);
      if (ring === undefined) {
        ring = new Ring<Kept>(this.keep);
        this.rings.set(s.uuid, ring);
      }
      // A stopped system's samples say the same each time: one is kept until it changes.
      const last = ring.last();
      if (!(s.state === 'stopped' && last?.sample.state === 'stopped')) ring.push({ at: now, sample });
    }
    for (const uuid of [...this.rings.keys()]) if (!seen.has(uuid)) this.rings.delete(uuid);
    latest.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.latest = latest;
    this.host = { time, ...hostReadings(), pools: this.source.pools() };
  }
}
