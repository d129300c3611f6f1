import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultOf } from '../api/index.js';
import { DefinitionBuilder } from '../model/index.js';
import { VIRT_NAMESPACE } from './classes/index.js';
import { newContext } from './provider.js';
import { type CimSubject, openCimSubject } from './subject.case.test.js';
import type { CimInstance, CimInstanceName, CimValue } from './types.js';

// A drive's unit given in Address (DSP1041) and sizes in DSP0004 decimal units, through DSP1042's methods
// (issue 11).

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
const call = async (method: string, params: Record<string, CimValue>) =>
  s.cim.om.invokeMethod(admin(), NS, await vsms(), method, params);
const rasd = (properties: Record<string, string | string[]>): CimInstance => ({
  className: 'Vessel_ResourceAllocationSettingData',
  properties,
});
const drives = async (name: string) =>
  (await s.api.systems.get(name)).definition.resources.filter((r) => r.properties.ResourceType === '17');

describe('a drive’s Address', () => {
  it('DefineSystem takes a disk’s unit from Address and the disk sits there', async () => {
    const image = await s.image('a.img');
    const r = await call('DefineSystem', {
      SystemSettings: { className: 'Vessel_VirtualSystemSettingData', properties: { ElementName: 'addr' } },
      ResourceSettings: [
        rasd({ InstanceID: 'cpu', ResourceType: '3', VirtualQuantity: '1' }),
        rasd({ InstanceID: 'mem', ResourceType: '4', VirtualQuantity: '64', AllocationUnits: 'byte*2^20' }),
        rasd({ InstanceID: 'ide', ResourceType: '5', ResourceSubType: 'PIIX4', Address: '0' }),
        rasd({ InstanceID: 'disk', ResourceType: '17', Parent: 'ide', Address: '1', HostResource: [image] }),
      ],
    });
    expect(r.returnValue).toBe(0);
    const [disk] = await drives('addr');
    expect(disk!.properties.AddressOnParent).toBe('1');
    expect(disk!.properties.Address).toBeUndefined();
  });

  it('AddResourceSettings and ModifyResourceSettings take it; a bad one is refused and changes nothing', async () => {
    const b = new DefinitionBuilder({ ElementName: 'web1' });
    b.cpus(1);
    b.memory(64n << 20n);
    b.controller('ide', { address: 0 });
    await s.define(b.build());
    const ide = (await s.api.systems.get('web1')).definition.resources.find(
      (r) => r.properties.ResourceType === '5',
    )!;
    const image = await s.image('b.img');
    const vssd = { className: 'Vessel_VirtualSystemSettingData', keys: { InstanceID: 'Vessel:web1' } };
    const added = await call('AddResourceSettings', {
      AffectedConfiguration: vssd,
      ResourceSettings: [
        rasd({
          ResourceType: '17',
          Parent: `Vessel:web1/${ide.properties.InstanceID}`,
          Address: '1',
          HostResource: [image],
        }),
      ],
    });
    expect(added.returnValue).toBe(0);
    const [disk] = await drives('web1');
    expect(disk!.properties).toMatchObject({ AddressOnParent: '1', Parent: ide.properties.InstanceID });
    const id = `Vessel:web1/${disk!.properties.InstanceID}`;
    const before = (await s.api.systems.get('web1')).definition;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ Address: 'sda' }, /Address "sda" is not a unit number/],
      [{ Address: '1', AddressOnParent: '0' }, /disagree/],
    ];
    for (const [given, why] of cases) {
      const props = { ResourceType: '17', HostResource: [image], ...given };
      await expect(
        call('AddResourceSettings', { AffectedConfiguration: vssd, ResourceSettings: [rasd({ ...props })] }),
      ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER', message: expect.stringMatching(why) });
    }
    await expect(
      call('ModifyResourceSettings', { ResourceSettings: [rasd({ InstanceID: id, Address: 'sda' })] }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    expect((await s.api.systems.get('web1')).definition).toEqual(before);
    // Address alone (no ResourceType) is read against the stored drive.
    const moved = await call('ModifyResourceSettings', {
      ResourceSettings: [rasd({ InstanceID: id, Address: '0' })],
    });
    expect(moved.returnValue).toBe(0);
    expect((await drives('web1'))[0]!.properties).toMatchObject({ AddressOnParent: '0' });
    expect((await drives('web1'))[0]!.properties.Address).toBeUndefined();
  });
});

describe('sizes in DSP0004 decimal units', () => {
  it('memory in bytes*10^3 and a disk in byte*10^6 read exactly on the running system’s devices', async () => {
    const image = await s.image('c.img');
    const r = await call('DefineSystem', {
      SystemSettings: { className: 'Vessel_VirtualSystemSettingData', properties: { ElementName: 'dec' } },
      ResourceSettings: [
        rasd({ ResourceType: '3', VirtualQuantity: '1' }),
        rasd({ ResourceType: '4', VirtualQuantity: '65536', VirtualQuantityUnits: 'bytes*10^3' }),
        rasd({
          ResourceType: '17',
          HostResource: [image],
          VirtualQuantity: '2048',
          AllocationUnits: 'byte * 10^6',
        }),
      ],
    });
    expect(r.returnValue).toBe(0);
    resultOf(await s.api.systems.changeState('dec', 'start', { waitMs: Number.POSITIVE_INFINITY }));
    const [memory] = await s.cim.om.enumerateInstances(admin(), NS, 'CIM_Memory');
    expect([memory!.properties.BlockSize, memory!.properties.NumberOfBlocks]).toEqual(['1', '65536000']);
    const [disk] = await s.cim.om.enumerateInstances(admin(), NS, 'CIM_LogicalDisk');
    expect([disk!.properties.BlockSize, disk!.properties.NumberOfBlocks]).toEqual(['512', '4000000']);
  });

  it('a unit that is not one is refused with the reason', async () => {
    for (const unit of ['furlongs', 'byte*10^999', `byte${'*10'.repeat(80)}`, 'byte*(10^3', 'bytes*10^3.5']) {
      await expect(
        call('DefineSystem', {
          SystemSettings: {
            className: 'Vessel_VirtualSystemSettingData',
            properties: { ElementName: 'odd' },
          },
          ResourceSettings: [
            rasd({ ResourceType: '3', VirtualQuantity: '1' }),
            rasd({ ResourceType: '4', VirtualQuantity: '64', VirtualQuantityUnits: unit }),
          ],
        }),
        unit,
      ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    }
    expect(await s.api.systems.list()).toEqual([]);
  });
});
