import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Api } from '../../api/index.js';
import { openSession } from '../../host/index.js';
import { buildDefinition } from '../../model/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { CimError } from '../errors.js';
import { METRICS } from '../metrics.js';
import { newContext } from '../provider.js';
import { createCimService } from '../service.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';
import type { CimInstance, CimInstanceName } from '../types.js';

// The Base Metrics profile (DSP1053) over a real host on the test driver: the values are the sampler's.

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
const system = (name: string): CimInstanceName => ({
  className: 'Vessel_ComputerSystem',
  keys: { CreationClassName: 'Vessel_ComputerSystem', Name: name },
});
const value = (id: string): CimInstanceName => ({
  className: 'CIM_BaseMetricValue',
  keys: { InstanceID: id },
});
const byId = (list: CimInstance[]) =>
  new Map(list.map((i) => [String(i.properties.InstanceID), i.properties]));

let s: CimSubject;

beforeEach(async () => {
  s = await openCimSubject();
  await s.define(
    buildDefinition({
      name: 'web1',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: [await s.image('web1.img')],
      nics: [{ network: 'user' }],
    }),
  );
});
afterEach(async () => {
  await s.close();
});

async function startAndSample(name: string): Promise<void> {
  await s.api.systems.changeState(name, 'start', { waitMs: Number.POSITIVE_INFINITY });
  await new Promise((r) => setTimeout(r, 20)); // the test driver counts CPU time by the clock
  await s.host.metrics.sample();
}

describe('CIM_BaseMetricDefinition (DSP1053 §10.1)', () => {
  it('defines each sampled metric with the DMTF DataType, ChangeType, TimeScope, GatheringType and units', async () => {
    const defs = await s.cim.om.enumerateInstances(admin(), NS, 'CIM_BaseMetricDefinition');
    expect(defs).toHaveLength(METRICS.length);
    const get = (id: string) => defs.find((d) => d.properties.Id === id)!.properties;
    expect(get('Vessel:Metric:SystemCPUTime')).toMatchObject({
      Name: 'SystemCPUTime',
      DataType: '5',
      Calculable: '2',
      Units: 'Seconds',
      ProgrammaticUnits: 'second',
      IsContinuous: 'true',
      ChangeType: '3',
      TimeScope: '4',
      GatheringType: '3',
    });
    expect(get('Vessel:Metric:SystemMemoryResident')).toMatchObject({
      DataType: '13',
      ChangeType: '4',
      TimeScope: '2',
    });
    expect(get('Vessel:Metric:DiskReadOperations')).toMatchObject({
      ProgrammaticUnits: 'count',
      BreakdownDimensions: ['Device'],
    });
    expect(get('Vessel:Metric:NetworkReceiveBytes').BreakdownDimensions).toEqual(['NIC']);
    expect(get('Vessel:Metric:PoolUsed').BreakdownDimensions).toEqual(['Pool']);
    expect(get('Vessel:Metric:HostCPUBusyTime').BreakdownDimensions).toBeUndefined();
    const one = await s.cim.om.getInstance(admin(), NS, {
      className: 'Vessel_BaseMetricDefinition',
      keys: { Id: 'Vessel:Metric:DiskWriteBytes' },
    });
    expect(one.properties.Name).toBe('DiskWriteBytes');
  });

  it('is registered as Base Metrics 1.0.1, referenced by DSP1057 and DSP1052, with the definitions conforming', async () => {
    const profile = await s.cim.om.getInstance(admin(), 'root/interop', {
      className: 'Vessel_RegisteredProfile',
      keys: { InstanceID: 'CIM:DSP1053-BaseMetrics-1.0.1' },
    });
    expect(profile.properties).toMatchObject({ RegisteredName: 'Base Metrics', RegisteredVersion: '1.0.1' });
    const referencing = await s.cim.om.associatorNames(admin(), 'root/interop', profile.path!, {
      assocClass: 'CIM_ReferencedProfile',
    });
    expect(referencing.map((p) => p.keys.InstanceID).sort()).toEqual([
      'CIM:DSP1052-ComputerSystem-1.0.0',
      'CIM:DSP1057-VirtualSystem-1.0.0',
    ]);
    const conforming = await s.cim.om.associatorNames(admin(), 'root/interop', profile.path!, {
      assocClass: 'CIM_ElementConformsToProfile',
    });
    expect(conforming).toHaveLength(METRICS.length);
    expect(conforming.every((p) => p.className === 'Vessel_BaseMetricDefinition')).toBe(true);
  });
});

