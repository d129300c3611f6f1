import { ApiError, type HostSample, type SystemSample } from '../../../api/index.js';
import type { CimInstance } from '../../../cim/index.js';
import { isoOfCimTimestamp, UNKNOWN_TIME } from './values.js';

/**
 * DSP1053 values as the Api's samples: CIM_BaseMetricDefinition says what a value is (its Name, the metric's key,
 * and its ProgrammaticUnits), CIM_BaseMetricValue carries one reading as a string with its TimeStamp, the element
 * it measures (MeasuredElementName) and, for a drive, NIC or pool, its BreakdownValue. Units are checked and scaled
 * exactly (DSP0004 programmatic units, `byte * 2^10` is KiB); a value that is not a number is PROTOCOL.
 */

/** The most values one answer may hold (1,000 systems with a dozen values each fit with room to spare). */
export const MAX_METRIC_VALUES = 100_000;

/** A definition as the client needs it: the metric's key and the factor to the Api's unit. */
export interface MetricDef {
  key: string;
  /** Multiplies a value into the unit the Api uses (second, byte, count). */
  factor: number;
  integer: boolean;
}

type SystemField =
  | 'cpuSeconds'
  | 'residentBytes'
  | 'balloonBytes'
  | 'uptimeSeconds'
  | 'vcpus'
  | 'memoryBytes';
type DiskField = 'readBytes' | 'writeBytes' | 'readOps' | 'writeOps';
type HostField = 'cpus' | 'cpuBusySeconds' | 'cpuIdleSeconds' | 'memoryTotalBytes' | 'memoryAvailableBytes';
type PoolField = 'capacityBytes' | 'availableBytes' | 'usedBytes';

type Target =
  | { kind: 'system'; field: SystemField }
  | { kind: 'disk'; field: DiskField }
  | { kind: 'nic'; field: 'receiveBytes' | 'transmitBytes' }
  | { kind: 'host'; field: HostField }
  | { kind: 'pool'; field: PoolField };

/** The metrics the client reads, by definition Name, with the base unit their values must be in. */
const KNOWN: Record<string, Target & { unit: string }> = {
  SystemCPUTime: { kind: 'system', field: 'cpuSeconds', unit: 'second' },
  SystemMemoryResident: { kind: 'system', field: 'residentBytes', unit: 'byte' },
  SystemVirtualProcessors: { kind: 'system', field: 'vcpus', unit: 'count' },
  SystemMemoryDefined: { kind: 'system', field: 'memoryBytes', unit: 'byte' },
  SystemMemoryBalloon: { kind: 'system', field: 'balloonBytes', unit: 'byte' },
  SystemUptime: { kind: 'system', field: 'uptimeSeconds', unit: 'second' },
  DiskReadBytes: { kind: 'disk', field: 'readBytes', unit: 'byte' },
  DiskWriteBytes: { kind: 'disk', field: 'writeBytes', unit: 'byte' },
  DiskReadOperations: { kind: 'disk', field: 'readOps', unit: 'count' },
  DiskWriteOperations: { kind: 'disk', field: 'writeOps', unit: 'count' },
  NetworkReceiveBytes: { kind: 'nic', field: 'receiveBytes', unit: 'byte' },
  NetworkTransmitBytes: { kind: 'nic', field: 'transmitBytes', unit: 'byte' },
  HostProcessors: { kind: 'host', field: 'cpus', unit: 'count' },
  HostCPUBusyTime: { kind: 'host', field: 'cpuBusySeconds', unit: 'second' },
  HostCPUIdleTime: { kind: 'host', field: 'cpuIdleSeconds', unit: 'second' },
  HostMemoryTotal: { kind: 'host', field: 'memoryTotalBytes', unit: 'byte' },
  HostMemoryAvailable: { kind: 'host', field: 'memoryAvailableBytes', unit: 'byte' },
  PoolCapacity: { kind: 'pool', field: 'capacityBytes', unit: 'byte' },
  PoolAvailable: { kind: 'pool', field: 'availableBytes', unit: 'byte' },
  PoolUsed: { kind: 'pool', field: 'usedBytes', unit: 'byte' },
};

/** DataType values (CIM 2.41 ValueMap) whose values are whole numbers. */
const INTEGER_TYPES = new Set(['6', '7', '8', '9', '11', '12', '13', '14']);

/** `unit`, `unit * 10^N` or `unit * 2^N` (DSP0004 Annex C programmatic units, the forms hosts use). */
function factorOf(units: string, base: string): number | undefined {
  const m = /^\s*([a-z]+)\s*(?:\*\s*(10|2)\s*\^\s*(-?\d{1,3}))?\s*$/i.exec(units);
  if (m === null || m[1]?.toLowerCase() !== base) return undefined;
  return m[2] === undefined ? 1 : Number(m[2]) ** Number(m[3]);
}

/**
 * The definitions the client reads, by Id; a definition of a metric it does not know is left out, one of a known
 * metric in another unit than its own is PROTOCOL.
 *
 * @example
 * const defs = metricDefinitions(await c.enumerateInstances('CIM_BaseMetricDefinition'), 'h1:5989');
 */
export function metricDefinitions(insts: readonly CimInstance[], where: string): Map<string, MetricDef> {
  const out = new Map<string, MetricDef>();
  for (const d of insts) {
    const p = d.properties;
    const key = String(p.Name ?? '');
    const known = KNOWN[key];
    if (known === undefined || typeof p.Id !== 'string') continue;
    const units = String(p.ProgrammaticUnits ?? known.unit);
    const factor = factorOf(units, known.unit);
    if (factor === undefined)
      throw new ApiError(
        'PROTOCOL',
        `${where} defines the metric ${key} in "${units.slice(0, 64)}", not in ${known.unit}s (DSP1053 ProgrammaticUnits)`,
      );
    out.set(p.Id, { key, factor, integer: INTEGER_TYPES.has(String(p.DataType ?? '')) });
  }
  return out;
}

