import type { MetricsSample } from './host-types.js';

/**
 * What the metrics samples mean to people: counters (CPU seconds, disk and NIC bytes) become rates between two
 * samples; a restart (a counter that falls) or a stopped sample breaks the line rather than drawing a negative
 * rate.
 */

/** A chart's line: times (ms since the epoch) and values; NaN is a gap. */
export interface Line {
  t: number[];
  y: number[];
}

/** A system's use now: CPU as a share of its vCPUs (0..1), memory used and given, in bytes. */
export interface Usage {
  cpu: number | undefined;
  memoryUsed: number | undefined;
  memoryTotal: number;
}

/** The memory a guest uses: resident when the host knows it, else what the balloon left it, else what it was given. */
export function memoryUsed(s: MetricsSample): number | undefined {
  return s.residentBytes ?? s.balloonBytes ?? (s.state === 'stopped' ? undefined : s.memoryBytes);
}

const sum = (xs: readonly { [k: string]: unknown }[], ...keys: string[]) =>
  xs.reduce((n, x) => n + keys.reduce((m, k) => m + (typeof x[k] === 'number' ? (x[k] as number) : 0), 0), 0);

/** A counter's rate per second between samples (from the second sample on); NaN across a restart or a gap. */
function rate(
  items: readonly MetricsSample[],
  read: (s: MetricsSample) => number | undefined,
  per = 1,
): Line {
  const line: Line = { t: [], y: [] };
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1]!;
    const b = items[i]!;
    const dt = (Date.parse(b.time) - Date.parse(a.time)) / 1000;
    const va = read(a);
    const vb = read(b);
    const ok = dt > 0 && va !== undefined && vb !== undefined && vb >= va && b.state !== 'stopped';
    line.t.push(Date.parse(b.time));
    line.y.push(ok ? (vb - va) / dt / per : Number.NaN);
  }
  return line;
}

/** The four charts of a system page: CPU (% of its vCPUs), memory (bytes), disk and network (bytes per second). */
export function chartLines(
  items: readonly MetricsSample[],
): Record<'cpu' | 'memory' | 'disk' | 'network', Line> {
  const cpu = rate(items, (s) => s.cpuSeconds);
  cpu.y = cpu.y.map((v, i) => (Number.isNaN(v) ? v : (100 * v) / Math.max(1, items[i + 1]!.vcpus)));
  return {
    cpu,
    memory: {
      t: items.map((s) => Date.parse(s.time)),
      y: items.map((s) => memoryUsed(s) ?? Number.NaN),
    },
    disk: rate(items, (s) => sum(s.disks, 'readBytes', 'writeBytes')),
    network: rate(items, (s) => sum(s.nics, 'receiveBytes', 'transmitBytes')),
  };
}

/** The use now, from the last two samples (CPU needs two); undefined without a sample of a live system. */
export function usageOf(items: readonly MetricsSample[]): Usage | undefined {
  const last = items[items.length - 1];
  if (last === undefined || last.state === 'stopped') return undefined;
  const cpu = rate(items.slice(-2), (s) => s.cpuSeconds).y[0];
  return {
    cpu: cpu === undefined || Number.isNaN(cpu) ? undefined : Math.min(1, cpu / Math.max(1, last.vcpus)),
    memoryUsed: memoryUsed(last),
    memoryTotal: last.memoryBytes,
  };
}