describe('CIM_BaseMetricValue (DSP1053 §10.2)', () => {
  it('holds the latest sample of a running system, its drive, its NIC and the host; CPU time rises', async () => {
    await startAndSample('web1');
    const values = byId(await s.cim.om.enumerateInstances(admin(), NS, 'CIM_BaseMetricValue'));
    const cpu = values.get('Vessel:Metric:SystemCPUTime/web1')!;
    expect(cpu).toMatchObject({
      MetricDefinitionId: 'Vessel:Metric:SystemCPUTime',
      MeasuredElementName: 'web1',
      Volatile: 'true',
    });
    expect(Number(cpu.MetricValue)).toBeGreaterThan(0);
    expect(cpu.TimeStamp).toMatch(/^\d{14}\.\d{6}\+000$/);
    expect(cpu.Duration).toMatch(/^\d{14}\.\d{6}:000$/);
    const disk = [...values.values()].find((v) => v.MetricDefinitionId === 'Vessel:Metric:DiskReadBytes')!;
    expect(disk).toMatchObject({ BreakdownDimension: 'Device', MetricValue: '0' });
    expect(values.get('Vessel:Metric:HostMemoryTotal/host1')?.MetricValue).toMatch(/^[1-9]\d*$/);
    expect(values.get('Vessel:Metric:HostMemoryTotal/host1')?.Duration).toBeUndefined();

    await new Promise((r) => setTimeout(r, 30));
    await s.host.metrics.sample();
    const later = await s.cim.om.getInstance(admin(), NS, value('Vessel:Metric:SystemCPUTime/web1'));
    expect(Number(later.properties.MetricValue)).toBeGreaterThan(Number(cpu.MetricValue));
  });

  it('follows MetricForME from the system and from its drive, and MetricInstance from a definition', async () => {
    await startAndSample('web1');
    const fromSystem = await s.cim.om.associators(admin(), NS, system('web1'), {
      assocClass: 'CIM_MetricForME',
    });
    const defs = fromSystem.map((v) => v.properties.MetricDefinitionId);
    expect(new Set(defs)).toEqual(
      new Set(
        METRICS.filter((m) => m.ofSystem)
          .map((m) => `Vessel:Metric:${m.key}`)
          .filter((d) => !d.includes('Resident') && !d.includes('Balloon')),
      ),
    );
    const disk = fromSystem.find((v) => v.properties.MetricDefinitionId === 'Vessel:Metric:DiskWriteBytes')!;
    const drive = await s.cim.om.associators(admin(), NS, disk.path!, {
      assocClass: 'CIM_MetricForME',
      resultClass: 'CIM_LogicalDisk',
    });
    expect(drive).toHaveLength(1);
    expect(drive[0]!.properties.DeviceID).toBe(disk.properties.BreakdownValue);
    const ofDrive = await s.cim.om.associatorNames(admin(), NS, drive[0]!.path!, {
      assocClass: 'CIM_MetricForME',
    });
    expect(ofDrive).toHaveLength(4);
    const def = { className: 'Vessel_BaseMetricDefinition', keys: { Id: 'Vessel:Metric:SystemCPUTime' } };
    const ofDef = await s.cim.om.associatorNames(admin(), NS, def, { assocClass: 'CIM_MetricInstance' });
    expect(ofDef.map((p) => p.keys.InstanceID)).toEqual(['Vessel:Metric:SystemCPUTime/web1']);
    const elements = await s.cim.om.associatorNames(admin(), NS, def, { assocClass: 'CIM_MetricDefForME' });
    expect(elements.map((p) => p.keys.Name)).toEqual(['web1']);
    // The other way, from each kind of element: its own definitions only.
    const defsOf = async (n: CimInstanceName) =>
      (await s.cim.om.associatorNames(admin(), NS, n, { assocClass: 'CIM_MetricDefForME' }))
        .map((p) => String(p.keys.Id).replace('Vessel:Metric:', ''))
        .sort();
    expect(await defsOf(system('web1'))).toEqual(
      METRICS.filter((m) => m.ofSystem)
        .map((m) => m.key)
        .sort(),
    );
    expect(await defsOf(drive[0]!.path!)).toEqual([
      'DiskReadBytes',
      'DiskReadOperations',
      'DiskWriteBytes',
      'DiskWriteOperations',
    ]);
    const hostSystem = {
      className: 'Vessel_HostSystem',
      keys: { CreationClassName: 'Vessel_HostSystem', Name: 'host1' },
    };
    expect(await defsOf(hostSystem)).toEqual(
      METRICS.filter((m) => m.ofHost)
        .map((m) => m.key)
        .sort(),
    );
    const defOfValue = await s.cim.om.associatorNames(admin(), NS, disk.path!, {
      assocClass: 'CIM_MetricInstance',
    });
    expect(defOfValue.map((p) => p.keys.Id)).toEqual(['Vessel:Metric:DiskWriteBytes']);
  });

  it('a stopped system has only its defined vCPUs and memory, and a reader sees the same values as an admin', async () => {
    await s.host.metrics.sample();
    const stopped = await s.cim.om.associators(admin(), NS, system('web1'), {
      assocClass: 'CIM_MetricForME',
    });
    expect(stopped.map((v) => v.properties.MetricDefinitionId).sort()).toEqual([
      'Vessel:Metric:SystemMemoryDefined',
      'Vessel:Metric:SystemVirtualProcessors',
    ]);
    expect(
      stopped.find((v) => v.properties.MetricDefinitionId === 'Vessel:Metric:SystemMemoryDefined')?.properties
        .MetricValue,
    ).toMatch(/^[1-9]\d*$/);
    await startAndSample('web1');
    const reader = await s.cim.om.enumerateInstanceNames(
      newContext('rita', 'reader'),
      NS,
      'CIM_BaseMetricValue',
    );
    const all = await s.cim.om.enumerateInstanceNames(admin(), NS, 'CIM_BaseMetricValue');
    expect(reader.length).toBe(all.length);
    expect(all.length).toBeGreaterThan(5);
  });

  it('GetInstance of a malformed InstanceID, an unknown metric, host or system is CIM_ERR_NOT_FOUND', async () => {
    await startAndSample('web1');
    const bad = [
      '',
      'Vessel:Metric:',
      'Vessel:Metric:/web1',
      'Vessel:Metric:SystemCPUTime',
      'Vessel:Metric:SystemCPUTime/',
      'Vessel:Metric:SystemCPUTime/web1/extra',
      'Vessel:Metric:DiskReadBytes/web1',
      'Vessel:Metric:DiskReadBytes/web1/no-such-disk',
      'Vessel:Metric:Nope/web1',
      'Vessel:Metric:SystemCPUTime/ghost',
      'Vessel:Metric:HostMemoryTotal/otherhost',
      'Vessel:Metric:HostMemoryTotal/web1',
      'vessel:metric:SystemCPUTime/web1',
      `Vessel:Metric:SystemCPUTime/${'x'.repeat(100_000)}`,
      'Vessel:Metric:SystemCPUTime/web1\u0000',
    ];
    for (const id of bad) {
      const e = await s.cim.om.getInstance(admin(), NS, value(id)).catch((x: unknown) => x);
      expect(e, id.slice(0, 60)).toBeInstanceOf(CimError);
      expect((e as CimError).code, id.slice(0, 60)).toBe('CIM_ERR_NOT_FOUND');
    }
    const def = await s.cim.om
      .getInstance(admin(), NS, { className: 'CIM_BaseMetricDefinition', keys: { Id: 'Vessel:Metric:x' } })
      .catch((x: unknown) => x);
    expect((def as CimError).code).toBe('CIM_ERR_NOT_FOUND');
  });
});