/** One value read: its metric, the element and breakdown it is of, the number and its time. */
interface Reading {
  target: Target;
  element: string;
  breakdown: string | undefined;
  value: number;
  time: string | undefined;
}

function reading(v: CimInstance, defs: Map<string, MetricDef>, where: string): Reading | undefined {
  const p = v.properties;
  const id = String(p.InstanceID ?? p.MetricDefinitionId ?? '').slice(0, 200);
  const defId = String(p.MetricDefinitionId ?? '');
  const def = defs.get(defId);
  if (def === undefined) {
    if (KNOWN[defId.slice(defId.lastIndexOf(':') + 1)] === undefined) return undefined;
    throw new ApiError(
      'PROTOCOL',
      `${where} serves the metric value "${id}" but not its definition "${defId.slice(0, 200)}" (DSP1053: each value has one CIM_BaseMetricDefinition)`,
    );
  }
  const text = String(p.MetricValue ?? '').trim();
  const n = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text) ? Number(text) * def.factor : Number.NaN;
  if (!Number.isFinite(n) || (def.integer && !Number.isInteger(n)))
    throw new ApiError(
      'PROTOCOL',
      `${where} gives the metric value "${id}" as "${text.slice(0, 64)}", which is not ${def.integer ? 'a whole number' : 'a number'} of ${KNOWN[def.key]?.unit}s (DSP1053 MetricValue)`,
    );
  const breakdown = typeof p.BreakdownValue === 'string' ? p.BreakdownValue : undefined;
  const target = KNOWN[def.key]!;
  if ((target.kind === 'disk' || target.kind === 'nic' || target.kind === 'pool') && breakdown === undefined)
    return undefined;
  const time = isoOfCimTimestamp(typeof p.TimeStamp === 'string' ? p.TimeStamp : undefined);
  return { target, element: String(p.MeasuredElementName ?? ''), breakdown, value: n, time };
}

/** What the values of one system or of the host add up to, before the sample's required parts are checked. */
export interface ReadSamples {
  systems: Map<string, Partial<SystemSample> & Pick<SystemSample, 'disks' | 'nics'>>;
  host: (Partial<HostSample> & Pick<HostSample, 'pools'>) | undefined;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined || (b !== undefined && b > a) ? b : a;
}

function byName<T>(list: T[], name: string, key: (x: T) => string, make: () => T): T {
  const hit = list.find((x) => key(x) === name);
  if (hit !== undefined) return hit;
  const made = make();
  list.push(made);
  return made;
}

/**
 * The samples the values make: one per system (by MeasuredElementName, or `only` for the values of one system's
 * association, where a value naming another element is left out) and the host's; each sample's time is its latest value's TimeStamp.
 *
 * @example
 * const { systems, host } = samplesOf(values, defs, 'h1:5989');
 */
export function samplesOf(
  values: readonly CimInstance[],
  defs: Map<string, MetricDef>,
  where: string,
  only?: string,
): ReadSamples {
  if (values.length > MAX_METRIC_VALUES)
    throw new ApiError(
      'PROTOCOL',
      `${where} answered ${values.length} metric values, more than the ${MAX_METRIC_VALUES} this client reads`,
    );
  const out: ReadSamples = { systems: new Map(), host: undefined };
  for (const v of values) {
    const r = reading(v, defs, where);
    if (r === undefined) continue;
    const t = r.target;
    if (t.kind === 'host' || t.kind === 'pool') {
      const h = out.host ?? { pools: [] };
      out.host = h;
      const ht = later(h.time, r.time);
      if (ht !== undefined) h.time = ht;
      if (t.kind === 'host') h[t.field] = r.value;
      else
        byName(
          h.pools,
          r.breakdown!,
          (x) => x.pool,
          () => ({ pool: r.breakdown!, capacityBytes: 0, availableBytes: 0, usedBytes: 0 }),
        )[t.field] = r.value;
      continue;
    }
    // Through one system's association, a value naming another element is not that system's.
    if (only !== undefined && r.element !== '' && r.element !== only) continue;
    const name = only ?? r.element;
    if (name === '') continue;
    const s = out.systems.get(name) ?? { name, disks: [], nics: [] };
    out.systems.set(name, s);
    const st = later(s.time, r.time);
    if (st !== undefined) s.time = st;
    if (t.kind === 'system') s[t.field] = r.value;
    else if (t.kind === 'disk')
      byName(
        s.disks,
        r.breakdown!,
        (x) => x.device,
        () => ({ device: r.breakdown!, readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 }),
      )[t.field] = r.value;
    else
      byName(
        s.nics,
        r.breakdown!,
        (x) => x.nic,
        () => ({ nic: r.breakdown!, receiveBytes: 0, transmitBytes: 0 }),
      )[t.field] = r.value;
  }
  return out;
}

/** The host's sample when its values carry every part of one, else undefined. */
export function hostSampleOf(h: ReadSamples['host']): HostSample | undefined {
  if (h === undefined) return undefined;
  const { cpus, cpuBusySeconds, cpuIdleSeconds, memoryTotalBytes, memoryAvailableBytes } = h;
  if (
    cpus === undefined ||
    cpuBusySeconds === undefined ||
    cpuIdleSeconds === undefined ||
    memoryTotalBytes === undefined ||
    memoryAvailableBytes === undefined
  )
    return undefined;
  return {
    time: h.time ?? UNKNOWN_TIME,
    cpus,
    cpuBusySeconds,
    cpuIdleSeconds,
    memoryTotalBytes,
    memoryAvailableBytes,
    pools: h.pools,
  };
}
