import type { MetricsSnapshot, SystemSample } from '../api/index.js';

/**
 * The Prometheus text exposition format (version 0.0.4) of the Api's metrics: one `# HELP` and `# TYPE` line per
 * family, then its samples, every sample of a family together; names in the node_exporter / libvirt-exporter
 * style (`vessel_vm_cpu_seconds_total{vm="web1"}`); label values escaped (backslash, double quote, line feed).
 */

/** The media type of the text format. */
export const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A label value as the format writes it: `\` as `\\`, `"` as `\"`, a line feed as `\n`.
 *
 * @example
 * escapeLabel('a"b\\c\n'); // 'a\\"b\\\\c\\n'
 */
export function escapeLabel(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** A value as the format writes it (Go's float formatting: integers plainly, NaN and infinities by name). */
function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(v);
}

type Labels = readonly (readonly [string, string])[];

/** Accumulates families; each {@link family} call writes HELP, TYPE and its samples at once. */
class Exposition {
  private readonly out: string[] = [];

  family(name: string, type: 'counter' | 'gauge', help: string, samples: Iterable<[Labels, number]>): void {
    const lines: string[] = [];
    for (const [labels, v] of samples) {
      const l =
        labels.length === 0 ? '' : `{${labels.map(([k, x]) => `${k}="${escapeLabel(x)}"`).join(',')}}`;
      lines.push(`${name}${l} ${num(v)}`);
    }
    if (lines.length === 0) return;
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  }

  text(): string {
    return this.out.length === 0 ? '' : `${this.out.join('\n')}\n`;
  }
}

/** The samples of one per-system field, for systems that have it. */
function* perVm(systems: readonly SystemSample[], pick: (s: SystemSample) => number | undefined) {
  for (const s of systems) {
    const v = pick(s);
    if (v !== undefined) yield [[['vm', s.name]], v] as [Labels, number];
  }
}

function* perDevice<D>(
  systems: readonly SystemSample[],
  list: (s: SystemSample) => readonly D[],
  label: string,
  key: (d: D) => string,
  pick: (d: D) => number,
) {
  for (const s of systems)
    for (const d of list(s))
      yield [
        [
          ['vm', s.name],
          [label, key(d)],
        ],
        pick(d),
      ] as [Labels, number];
}

/**
 * The metrics of a snapshot in the Prometheus text format.
 *
 * @example
 * res.writeHead(200, { 'Content-Type': PROMETHEUS_TYPE });
 * res.end(formatPrometheus(await api.metrics.current()));
 */
export function formatPrometheus(m: MetricsSnapshot): string {
  const e = new Exposition();
  const vms = m.systems;
  e.family(
    'vessel_vm_info',
    'gauge',
    'A system: its UUID and state (always 1).',
    vms.map((s) => [
      [
        ['vm', s.name],
        ['uuid', s.uuid],
        ['state', s.state],
      ],
      1,
    ]),
  );
  e.family(
    'vessel_vm_running',
    'gauge',
    '1 while the system runs (or is paused), else 0.',
    perVm(vms, (s) => (s.state === 'running' || s.state === 'paused' ? 1 : 0)),
  );
  e.family(
    'vessel_vm_vcpus',
    'gauge',
    'Virtual CPUs of the definition.',
    perVm(vms, (s) => s.vcpus),
  );
  e.family(
    'vessel_vm_memory_bytes',
    'gauge',
    'Memory of the definition, bytes.',
    perVm(vms, (s) => s.memoryBytes),
  );
  e.family(
    'vessel_vm_cpu_seconds_total',
    'counter',
    "CPU time of the system's process since it started (all threads), seconds.",
    perVm(vms, (s) => s.cpuSeconds),
  );
  e.family(
    'vessel_vm_memory_resident_bytes',
    'gauge',
    "Resident memory of the system's process, bytes.",
    perVm(vms, (s) => s.residentBytes),
  );
  e.family(
    'vessel_vm_memory_balloon_bytes',
    'gauge',
    "The balloon's current size, bytes.",
    perVm(vms, (s) => s.balloonBytes),
  );
  e.family(
    'vessel_vm_uptime_seconds',
    'gauge',
    'Time since the system last started, seconds.',
    perVm(vms, (s) => s.uptimeSeconds),
  );
  const disks = (s: SystemSample) => s.disks;
  const dev = (d: SystemSample['disks'][number]) => d.device;
  e.family(
    'vessel_vm_disk_read_bytes_total',
    'counter',
    'Bytes read from a disk (QMP query-blockstats).',
    perDevice(vms, disks, 'device', dev, (d) => d.readBytes),
  );
  e.family(
    'vessel_vm_disk_write_bytes_total',
    'counter',
    'Bytes written to a disk.',
    perDevice(vms, disks, 'device', dev, (d) => d.writeBytes),
  );
  e.family(
    'vessel_vm_disk_read_requests_total',
    'counter',
    'Read operations of a disk.',
    perDevice(vms, disks, 'device', dev, (d) => d.readOps),
  );
  e.family(
    'vessel_vm_disk_write_requests_total',
    'counter',
    'Write operations of a disk.',
    perDevice(vms, disks, 'device', dev, (d) => d.writeOps),
  );
  const nics = (s: SystemSample) => s.nics;
  const nic = (n: SystemSample['nics'][number]) => n.nic;
  e.family(
    'vessel_vm_network_receive_bytes_total',
    'counter',
    'Bytes a NIC received (tap counters; user-mode NICs have none).',
    perDevice(vms, nics, 'nic', nic, (n) => n.receiveBytes),
  );
  e.family(
    'vessel_vm_network_transmit_bytes_total',
    'counter',
    'Bytes a NIC sent.',
    perDevice(vms, nics, 'nic', nic, (n) => n.transmitBytes),
  );
  const h = m.host;
  e.family('vessel_host_systems', 'gauge', 'Systems defined on the host.', [[[], vms.length]]);
  if (h !== undefined) {
    e.family('vessel_host_cpus', 'gauge', "The host's CPUs.", [[[], h.cpus]]);
    e.family(
      'vessel_host_cpu_seconds_total',
      'counter',
      'Time all CPUs spent, by mode (busy, idle), seconds.',
      [
        [[['mode', 'busy']], h.cpuBusySeconds],
        [[['mode', 'idle']], h.cpuIdleSeconds],
      ],
    );
    e.family('vessel_host_memory_total_bytes', 'gauge', "The host's memory, bytes.", [
      [[], h.memoryTotalBytes],
    ]);
    e.family('vessel_host_memory_available_bytes', 'gauge', 'Memory available without swapping, bytes.', [
      [[], h.memoryAvailableBytes],
    ]);
    const pools = h.pools;
    const pool = (f: (p: (typeof pools)[number]) => number) =>
      pools.map((p) => [[['pool', p.pool]], f(p)] as [Labels, number]);
    e.family(
      'vessel_host_pool_capacity_bytes',
      'gauge',
      "Size of a storage pool's file system, bytes.",
      pool((p) => p.capacityBytes),
    );
    e.family(
      'vessel_host_pool_used_bytes',
      'gauge',
      "Bytes in use on a storage pool's file system.",
      pool((p) => p.usedBytes),
    );
    e.family(
      'vessel_host_pool_available_bytes',
      'gauge',
      'Bytes a storage pool may still take.',
      pool((p) => p.availableBytes),
    );
    e.family(
      'vessel_host_sample_timestamp_seconds',
      'gauge',
      'When the host was last sampled (Unix time), seconds.',
      [[[], Date.parse(h.time) / 1000]],
    );
  }
  return e.text();
}