describe('cost', () => {
  it('enumerating the values of 1,000 running systems reads the sampler once', async () => {
    const n = 1000;
    const forever = { waitMs: Number.POSITIVE_INFINITY };
    // In batches: the host runs changes of different systems at once.
    for (let i = 0; i < n; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, async (_, j) => {
          const name = `m${i + j}`;
          await s.define(
            buildDefinition({ name, cpus: 1, memoryBytes: 16n << 20n, nics: [{ network: 'user' }] }),
          );
          await s.api.systems.changeState(name, 'start', forever);
        }),
      );
    await s.host.metrics.sample();
    let reads = 0;
    const cim = createCimService({
      hostName: 'host1',
      api: (p) => {
        const api = openSession(s.host, p);
        return {
          ...api,
          metrics: {
            ...api.metrics,
            current: () => {
              reads++;
              return api.metrics.current();
            },
          },
          close: () => api.close(),
        } as Api;
      },
    });
    try {
      const values = await cim.om.enumerateInstances(admin(), NS, 'CIM_BaseMetricValue');
      expect(reads).toBe(1);
      // Per system: CPU time, uptime, vCPUs, defined memory and one NIC's two counters (no drive).
      expect(values.filter((v) => String(v.properties.InstanceID).includes('/m'))).toHaveLength(6 * n);
      const links = await cim.om.enumerateInstances(admin(), NS, 'CIM_MetricForME');
      expect(reads).toBe(2);
      expect(links.length).toBeGreaterThan(5 * n);
      // One system's metrics through every association at once (no filter): one read, not one per provider.
      const around = await cim.om.associatorNames(admin(), NS, system('m7'), {});
      expect(reads).toBe(3);
      // Through the metric associations alone: that system's values and definitions, not a walk of all systems.
      const ofM7 = await cim.om.associatorNames(admin(), NS, system('m7'), {
        assocClass: 'CIM_MetricForME',
      });
      expect(ofM7).toHaveLength(6);
      expect(ofM7.every((p) => JSON.stringify(p).includes('/m7'))).toBe(true);
      const defs = await cim.om.associatorNames(admin(), NS, system('m7'), {
        assocClass: 'CIM_MetricDefForME',
      });
      expect(defs).toHaveLength(METRICS.filter((m) => m.ofSystem).length);
      expect(around.filter((p) => p.className === 'Vessel_BaseMetricValue')).toHaveLength(6);
      expect(around.filter((p) => p.className === 'Vessel_BaseMetricDefinition')).toHaveLength(
        METRICS.filter((m) => m.ofSystem).length,
      );
    } finally {
      await cim.close();
    }
  }, 120_000);
});
