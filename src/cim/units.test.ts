import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildDefinition,
  memoryBytes,
  type RasdProperties,
  type VirtualSystemDefinition,
} from '../model/index.js';
import { VIRT_NAMESPACE } from './classes/index.js';
import { newContext } from './provider.js';
import type { CimService } from './service.js';
import { type CimSubject, openCimSubject } from './subject.case.test.js';
import type { CimInstance, CimInstanceName } from './types.js';

// Quantities through the object manager in whatever unit a client writes them (DSP0004 programmatic units):
// VirtualQuantityUnits governs VirtualQuantity, and pools add converted amounts.

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
const GiB = 1n << 30n;
let s: CimSubject;
let cim: CimService;

beforeEach(async () => {
  s = await openCimSubject();
  cim = s.cim;
});
afterEach(async () => {
  await s.close();
});

const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY };
const definitionOf = async (name: string) => (await s.api.systems.get(name)).definition;
const start = async (name: string) => {
  expect((await s.api.systems.changeState(name, 'start', UNTIL_DONE)).state).toBe('completed');
};

const vsms = async (): Promise<CimInstanceName> =>
  (await cim.om.enumerateInstanceNames(admin(), NS, 'CIM_VirtualSystemManagementService'))[0]!;

/** A definition whose memory RASD has exactly the given quantity properties (no others). */
function withMemory(name: string, memory: RasdProperties, cpus = 1): VirtualSystemDefinition {
  const def = buildDefinition({ name, cpus, memoryBytes: 64n << 20n });
  const mem = def.resources.find((r) => r.properties.ResourceType === '4')!;
  delete mem.properties.AllocationUnits;
  Object.assign(mem.properties, memory);
  return def;
}

async function memoryDevice(system: string): Promise<CimInstance> {
  const all = await cim.om.enumerateInstances(admin(), NS, 'CIM_Memory');
  const m = all.find((i) => i.properties.SystemName === system);
  if (!m) throw new Error(`no CIM_Memory of ${system}`);
  return m;
}

