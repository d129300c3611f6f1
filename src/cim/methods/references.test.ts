import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { newContext } from '../provider.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';
import type { CimInstanceName, CimValue } from '../types.js';

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
const cs = (className: string, keys: Record<string, string>): CimInstanceName => ({ className, keys });
const vm = (name: string) =>
  cs('Vessel_ComputerSystem', { CreationClassName: 'Vessel_ComputerSystem', Name: name });
const vsms: CimInstanceName = {
  className: 'Vessel_VirtualSystemManagementService',
  keys: {
    SystemCreationClassName: 'Vessel_HostSystem',
    SystemName: 'host1',
    CreationClassName: 'Vessel_VirtualSystemManagementService',
    Name: 'Management Service',
  },
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

/** web1 as it was: defined and stopped, with the resources it was defined with. */
async function untouched(): Promise<void> {
  const web1 = await s.api.systems.get('web1');
  expect(web1.definition.resources).toEqual(
    buildDefinition({ name: 'web1', cpus: 1, memoryBytes: 64n << 20n }).resources,
  );
  expect(web1.state).toBe('stopped');
}

describe('reference parameters are checked key by key (issue 11: DestroySystem deleted a VM named by the host)', () => {
  it.each([
    [
      'the host system class with the VM name',
      cs('Vessel_HostSystem', { CreationClassName: 'Vessel_HostSystem', Name: 'web1' }),
      'CIM_ERR_NOT_FOUND',
    ],
    [
      'CreationClassName="Bogus"',
      cs('Vessel_ComputerSystem', { CreationClassName: 'Bogus', Name: 'web1' }),
      'CIM_ERR_INVALID_PARAMETER',
    ],
    [
      'CreationClassName of the host on the VM class',
      cs('Vessel_ComputerSystem', { CreationClassName: 'Vessel_HostSystem', Name: 'web1' }),
      'CIM_ERR_INVALID_PARAMETER',
    ],
    [
      'CIM_ComputerSystem whose CreationClassName is the host',
      cs('CIM_ComputerSystem', { CreationClassName: 'Vessel_HostSystem', Name: 'web1' }),
      'CIM_ERR_NOT_FOUND',
    ],
    ['no CreationClassName', cs('Vessel_ComputerSystem', { Name: 'web1' }), 'CIM_ERR_INVALID_PARAMETER'],
    [
      'a key the class does not have',
      cs('Vessel_ComputerSystem', { CreationClassName: 'Vessel_ComputerSystem', Name: 'web1', X: '1' }),
      'CIM_ERR_INVALID_PARAMETER',
    ],
    [
      'a class that is no computer system',
      cs('Vessel_VirtualSystemSettingData', { InstanceID: 'Vessel:web1' }),
      'CIM_ERR_INVALID_PARAMETER',
    ],
    ['a class that does not exist', cs('Bogus', { Name: 'web1' }), 'CIM_ERR_INVALID_PARAMETER'],
  ])('DestroySystem refuses %s and leaves the VM alone', async (_what, ref, code) => {
    await expect(call('DestroySystem', { AffectedSystem: ref })).rejects.toMatchObject({ code });
    await untouched();
  });

  it('DestroySystem refuses the host itself (a CIM_ComputerSystem that exists, but no virtual system)', async () => {
    const host = cs('Vessel_HostSystem', { CreationClassName: 'Vessel_HostSystem', Name: 'host1' });
    await expect(call('DestroySystem', { AffectedSystem: host })).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
      message: expect.stringContaining('not a virtual system'),
    });
    await untouched();
  });

  it('DestroySystem takes the VM through its DMTF class (polymorphic path)', async () => {
    const r = await call('DestroySystem', {
      AffectedSystem: { ...vm('web1'), className: 'CIM_ComputerSystem' },
    });
    expect(r.returnValue).toBe(0);
    expect((await s.api.systems.list()).map((v) => v.name)).toEqual([]);
  });

  it('AddResourceSettings refuses an AffectedConfiguration that names a RASD or the system, not its VSSD', async () => {
    const cpu = { className: 'CIM_ResourceAllocationSettingData', properties: { ResourceType: '3' } };
    const rasd = cs('Vessel_ResourceAllocationSettingData', { InstanceID: 'Vessel:web1/1' });
    await expect(
      call('AddResourceSettings', { AffectedConfiguration: rasd, ResourceSettings: [cpu] }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    const asVssd = cs('Vessel_VirtualSystemSettingData', { InstanceID: 'Vessel:web1/1' });
    await expect(
      call('AddResourceSettings', { AffectedConfiguration: asVssd, ResourceSettings: [cpu] }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    await expect(
      call('AddResourceSettings', { AffectedConfiguration: vm('web1'), ResourceSettings: [cpu] }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    await untouched();
  });

  it('RemoveResourceSettings refuses a VSSD among the RASDs, and a RASD under a class it is not', async () => {
    const vssd = cs('Vessel_VirtualSystemSettingData', { InstanceID: 'Vessel:web1' });
    await expect(call('RemoveResourceSettings', { ResourceSettings: [vssd] })).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
    });
    const wrongClass = cs('Vessel_StorageAllocationSettingData', { InstanceID: 'Vessel:web1/1' });
    await expect(call('RemoveResourceSettings', { ResourceSettings: [wrongClass] })).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
    await untouched();
  });

  it('ModifyResourceSettings refuses an embedded instance of another RASD class than the one it names', async () => {
    const nic = {
      className: 'Vessel_EthernetPortAllocationSettingData',
      properties: { InstanceID: 'Vessel:web1/1', ResourceType: '3', VirtualQuantity: '2' },
    };
    await expect(call('ModifyResourceSettings', { ResourceSettings: [nic] })).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
    });
    await untouched();
    const generic = { ...nic, className: 'CIM_ResourceAllocationSettingData' };
    expect((await call('ModifyResourceSettings', { ResourceSettings: [generic] })).returnValue).toBe(0);
  });

  it('DefineSystem refuses a ReferenceConfiguration that is not a VSSD', async () => {
    await expect(
      call('DefineSystem', {
        SystemSettings: { className: 'CIM_VirtualSystemSettingData', properties: { ElementName: 'copy' } },
        ReferenceConfiguration: cs('Vessel_ResourceAllocationSettingData', { InstanceID: 'Vessel:web1/1' }),
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    expect((await s.api.systems.list()).map((v) => v.name)).toEqual(['web1']);
  });

  it('RequestStateChange on the host class with the VM name finds nothing and starts nothing', async () => {
    const target = cs('Vessel_HostSystem', { CreationClassName: 'Vessel_HostSystem', Name: 'web1' });
    await expect(
      s.cim.om.invokeMethod(admin(), NS, target, 'RequestStateChange', { RequestedState: '2' }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    await untouched();
  });

  it.each([
    ['a missing key', cs('Vessel_ComputerSystem', { Name: 'web1' })],
    [
      'an extra key',
      cs('Vessel_ComputerSystem', { CreationClassName: 'Vessel_ComputerSystem', Name: 'web1', Extra: 'x' }),
    ],
    ['a bogus CreationClassName', cs('Vessel_ComputerSystem', { CreationClassName: 'Bogus', Name: 'web1' })],
  ])(
    'RequestStateChange on a target path with %s is CIM_ERR_INVALID_PARAMETER (issue 11)',
    async (_what, target) => {
      await expect(
        s.cim.om.invokeMethod(admin(), NS, target, 'RequestStateChange', { RequestedState: '2' }),
      ).rejects.toMatchObject({
        code: 'CIM_ERR_INVALID_PARAMETER',
        message: expect.stringMatching(/target of RequestStateChange/),
      });
      await untouched();
    },
  );
});
