import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/index.js';
import type { CimInstance } from '../../../cim/index.js';
import { CimClient } from '../client.js';
import { startTestHost, type TestHost } from '../test-host.js';
import { CimXmlApi } from './cimxml-api.js';
import { MAX_METRIC_VALUES } from './metrics-read.js';
import type { CimOperations } from './operations.js';

// The metrics namespace over CIM against a peer whose DSP1053 answers are wrong: a real Vessel host (test driver)
// behind CIM operations whose metric classes answer what each case gives. Every case ends in an ApiError that
// names the host and the value, or in the values the client can trust; none is read as a figure it is not.

let server: TestHost;
beforeAll(async () => {
  server = await startTestHost({ vms: 1 });
});
afterAll(async () => {
  await server?.close();
});

const def = (name: string, units = 'byte', dataType = '13'): CimInstance => ({
  className: 'Vessel_BaseMetricDefinition',
  properties: { Id: `Vessel:Metric:${name}`, Name: name, ProgrammaticUnits: units, DataType: dataType },
});
const value = (
  name: string,
  v: string,
  element = 'vm1',
  extra: Record<string, string> = {},
): CimInstance => ({
  className: 'Vessel_BaseMetricValue',
  properties: {
    InstanceID: `Vessel:Metric:${name}/${element}`,
    MetricDefinitionId: `Vessel:Metric:${name}`,
    MeasuredElementName: element,
    TimeStamp: '20261204120000.500000+000',
    MetricValue: v,
    ...extra,
  },
});

const GOOD_DEFS = [
  def('SystemCPUTime', 'second', '5'),
  def('SystemVirtualProcessors', 'count'),
  def('SystemMemoryDefined'),
  def('SystemMemoryResident', 'byte * 2^10'),
  def('NetworkReceiveBytes'),
  def('SomeoneElsesMetric', 'furlong'),
];

/** The Api over the test host, with the metric classes answering `defs` and `values`. */
async function apiWith(defs: CimInstance[], values: CimInstance[]): Promise<CimXmlApi> {
  const real = new CimClient(server.url, { user: 'admin', password: 'secret' });
  const tampered: CimOperations = {
    url: real.url,
    transport: 'cimxml',
    user: real.user,
    getClass: (c, o) => real.getClass(c, o),
    enumerateInstances: async (cls, o) =>
      cls === 'CIM_BaseMetricDefinition'
        ? defs
        : cls === 'CIM_BaseMetricValue'
          ? values
          : real.enumerateInstances(cls, o),
    enumerateInstanceNames: (c, o) => real.enumerateInstanceNames(c, o),
    getInstance: (n) => real.getInstance(n),
    associators: async (n, f) => (f?.resultClass === 'CIM_BaseMetricValue' ? values : real.associators(n, f)),
    associatorNames: (n, f) => real.associatorNames(n, f),
    deleteInstance: (n) => real.deleteInstance(n),
    invokeMethod: (t, m, p, l) => real.invokeMethod(t, m, p, l),
    close: () => real.close(),
  };
  return CimXmlApi.over(tampered);
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a refusal');
}

describe('metrics over CIM from a peer whose DSP1053 values are wrong', () => {
  it('reads good values exactly, scales units (byte * 2^10), and ignores metrics it does not know', async () => {
    const api = await apiWith(GOOD_DEFS, [
      value('SystemCPUTime', '12.5'),
      value('SystemVirtualProcessors', '3'),
      value('SystemMemoryDefined', '67108864'),
      value('SystemMemoryResident', '2048'),
      value('SomeoneElsesMetric', 'not a number at all'),
      value('NetworkReceiveBytes', '77', 'vm1', { BreakdownValue: 'nic9', InstanceID: 'n' }),
      value('SystemCPUTime', '1', 'ghost'),
    ]);
    try {
      const snap = await api.metrics.current();
      expect(snap.host).toBeUndefined();
      expect(snap.systems).toHaveLength(1);
      expect(snap.systems[0]).toMatchObject({
        name: 'vm1',
        time: '2026-12-04T12:00:00.500Z',
        cpuSeconds: 12.5,
        vcpus: 3,
        memoryBytes: 64 * 2 ** 20,
        residentBytes: 2 * 2 ** 20,
        nics: [{ nic: 'nic9', receiveBytes: 77, transmitBytes: 0 }],
      });
      const stats = await api.systems.stats('vm1');
      expect(stats.cpuTimeNs).toBe(12_500_000_000n);
      expect(stats.residentBytes).toBe(2n * 2n ** 20n);
    } finally {
      await api.close();
    }
  });

  it('a MetricValue that is not a number, or not whole for a uint64, is PROTOCOL naming the value', async () => {
    for (const bad of ['twelve', '-3', '1e400', 'NaN', '0x10', '']) {
      const api = await apiWith(GOOD_DEFS, [value('SystemCPUTime', bad)]);
      try {
        const e = await refusal(api.metrics.current());
        expect(e.code).toBe('PROTOCOL');
        expect(e.message).toMatch(
          /127\.0\.0\.1:\d+ gives the metric value "Vessel:Metric:SystemCPUTime\/vm1" as/,
        );
      } finally {
        await api.close();
      }
    }
    const api = await apiWith(GOOD_DEFS, [value('SystemMemoryDefined', '1.5')]);
    try {
      expect((await refusal(api.systems.stats('vm1'))).message).toMatch(/not a whole number of bytes/);
    } finally {
      await api.close();
    }
  });

  it('a value without its definition, or a definition in another unit, is PROTOCOL', async () => {
    const missing = await apiWith([], [value('SystemCPUTime', '1')]);
    try {
      const e = await refusal(missing.metrics.series('vm1'));
      expect(e.code).toBe('PROTOCOL');
      expect(e.message).toMatch(
        /serves the metric value "Vessel:Metric:SystemCPUTime\/vm1" but not its definition/,
      );
    } finally {
      await missing.close();
    }
    const odd = await apiWith([def('SystemCPUTime', 'byte')], [value('SystemCPUTime', '1')]);
    try {
      const e = await refusal(odd.metrics.current());
      expect(e.message).toMatch(/defines the metric SystemCPUTime in "byte", not in seconds/);
    } finally {
      await odd.close();
    }
  });

  it('a huge enumeration is refused, not read', async () => {
    const one = value('SystemCPUTime', '1');
    const api = await apiWith(GOOD_DEFS, new Array<CimInstance>(MAX_METRIC_VALUES + 1).fill(one));
    try {
      const e = await refusal(api.metrics.current());
      expect(e.code).toBe('PROTOCOL');
      expect(e.message).toMatch(/answered 100001 metric values, more than the 100000/);
    } finally {
      await api.close();
    }
  });

  it('no values of a system (a host that samples none) is no sample, and stats is INVALID_STATE', async () => {
    const api = await apiWith(GOOD_DEFS, []);
    try {
      expect(await api.metrics.current()).toEqual({ intervalMs: 0, systems: [] });
      expect(await api.metrics.series('vm1')).toEqual([]);
      expect((await refusal(api.systems.stats('vm1'))).code).toBe('INVALID_STATE');
      expect((await refusal(api.metrics.series('ghost'))).code).toBe('VM_NOT_FOUND');
    } finally {
      await api.close();
    }
  });
});
