import type { HostSample, SystemSample } from '../api/index.js';
import { ORG } from './naming.js';

/**
 * The metrics Vessel presents as the Base Metrics profile (DSP1053): one entry per quantity the host's sampler
 * records (src/host/metrics), with the CIM_BaseMetricDefinition properties that describe it and how to read it
 * from a sample. Values of DataType, ChangeType, TimeScope and GatheringType are the CIM 2.41 ValueMaps.
 */

/** CIM_BaseMetricDefinition.DataType (DSP1053 §10.1). */
export const MetricDataType = { real64: 5, uint64: 13 } as const;
/** CIM_BaseMetricDefinition.ChangeType: a counter only grows (until its element restarts); a gauge moves. */
export const ChangeType = { counter: 3, gauge: 4 } as const;
/** CIM_BaseMetricDefinition.TimeScope: a point in time, or the time since the element started. */
export const TimeScope = { point: 2, startupInterval: 4 } as const;
/** CIM_BaseMetricDefinition.GatheringType: Vessel samples on an interval. */
export const GATHERING_PERIODIC = 3;
/** CIM_BaseMetricDefinition.Calculable: values of several elements add up (bytes, seconds, operations). */
export const CALCULABLE_SUMMABLE = 2;

/** What a metric is measured on: a virtual system, one of its drives or NICs, the host, or a storage pool. */
export type MeasuredKind = 'system' | 'disk' | 'nic' | 'host' | 'pool';

/** One reading of a metric: the value and, for a breakdown, which device or pool it is of. */
export interface Reading {
  value: number;
  breakdown?: string;
}

/** A metric Vessel samples. */
export interface MetricSpec {
  /** The local part of the definition's Id (`Vessel:Metric:<key>`); no `/`. */
  key: string;
  name: string;
  kind: MeasuredKind;
  dataType: number;
  /** DSP0004 programmatic units. */
  units: string;
  /** CIM_BaseMetricDefinition.Units when the programmatic unit's plain word is not it (a count of processors). */
  unitsText?: string;
  changeType: number;
  timeScope: number;
  /** Its readings in a system's sample (system, disk and nic metrics). */
  ofSystem?: (s: SystemSample) => Reading[];
  /** Its readings in the host's sample (host and pool metrics). */
  ofHost?: (h: HostSample) => Reading[];
}

const one = (v: number | undefined): Reading[] => (v === undefined ? [] : [{ value: v }]);

/** The breakdown dimension of each kind that has one (BreakdownDimensions, BreakdownDimension). */
export const BREAKDOWN: Partial<Record<MeasuredKind, string>> = { disk: 'Device', nic: 'NIC', pool: 'Pool' };

type DiskField = 'readBytes' | 'writeBytes' | 'readOps' | 'writeOps';
function disk(key: string, name: string, field: DiskField, units: string): MetricSpec {
  return {
    key,
    name,
    kind: 'disk',
    dataType: MetricDataType.uint64,
    units,
    changeType: ChangeType.counter,
    timeScope: TimeScope.startupInterval,
    ofSystem: (s) => s.disks.map((d) => ({ value: d[field], breakdown: d.device })),
  };
}

function nic(key: string, name: string, field: 'receiveBytes' | 'transmitBytes'): MetricSpec {
  return {
    key,
    name,
    kind: 'nic',
    dataType: MetricDataType.uint64,
    units: 'byte',
    changeType: ChangeType.counter,
    timeScope: TimeScope.startupInterval,
    ofSystem: (s) => s.nics.map((n) => ({ value: n[field], breakdown: n.nic })),
  };
}

function pool(
  key: string,
  name: string,
  field: 'capacityBytes' | 'availableBytes' | 'usedBytes',
): MetricSpec {
  return {
    key,
    name,
    kind: 'pool',
    dataType: MetricDataType.uint64,
    units: 'byte',
    changeType: ChangeType.gauge,
    timeScope: TimeScope.point,
    ofHost: (h) => h.pools.map((p) => ({ value: p[field], breakdown: p.pool })),
  };
}

