import { ApiError, type MetricsSnapshot } from '../../api/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { cimInterval, cimTimestamp } from '../datetime.js';
import { toCimError } from '../methods/errors-map.js';
import {
  BREAKDOWN,
  CALCULABLE_SUMMABLE,
  GATHERING_PERIODIC,
  METRICS,
  type MetricSpec,
  metricIds,
  type Reading,
  TimeScope,
} from '../metrics.js';
import { C, devicePath, hostPath, idPath, systemPath } from '../naming.js';
import { storagePoolIds } from '../pools.js';
import { type CimContext, type InstanceProvider, memoAsync } from '../provider.js';
import type { CimInstance, CimInstanceName } from '../types.js';
import { instance, key, link, type ProviderEnv } from './env.js';

/** Class names of the Base Metrics profile's instances. */
export const M = {
  definition: 'Vessel_BaseMetricDefinition',
  value: 'Vessel_BaseMetricValue',
  defForMe: 'Vessel_MetricDefForME',
  forMe: 'Vessel_MetricForME',
  instance: 'Vessel_MetricInstance',
} as const;

/** A metric value with the elements it measures. */
interface Value {
  inst: CimInstance;
  metric: MetricSpec;
  elements: CimInstanceName[];
}

const EMPTY: MetricsSnapshot = { intervalMs: 0, systems: [] };

/**
 * The host's latest samples, read once per operation (`metrics.current`: the sampler's ring, no hypervisor call):
 * enumerating the values of a thousand systems is one read. An Api without metrics has no values.
 */
function snapshot(ctx: CimContext, env: ProviderEnv): Promise<MetricsSnapshot> {
  return memoAsync(ctx, 'metrics', async () => {
    try {
      return await env.api(ctx).metrics.current();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_SUPPORTED') return EMPTY;
      throw toCimError(e);
    }
  });
}

const HUMAN_UNITS: Record<string, string> = { second: 'Seconds', byte: 'Bytes', count: 'Operations' };

/** The CIM_BaseMetricDefinition of a metric (DSP1053 §10.1). */
function definitionOf(m: MetricSpec): CimInstance {
  const dim = BREAKDOWN[m.kind];
  return instance(M.definition, {
    Id: metricIds.definition(m.key),
    Name: m.key,
    ElementName: m.name,
    DataType: String(m.dataType),
    Calculable: String(CALCULABLE_SUMMABLE),
    Units: m.unitsText ?? HUMAN_UNITS[m.units],
    ProgrammaticUnits: m.units,
    IsContinuous: 'true',
    ChangeType: String(m.changeType),
    TimeScope: String(m.timeScope),
    GatheringType: String(GATHERING_PERIODIC),
    BreakdownDimensions: dim === undefined ? undefined : [dim],
  });
}

const DEFINITIONS = METRICS.map(definitionOf);

/** The path of a metric's definition. */
export function definitionPath(m: MetricSpec): CimInstanceName {
  return { className: M.definition, keys: { Id: metricIds.definition(m.key) }, namespace: VIRT_NAMESPACE };
}

/** A value of a metric for one element (DSP1053 §10.2): the latest sample, its time and, for a counter, since when. */
function valueInstance(
  m: MetricSpec,
  element: string,
  r: Reading,
  time: string,
  sinceMs: number | undefined,
): CimInstance {
  return instance(M.value, {
    InstanceID: metricIds.value(m.key, element, r.breakdown),
    MetricDefinitionId: metricIds.definition(m.key),
    MeasuredElementName: element,
    TimeStamp: cimTimestamp(new Date(time)),
    // DSP1053: a value of a point in time has no Duration; a counter's runs since its element started.
    Duration:
      m.timeScope === TimeScope.startupInterval && sinceMs !== undefined ? cimInterval(sinceMs) : undefined,
    MetricValue: String(r.value),
    BreakdownDimension: r.breakdown === undefined ? undefined : BREAKDOWN[m.kind],
    BreakdownValue: r.breakdown,
    // Samples live in the host's memory only (a ring per system), not in a store.
    Volatile: 'true',
  });
}

/** The elements a reading measures: the system (or host) and, where it exists, the device or pool. */
function elementsOf(m: MetricSpec, host: string, element: string, r: Reading): CimInstanceName[] {
  switch (m.kind) {
    case 'system':
      return [systemPath(element)];
    case 'disk':
      return [systemPath(element), devicePath(C.disk, element, r.breakdown!)];
    case 'nic':
      return [systemPath(element), devicePath(C.port, element, r.breakdown!)];
    case 'host':
      return [hostPath(host)];
    case 'pool':
      return [hostPath(host), idPath(C.pool, storagePoolIds.pool(r.breakdown!))];
  }
}

/** The values of every metric of one system, or of the host (`system` undefined). */
function valuesOf(snap: MetricsSnapshot, host: string, system: string | undefined): Value[] {
  const out: Value[] = [];
  if (system === undefined) {
    const h = snap.host;
    if (h === undefined) return out;
    for (const m of METRICS)
      for (const r of m.ofHost?.(h) ?? [])
        out.push({
          inst: valueInstance(m, host, r, h.time, undefined),
          metric: m,
          elements: elementsOf(m, host, host, r),
        });
    return out;
  }
  const s = snap.systems.find((x) => x.name === system);
  if (s === undefined) return out;
  const since = s.uptimeSeconds === undefined ? undefined : s.uptimeSeconds * 1000;
  for (const m of METRICS)
    for (const r of m.ofSystem?.(s) ?? [])
      out.push({
        inst: valueInstance(m, s.name, r, s.time, since),
        metric: m,
        elements: elementsOf(m, host, s.name, r),
      });
  return out;
}

