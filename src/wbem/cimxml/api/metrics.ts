import {
  ApiError,
  type MetricsApi,
  type MetricsSnapshot,
  type SeriesQuery,
  type SystemSample,
  type SystemStats,
} from '../../../api/index.js';
import { cpuCount, memoryBytes as memoryBytes_ } from '../../../model/index.js';
import type { Inventory, Listed } from './inventory.js';
import {
  hostSampleOf,
  type MetricDef,
  metricDefinitions,
  type ReadSamples,
  samplesOf,
} from './metrics-read.js';
import type { CimSession } from './session.js';
import { UNKNOWN_TIME } from './values.js';

/**
 * The metrics namespace over CIM (either encoding), from the DMTF Base Metrics profile (DSP1053): the
 * definitions (CIM_BaseMetricDefinition, read once per connection), every value (an enumeration of
 * CIM_BaseMetricValue) for `current`, and one system's values through CIM_MetricForME for `series` and
 * `systems.stats`. DSP1053 values are the host's latest sample only, so a series is that one sample (when it falls
 * in the range), and the sampling interval, which DSP1053 does not carry, is 0 (unknown).
 *
 * @example
 * const snap = await api.metrics.current();
 * const [latest] = await api.metrics.series('web1');
 */
export class CimMetrics implements MetricsApi {
  private defs: Promise<Map<string, MetricDef>> | undefined;

  constructor(
    private readonly s: CimSession,
    private readonly inv: Inventory,
  ) {}

  async current(): Promise<MetricsSnapshot> {
    const ctx = { what: 'Reading the metrics (DSP1053)' };
    const defs = await this.definitions();
    const values = await this.s.call(ctx, (c) =>
      c.enumerateInstances('CIM_BaseMetricValue', { namespace: this.s.namespace }),
    );
    const read = samplesOf(values, defs, this.s.where);
    const systems: SystemSample[] = [];
    for (const x of await this.inv.list()) {
      const s = await this.sampleOf(x, read);
      if (s !== undefined) systems.push(s);
    }
    const host = hostSampleOf(read.host);
    return { intervalMs: 0, ...(host === undefined ? {} : { host }), systems };
  }

  async series(ref: string, q: SeriesQuery = {}): Promise<SystemSample[]> {
    const x = await this.inv.find(ref);
    const s = await this.latest(x);
    if (s === undefined) return [];
    const since = Date.now() - (q.rangeSeconds ?? 3600) * 1000;
    return Date.parse(s.time) >= since || s.time === UNKNOWN_TIME ? [s] : [];
  }

  /** A running system's statistics from its latest DSP1053 values (not a live reading: the sampler's). */
  async stats(ref: string): Promise<SystemStats> {
    const x = await this.inv.find(ref);
    const s = await this.latest(x);
    if (s?.cpuSeconds === undefined)
      throw new ApiError(
        'INVALID_STATE',
        `Cannot read the statistics of "${x.summary.name}": ${this.s.where} has no CPU time value (DSP1053) of it; it is ${x.summary.state}`,
      );
    return {
      cpuTimeNs: BigInt(Math.round(s.cpuSeconds * 1e9)),
      memoryBytes: BigInt(s.memoryBytes),
      ...(s.balloonBytes === undefined ? {} : { balloonBytes: BigInt(s.balloonBytes) }),
      ...(s.residentBytes === undefined ? {} : { residentBytes: BigInt(s.residentBytes) }),
      disks: s.disks.map((d) => ({
        instanceId: d.device,
        readBytes: BigInt(d.readBytes),
        writeBytes: BigInt(d.writeBytes),
        readOps: BigInt(d.readOps),
        writeOps: BigInt(d.writeOps),
      })),
      nics: s.nics.map((n) => ({
        instanceId: n.nic,
        rxBytes: BigInt(n.receiveBytes),
        txBytes: BigInt(n.transmitBytes),
      })),
      uptimeMs: Math.round((s.uptimeSeconds ?? 0) * 1000),
    };
  }

  /** One system's latest sample, from the values CIM_MetricForME links to its CIM_ComputerSystem. */
  private async latest(x: Listed): Promise<SystemSample | undefined> {
    const defs = await this.definitions();
    const values = await this.s.call({ what: `Reading the metrics of "${x.summary.name}" (DSP1053)` }, (c) =>
      c.associators(x.cs.path, { assocClass: 'CIM_MetricForME', resultClass: 'CIM_BaseMetricValue' }),
    );
    return this.sampleOf(x, samplesOf(values, defs, this.s.where, x.summary.name));
  }

  /**
   * The sample of a listed system, when the host has values of it; what DSP1053 values leave out (a foreign host
   * that serves no defined vCPUs or memory) comes from the system's settings.
   */
  private async sampleOf(x: Listed, read: ReadSamples): Promise<SystemSample | undefined> {
    const r = read.systems.get(x.summary.name);
    if (r === undefined) return undefined;
    let { vcpus, memoryBytes } = r;
    if (vcpus === undefined || memoryBytes === undefined) {
      const { definition } = await this.inv.detail(x);
      vcpus ??= cpuCount(definition) ?? 0;
      memoryBytes ??= Number(memoryBytes_(definition) ?? 0n);
    }
    const { time, name: _name, ...rest } = r;
    return {
      time: time ?? UNKNOWN_TIME,
      uuid: x.summary.uuid,
      name: x.summary.name,
      state: x.summary.state,
      ...rest,
      vcpus,
      memoryBytes,
    };
  }

  private definitions(): Promise<Map<string, MetricDef>> {
    this.defs ??= this.s
      .call({ what: 'Reading the metric definitions (DSP1053)' }, (c) =>
        c.enumerateInstances('CIM_BaseMetricDefinition', { namespace: this.s.namespace }),
      )
      .then((d) => metricDefinitions(d, this.s.where));
    this.defs.catch(() => {
      this.defs = undefined;
    });
    return this.defs;
  }
}