/** Every metric, in the order they are enumerated. */
export const METRICS: readonly MetricSpec[] = [
  {
    key: 'SystemCPUTime',
    name: 'CPU time of a virtual system (all its vCPUs)',
    kind: 'system',
    dataType: MetricDataType.real64,
    units: 'second',
    changeType: ChangeType.counter,
    timeScope: TimeScope.startupInterval,
    ofSystem: (s) => one(s.cpuSeconds),
  },
  {
    key: 'SystemMemoryResident',
    name: "Resident memory of a virtual system's process",
    kind: 'system',
    dataType: MetricDataType.uint64,
    units: 'byte',
    changeType: ChangeType.gauge,
    timeScope: TimeScope.point,
    ofSystem: (s) => one(s.residentBytes),
  },
  {
    key: 'SystemVirtualProcessors',
    name: 'Virtual CPUs the definition of a virtual system gives it',
    kind: 'system',
    dataType: MetricDataType.uint64,
    units: 'count',
    unitsText: 'Processors',
    changeType: ChangeType.gauge,
    timeScope: TimeScope.point,
    ofSystem: (s) => one(s.vcpus),
  },
  {
    key: 'SystemMemoryDefined',
    name: 'Memory the definition of a virtual system gives it',
    kind: 'system',
    dataType: MetricDataType.uint64,
    units: 'byte',
    changeType: ChangeType.gauge,
    timeScope: TimeScope.point,
    ofSystem: (s) => one(s.memoryBytes),
  },
  {
    key: 'SystemMemoryBalloon',
    name: "Current size of a virtual system's memory balloon",
    kind: 'system',
    dataType: MetricDataType.uint64,
    units: 'byte',
    changeType: ChangeType.gauge,
    timeScope: TimeScope.point,
    ofSystem: (s) => one(s.balloonBytes),
  },
  {
    key: 'SystemUptime',
    name: 'Time since a virtual system started',
    kind: 'system',
    dataType: MetricDataType.real64,
    units: 'second',
    changeType: ChangeType.counter,
    timeScope: TimeScope.startupInterval,
    ofSystem: (s) => one(s.uptimeSeconds),
  },
  disk('DiskReadBytes', 'Bytes read from a virtual drive', 'readBytes', 'byte'),
  disk('DiskWriteBytes', 'Bytes written to a virtual drive', 'writeBytes', 'byte'),
  disk('DiskReadOperations', 'Read operations on a virtual drive', 'readOps', 'count'),
  disk('DiskWriteOperations', 'Write operations on a virtual drive', 'writeOps', 'count'),
  nic('NetworkReceiveBytes', 'Bytes received by a virtual NIC', 'receiveBytes'),
  nic('NetworkTransmitBytes', 'Bytes sent by a virtual NIC', 'transmitBytes'),
  {
    key: 'HostCPUBusyTime',
    name: "Time the host's CPUs spent busy since boot (/proc/stat)",
    kind: 'host',
    dataType: MetricDataType.real64,
    units: 'second',
    changeType: ChangeType.counter,
    timeScope: TimeScope.startupInterval,
    ofHost: (h) => one(h.cpuBusySeconds),
  },
  {
    key: 'HostCPUIdleTime',
    name: "Time the host's CPUs spent idle since boot (/proc/stat)",
    kind: 'host',
    dataType: MetricDataType.real64,
    units: 'second',
    changeType: ChangeType.counter,
    timeScope: TimeScope.startupInterval,
    ofHost: (h) => one(h.cpuIdleSeconds),
  },
  {
    key: 'HostProcessors',
    name: "The host's CPUs",
    kind: 'host',
    dataType: MetricDataType.uint64,
    units: 'count',
    unitsText: 'Processors',
    changeType: ChangeType.gauge,
    timeScope: TimeScope.point,
    ofHost: (h) => one(h.cpus),
  },
  {
    key: 'HostMemoryTotal',
    name: "The host's memory",
    kind: 'host',
    dataType: MetricDataType.uint64,
    units: 'byte',
    changeType: ChangeType.gauge,
    timeScope: TimeScope.point,
    ofHost: (h) => one(h.memoryTotalBytes),
  },
  {
    key: 'HostMemoryAvailable',
    name: "The host's available memory (/proc/meminfo MemAvailable)",
    kind: 'host',
    dataType: MetricDataType.uint64,
    units: 'byte',
    changeType: ChangeType.gauge,
    timeScope: TimeScope.point,
    ofHost: (h) => one(h.memoryAvailableBytes),
  },
  pool('PoolCapacity', "A storage pool's capacity (its file system's size)", 'capacityBytes'),
  pool('PoolAvailable', "A storage pool's free bytes", 'availableBytes'),
  pool('PoolUsed', "A storage pool's used bytes", 'usedBytes'),
];

const BY_KEY = new Map(METRICS.map((m) => [m.key, m]));

/** The metric with this key, or undefined. */
export function metricByKey(key: string): MetricSpec | undefined {
  return BY_KEY.get(key);
}

const DEF_PREFIX = `${ORG}:Metric:`;

/**
 * How the metric instances are named: `Vessel:Metric:<key>` for a definition and
 * `Vessel:Metric:<key>/<element>[/<breakdown>]` for a value, where the element is the system's (or the host's)
 * name, which never holds a `/`, and the breakdown (a device, NIC or pool) is the rest.
 *
 * @example
 * metricIds.value('SystemCPUTime', 'web1'); // 'Vessel:Metric:SystemCPUTime/web1'
 * metricIds.parseValue('Vessel:Metric:DiskReadBytes/web1/disk1'); // { key, element: 'web1', breakdown: 'disk1' }
 */
export const metricIds = {
  definition: (key: string) => `${DEF_PREFIX}${key}`,
  value: (key: string, element: string, breakdown?: string) =>
    `${DEF_PREFIX}${key}/${element}${breakdown === undefined ? '' : `/${breakdown}`}`,
  /** The key of a definition Id, or undefined when it names no metric. */
  parseDefinition(id: string): MetricSpec | undefined {
    return id.startsWith(DEF_PREFIX) ? metricByKey(id.slice(DEF_PREFIX.length)) : undefined;
  },
  /** The parts of a value's InstanceID, or undefined when it is not one of this form. */
  parseValue(id: string): { metric: MetricSpec; element: string; breakdown?: string } | undefined {
    if (!id.startsWith(DEF_PREFIX)) return undefined;
    const rest = id.slice(DEF_PREFIX.length);
    const a = rest.indexOf('/');
    if (a <= 0) return undefined;
    const metric = metricByKey(rest.slice(0, a));
    if (metric === undefined) return undefined;
    const b = rest.indexOf('/', a + 1);
    const element = rest.slice(a + 1, b < 0 ? undefined : b);
    if (element === '') return undefined;
    const hasBreakdown = BREAKDOWN[metric.kind] !== undefined;
    if (hasBreakdown !== b >= 0) return undefined;
    return b < 0 ? { metric, element } : { metric, element, breakdown: rest.slice(b + 1) };
  },
};