describe('CIM quantities in DSP0004 units', () => {
  it('DefineSystem with memory 1 and VirtualQuantityUnits byte*2^30 defines a 1 GiB system', async () => {
    const r = await cim.om.invokeMethod(admin(), NS, await vsms(), 'DefineSystem', {
      SystemSettings: { className: 'CIM_VirtualSystemSettingData', properties: { ElementName: 'gig' } },
      ResourceSettings: [
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: { ResourceType: '3', VirtualQuantity: '1', VirtualQuantityUnits: 'count' },
        },
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: { ResourceType: '4', VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30' },
        },
      ],
    });
    expect(r.returnValue).toBe(0);
    expect(memoryBytes(await definitionOf('gig'))).toBe(GiB);
    await start('gig'); // devices exist while the system is active (DSP1057 §7.5)
    const mem = (await memoryDevice('gig')).properties;
    expect(BigInt(String(mem.NumberOfBlocks)) * BigInt(String(mem.BlockSize))).toBe(GiB);
  });

  it("DefineSystem reads CIM's plural example bytes*10^3 and a count VirtualQuantityUnits on memory by AllocationUnits", async () => {
    const service = await vsms();
    const define = (name: string, memory: Record<string, string>) =>
      cim.om.invokeMethod(admin(), NS, service, 'DefineSystem', {
        SystemSettings: { className: 'CIM_VirtualSystemSettingData', properties: { ElementName: name } },
        ResourceSettings: [
          {
            className: 'CIM_ResourceAllocationSettingData',
            properties: { ResourceType: '3', VirtualQuantity: '1' },
          },
          { className: 'CIM_ResourceAllocationSettingData', properties: { ResourceType: '4', ...memory } },
        ],
      });
    expect(
      (await define('kilo', { VirtualQuantity: '4096', VirtualQuantityUnits: 'bytes*10^3' })).returnValue,
    ).toBe(0);
    expect(memoryBytes(await definitionOf('kilo'))).toBe(4_096_000n);
    const echoed = { VirtualQuantity: '96', VirtualQuantityUnits: 'count', AllocationUnits: 'byte*2^20' };
    expect((await define('echo', echoed)).returnValue).toBe(0);
    expect(memoryBytes(await definitionOf('echo'))).toBe(96n << 20n);
  });

  it('DefineSystem refuses a memory unit that is not one, or a size that is not whole bytes, saying which, and its job says so too', async () => {
    const service = await vsms();
    for (const [units, why] of [
      ['byte*2^9999', /exponent 9999 is out of range/],
      ['furlongs', /"furlongs" is not a DSP0004 base unit/],
      ['byte*2^-3', /not a whole number of bytes/],
      ['x'.repeat(5000), /longer than 200 characters/],
    ] as const) {
      const r = cim.om.invokeMethod(admin(), NS, service, 'DefineSystem', {
        SystemSettings: { className: 'CIM_VirtualSystemSettingData', properties: { ElementName: 'bad' } },
        ResourceSettings: [
          {
            className: 'CIM_ResourceAllocationSettingData',
            properties: { ResourceType: '3', VirtualQuantity: '1' },
          },
          {
            className: 'CIM_ResourceAllocationSettingData',
            properties: { ResourceType: '4', VirtualQuantity: '9', VirtualQuantityUnits: units },
          },
        ],
      });
      // DEFINITION_INVALID raises CIM_ERR_INVALID_PARAMETER with the reason (src/api/errors-cim.ts); the failed job
      // is the host's, and CIM shows it as an Exception with the same reason.
      await expect(r, units.slice(0, 20)).rejects.toMatchObject({
        code: 'CIM_ERR_INVALID_PARAMETER',
        message: why,
      });
      const [failed] = await s.api.jobs.list({ states: ['failed'], limit: 1 });
      const job = await cim.om.getInstance(admin(), NS, {
        className: 'Vessel_ConcreteJob',
        keys: { InstanceID: `Vessel:Job/${failed!.id}` },
      });
      expect(job.properties).toMatchObject({ Name: 'DefineSystem', JobState: '10', ErrorCode: '4' });
      expect(String(job.properties.ErrorDescription)).toMatch(why);
    }
    expect(await s.api.systems.list()).toEqual([]);
  });

  it('the memory and processor pools add converted amounts, rounding up and saying so when inexact', async () => {
    const defs = [
      withMemory('a', { VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30' }, 2),
      withMemory('b', { VirtualQuantity: '512', AllocationUnits: 'byte * 2^20' }),
      withMemory('c', { VirtualQuantity: '1536', AllocationUnits: 'kibibyte' }),
      withMemory('d', { VirtualQuantity: '64' }),
    ];
    for (const d of defs) {
      await s.define(d);
      await start(String(d.system.ElementName));
    }
    const cpu = defs[0]!.resources.find((r) => r.properties.ResourceType === '3')!;
    expect(cpu.properties.AllocationUnits).toBe('hertz * 10^6');
    const pools = await cim.om.enumerateInstances(admin(), NS, 'Vessel_ResourcePool');
    const memory = pools.find((p) => p.properties.PoolID === 'Memory')!.properties;
    // 1024 + 512 + 1.5 (rounded up to 2) + 64 MiB
    expect(memory).toMatchObject({
      Reserved: '1602',
      CurrentlyConsumedResource: '1602',
      AllocationUnits: 'byte * 2^20',
    });
    expect(memory.StatusDescriptions).toEqual([
      '1 allocation(s) are not a whole number of "byte * 2^20" and are counted rounded up',
    ]);
    const processors = pools.find((p) => p.properties.PoolID === 'Processor')!.properties;
    expect(processors).toMatchObject({ Reserved: '5', ConsumedResourceUnits: 'count' });
    expect(processors.StatusDescriptions).toBeUndefined();
  });

  it("gives the pools' setting templates VirtualQuantityUnits, so clients that follow it read MiB, not a count", async () => {
    const templates = await cim.om.enumerateInstances(admin(), NS, 'Vessel_ResourceAllocationSettingData');
    const memDefault = templates.find((t) => t.properties.InstanceID === 'Vessel:Template/Memory/Default')!;
    expect(memDefault.properties).toMatchObject({
      VirtualQuantity: '512',
      AllocationUnits: 'byte * 2^20',
      VirtualQuantityUnits: 'byte * 2^20',
    });
  });
});
