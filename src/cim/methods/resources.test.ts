import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultOf } from '../../api/index.js';
import { buildDefinition } from '../../model/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { newContext } from '../provider.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';
import type { CimInstance, CimInstanceName, CimValue } from '../types.js';

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
const vsms: CimInstanceName = {
  className: 'Vessel_VirtualSystemManagementService',
  keys: {
    SystemCreationClassName: 'Vessel_HostSystem',
    SystemName: 'host1',
    CreationClassName: 'Vessel_VirtualSystemManagementService',
    Name: 'Management Service',
  },
};
const vssd: CimInstanceName = {
  className: 'Vessel_VirtualSystemSettingData',
  keys: { InstanceID: 'Vessel:web1' },
};
const rasdRef = (id: string): CimInstanceName => ({
  className: 'Vessel_ResourceAllocationSettingData',
  keys: { InstanceID: `Vessel:web1/${id}` },
});
const rasd = (properties: Record<string, string | string[]>): CimInstance => ({
  className: 'Vessel_ResourceAllocationSettingData',
  properties,
});
const nic: CimInstance = {
  className: 'Vessel_EthernetPortAllocationSettingData',
  properties: { ResourceType: '10', ResourceSubType: 'virtio', Connection: ['user'] },
};

let s: CimSubject;

beforeEach(async () => {
  s = await openCimSubject();
  await s.define(buildDefinition({ name: 'web1', cpus: 1, memoryBytes: 64n << 20n }));
});
afterEach(async () => {
  await s.close();
});

const call = (method: string, params: Record<string, CimValue>) =>
  s.cim.om.invokeMethod(admin(), NS, vsms, method, params);
const resources = async () => (await s.api.systems.get('web1')).definition.resources;
const ids = async () => (await resources()).map((r) => r.properties.InstanceID);

describe('multi-item resource methods are all or nothing (issue 11)', () => {
  it('AddResourceSettings with a good and a bad item adds neither, on a stopped and on a running system', async () => {
    const before = await resources();
    const bad = rasd({ ResourceType: '4', VirtualQuantity: 'lots', AllocationUnits: 'byte*2^20' });
    await expect(
      call('AddResourceSettings', { AffectedConfiguration: vssd, ResourceSettings: [nic, bad] }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    expect(await resources()).toEqual(before);
    resultOf(await s.api.systems.changeState('web1', 'start', { waitMs: Number.POSITIVE_INFINITY }));
    await expect(
      call('AddResourceSettings', { AffectedConfiguration: vssd, ResourceSettings: [nic, bad] }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    expect(await resources()).toEqual(before);
    const two = await call('AddResourceSettings', {
      AffectedConfiguration: vssd,
      ResourceSettings: [nic, nic],
    });
    expect(two.returnValue).toBe(0);
    expect(two.out.ResultingResourceSettings).toHaveLength(2);
    expect(await resources()).toHaveLength(before.length + 2);
  });

  it('ModifyResourceSettings with a good and an unknown or bad item changes neither', async () => {
    const before = await resources();
    const [cpuId, memId] = before.map((r) => String(r.properties.InstanceID));
    const cpu = rasd({ InstanceID: `Vessel:web1/${cpuId}`, ResourceType: '3', VirtualQuantity: '2' });
    const unknown = rasd({ InstanceID: 'Vessel:web1/99', ResourceType: '3', VirtualQuantity: '2' });
    await expect(call('ModifyResourceSettings', { ResourceSettings: [cpu, unknown] })).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
    expect(await resources()).toEqual(before);
    const bad = rasd({ InstanceID: `Vessel:web1/${memId}`, ResourceType: '4', VirtualQuantity: '-1' });
    await expect(call('ModifyResourceSettings', { ResourceSettings: [cpu, bad] })).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
    });
    expect(await resources()).toEqual(before);
  });

  it('RemoveResourceSettings with a present and an absent RASD removes neither', async () => {
    const before = await ids();
    await expect(
      call('RemoveResourceSettings', { ResourceSettings: [rasdRef(String(before[0])), rasdRef('99')] }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    expect(await ids()).toEqual(before);
  });
});