/**
 * Providers of the Base Metrics profile (DSP1053): a definition per metric the host samples, a value per metric
 * and measured element from the latest sample, and their associations to each other and to the virtual systems,
 * their drives and NICs, the host and its storage pools.
 *
 * @example
 * for (const p of metricProviders(env)) om.register(VIRT_NAMESPACE, p);
 */
export function metricProviders(env: ProviderEnv): InstanceProvider[] {
  const host = env.hostName;
  const all = (ctx: CimContext): Promise<Value[]> =>
    memoAsync(ctx, 'metricValues', async () => {
      const snap = await snapshot(ctx, env);
      return [
        ...valuesOf(snap, host, undefined),
        ...snap.systems.flatMap((s) => valuesOf(snap, host, s.name)),
      ];
    });
  /** The values of the element a path names (a system, its device, the host, a pool), without the others. */
  const about = async (ctx: CimContext, target: CimInstanceName): Promise<Value[] | undefined> => {
    const snap = await snapshot(ctx, env);
    if (target.className === C.host) return valuesOf(snap, host, undefined);
    if (target.className === C.system) return valuesOf(snap, host, key(target, 'Name') ?? '');
    if (target.className === C.disk || target.className === C.port)
      return valuesOf(snap, host, key(target, 'SystemName') ?? '');
    return undefined;
  };
  return [
    {
      className: M.definition,
      enumerate: () => DEFINITIONS,
      get: (_ctx, n) => {
        const m = metricIds.parseDefinition(key(n, 'Id') ?? '');
        return m === undefined ? undefined : definitionOf(m);
      },
    },
    {
      className: M.value,
      enumerate: async (ctx) => (await all(ctx)).map((v) => v.inst),
      get: async (ctx, n) => {
        const id = key(n, 'InstanceID') ?? '';
        const p = metricIds.parseValue(id);
        if (p === undefined) return undefined;
        const isHost = p.metric.kind === 'host' || p.metric.kind === 'pool';
        if (isHost && p.element !== host) return undefined;
        const snap = await snapshot(ctx, env);
        const values = valuesOf(snap, host, isHost ? undefined : p.element);
        return values.find((v) => v.inst.properties.InstanceID === id)?.inst;
      },
    },
    {
      className: M.instance,
      enumerate: async (ctx) => (await all(ctx)).map(instanceLink),
      // From a value (the object manager found it): the one link to its definition.
      referencing: async (ctx, target) => {
        const p =
          target.className === M.value ? metricIds.parseValue(key(target, 'InstanceID') ?? '') : undefined;
        if (p === undefined) return (await all(ctx)).map(instanceLink);
        const id = key(target, 'InstanceID')!;
        return [link(M.instance, 'Antecedent', definitionPath(p.metric), 'Dependent', idPath(M.value, id))];
      },
    },
    {
      className: M.forMe,
      enumerate: async (ctx) => (await all(ctx)).flatMap(forMe),
      referencing: async (ctx, target) => {
        const values = await about(ctx, target);
        return values === undefined ? (await all(ctx)).flatMap(forMe) : values.flatMap(forMe);
      },
    },
    {
      className: M.defForMe,
      enumerate: async (ctx) => {
        const snap = await snapshot(ctx, env);
        return defLinks(
          host,
          snap.systems.map((s) => s.name),
          await all(ctx),
          true,
        );
      },
      // From one system, device, the host or a pool: the links of that element's values, not every system's.
      referencing: async (ctx, target) => {
        const values = await about(ctx, target);
        if (values === undefined && target.className !== C.pool) {
          const snap = await snapshot(ctx, env);
          return defLinks(
            host,
            snap.systems.map((s) => s.name),
            await all(ctx),
            true,
          );
        }
        if (target.className === C.host || target.className === C.pool)
          return defLinks(host, [], valuesOf(await snapshot(ctx, env), host, undefined), true);
        const name = key(target, target.className === C.system ? 'Name' : 'SystemName') ?? '';
        const known = (await snapshot(ctx, env)).systems.some((s) => s.name === name);
        return defLinks(host, known ? [name] : [], values ?? [], false);
      },
    },
  ];
}

/**
 * MetricDefForME links: each metric of virtual systems to each system named, the host's metrics to the host (when
 * `withHost`), and each metric to the devices and pools it has values of.
 */
function defLinks(
  host: string,
  systems: readonly string[],
  values: readonly Value[],
  withHost: boolean,
): CimInstance[] {
  const out: CimInstance[] = [];
  const seen = new Set<string>();
  const add = (m: MetricSpec, element: CimInstanceName) => {
    const k = `${m.key}\u0000${element.className}\u0000${JSON.stringify(element.keys)}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(link(M.defForMe, 'Antecedent', element, 'Dependent', definitionPath(m)));
  };
  if (withHost) for (const m of METRICS) if (m.ofHost !== undefined) add(m, hostPath(host));
  for (const name of systems) for (const m of METRICS) if (m.ofSystem !== undefined) add(m, systemPath(name));
  for (const v of values) for (const e of v.elements) add(v.metric, e);
  return out;
}

function instanceLink(v: Value): CimInstance {
  return link(M.instance, 'Antecedent', definitionPath(v.metric), 'Dependent', valuePath(v));
}

function valuePath(v: Value): CimInstanceName {
  return idPath(M.value, String(v.inst.properties.InstanceID));
}

function forMe(v: Value): CimInstance[] {
  return v.elements.map((e) => link(M.forMe, 'Antecedent', e, 'Dependent', valuePath(v)));
}
