import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VIRT_NAMESPACE } from './classes/index.js';
import { newContext } from './provider.js';
import { type CimSubject, openCimSubject } from './subject.case.test.js';
import type { CimInstance, CimInstanceName } from './types.js';

// Embedded instances a client gives DefineSystem, AddResourceSettings and ModifyResourceSettings carry values in
// any shape CIM-XML and WS-Man can say (PROPERTY or PROPERTY.ARRAY, one child element or several): a list where
// the schema has one value is refused, naming the property, before anything reads it.

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
let s: CimSubject;
beforeEach(async () => {
  s = await openCimSubject();
});
afterEach(async () => {
  await s.close();
});

const vsms = async (): Promise<CimInstanceName> =>
  (await s.cim.om.enumerateInstanceNames(admin(), NS, 'CIM_VirtualSystemManagementService'))[0]!;
const rasd = (properties: CimInstance['properties']): CimInstance => ({
  className: 'CIM_ResourceAllocationSettingData',
  properties,
});
const cpuAndMemory = () => [
  rasd({ ResourceType: '3', VirtualQuantity: '1' }),
  rasd({ ResourceType: '4', VirtualQuantity: '64', AllocationUnits: 'byte*2^20' }),
];
const define = async (name: string, resources: CimInstance[], system: CimInstance['properties'] = {}) =>
  s.cim.om.invokeMethod(admin(), NS, await vsms(), 'DefineSystem', {
    SystemSettings: {
      className: 'CIM_VirtualSystemSettingData',
      properties: { ElementName: name, ...system },
    },
    ResourceSettings: resources,
  });

describe('DefineSystem and the resource methods take values in the schema shapes', () => {
  it('refuses a list for a single-valued property with CIM_ERR_INVALID_PARAMETER naming it, and defines nothing', async () => {
    const cases: Array<[string, CimInstance[], CimInstance['properties'], RegExp]> = [
      [
        'rt',
        [rasd({ ResourceType: ['3', '4'], VirtualQuantity: '1' }), cpuAndMemory()[1]!],
        {},
        /ResourceType takes one value, got a list of 2/,
      ],
      [
        'id',
        [rasd({ ResourceType: '3', VirtualQuantity: '1', InstanceID: ['a', 'b'] }), cpuAndMemory()[1]!],
        {},
        /InstanceID takes one value/,
      ],
      [
        'parent',
        [
          ...cpuAndMemory(),
          rasd({ ResourceType: '17', Parent: ['x', 'y'], HostResource: ['/images/a.qcow2'] }),
        ],
        {},
        /Parent takes one value/,
      ],
      [
        'pool',
        [...cpuAndMemory(), rasd({ ResourceType: '17', PoolID: [] })],
        {},
        /PoolID takes one value, got a list of 0/,
      ],
      [
        'units',
        [
          cpuAndMemory()[0]!,
          rasd({ ResourceType: '4', VirtualQuantity: '64', AllocationUnits: ['byte*2^20', 'x'] }),
        ],
        {},
        /AllocationUnits takes one value/,
      ],
      [
        'type',
        cpuAndMemory(),
        { VirtualSystemType: ['vessel-qemu', 'vessel-q35'] },
        /CIM_VirtualSystemSettingData: VirtualSystemType takes one value/,
      ],
    ];
    for (const [name, resources, system, why] of cases) {
      await expect(define(name, resources, system), name).rejects.toMatchObject({
        code: 'CIM_ERR_INVALID_PARAMETER',
        message: expect.stringMatching(why),
      });
    }
    await expect(
      s.cim.om.invokeMethod(admin(), NS, await vsms(), 'DefineSystem', {
        SystemSettings: {
          className: 'CIM_VirtualSystemSettingData',
          properties: { ElementName: ['n1', 'n2'] },
        },
        ResourceSettings: cpuAndMemory(),
      }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
      message: expect.stringMatching(/ElementName takes one value/),
    });
    expect(await s.api.systems.list()).toEqual([]);
  });

  it('reads one value for a list property (HostResource, Connection) as a list of one', async () => {
    const r = await define('one', [...cpuAndMemory(), rasd({ ResourceType: '10', Connection: 'user' })]);
    expect(r.returnValue).toBe(0);
    const nic = (await s.api.systems.get('one')).definition.resources.find(
      (x) => x.properties.ResourceType === '10',
    );
    expect(nic?.properties.Connection).toEqual(['user']);
  });

  it('ModifyResourceSettings refuses a list for a single-valued property and changes nothing', async () => {
    expect((await define('m', cpuAndMemory())).returnValue).toBe(0);
    const before = (await s.api.systems.get('m')).definition;
    const mem = (await s.cim.om.enumerateInstances(admin(), NS, 'CIM_ResourceAllocationSettingData')).find(
      (i) => String(i.properties.InstanceID).startsWith('Vessel:m/') && i.properties.ResourceType === '4',
    );
    if (mem === undefined) throw new Error('no memory RASD of m');
    const changed = { ...mem, properties: { ...mem.properties, VirtualQuantity: ['128', '256'] } };
    await expect(
      s.cim.om.invokeMethod(admin(), NS, await vsms(), 'ModifyResourceSettings', {
        ResourceSettings: [changed],
      }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
      message: expect.stringMatching(/VirtualQuantity takes one value/),
    });
    expect((await s.api.systems.get('m')).definition).toEqual(before);
  });
});
