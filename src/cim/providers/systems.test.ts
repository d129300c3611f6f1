import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultOf } from '../../api/index.js';
import { buildDefinition } from '../../model/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { newContext } from '../provider.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';
import type { CimInstanceName, CimValue } from '../types.js';

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
const vm: CimInstanceName = {
  className: 'Vessel_ComputerSystem',
  keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'web1' },
};
const vsms: CimInstanceName = {
  className: 'Vessel_VirtualSystemManagementService',
  keys: {
    SystemCreationClassName: 'Vessel_HostSystem',
    SystemName: 'host1',
    CreationClassName: 'Vessel_VirtualSystemManagementService',
    Name: 'Management Service',
  },
};
const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY };

let s: CimSubject;

beforeEach(async () => {
  s = await openCimSubject();
  await s.define(buildDefinition({ name: 'web1', cpus: 1, memoryBytes: 64n << 20n }));
});
afterEach(async () => {
  await s.close();
});

const props = async () => (await s.cim.om.getInstance(admin(), NS, vm)).properties;
const call = (method: string, params: Record<string, CimValue>) =>
  s.cim.om.invokeMethod(admin(), NS, vsms, method, params);

describe('the virtual system’s state properties (DSP1057 §7.1, issue 11)', () => {
  it('AvailableRequestedStates lists every request the state allows, all within RequestedStatesSupported', async () => {
    const caps = await s.cim.om.getInstance(admin(), NS, {
      className: 'Vessel_EnabledLogicalElementCapabilities',
      keys: { InstanceID: 'Vessel:Capabilities/web1' },
    });
    const supported = caps.properties.RequestedStatesSupported as string[];
    expect(supported).toEqual(['2', '3', '4', '9', '10', '11']);
    expect(await props()).toMatchObject({
      EnabledState: '3',
      AvailableRequestedStates: ['2'],
      OperatingStatus: '5',
    });
    resultOf(await s.api.systems.changeState('web1', 'start', UNTIL_DONE));
    expect(await props()).toMatchObject({
      EnabledState: '2',
      AvailableRequestedStates: ['3', '4', '9', '10', '11'],
      OperatingStatus: '16',
    });
    resultOf(await s.api.systems.changeState('web1', 'pause', UNTIL_DONE));
    const paused = await props();
    expect(paused).toMatchObject({ EnabledState: '9', OperatingStatus: '7' });
    expect(paused.AvailableRequestedStates).toEqual(expect.arrayContaining(['2', '3']));
    for (const v of paused.AvailableRequestedStates as string[]) expect(supported).toContain(v);
  });
});

describe('VirtualSystemType and AutomaticStartupAction are checked against what the host offers (issue 11)', () => {
  const vssd = (p: Record<string, string>) => ({
    className: 'Vessel_VirtualSystemSettingData',
    properties: p,
  });

  it('the management capabilities list the host’s VirtualSystemTypes', async () => {
    const [caps] = await s.cim.om.enumerateInstances(admin(), NS, 'CIM_VirtualSystemManagementCapabilities');
    expect(caps!.properties.VirtualSystemTypesSupported).toEqual(['vessel-qemu', 'vessel-q35']);
  });

  it('DefineSystem refuses a VirtualSystemType or an AutomaticStartupAction the host does not offer', async () => {
    await expect(
      call('DefineSystem', { SystemSettings: vssd({ ElementName: 'x1', VirtualSystemType: 'Xen' }) }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
      message: expect.stringContaining('vessel-qemu'),
    });
    for (const bad of ['3', '4', '7', 'often'])
      await expect(
        call('DefineSystem', { SystemSettings: vssd({ ElementName: 'x2', AutomaticStartupAction: bad }) }),
      ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    expect((await s.api.systems.list()).map((v) => v.name)).toEqual(['web1']);
    const ok = await call('DefineSystem', {
      SystemSettings: vssd({
        ElementName: 'x3',
        VirtualSystemType: 'vessel-q35',
        AutomaticStartupAction: '2',
      }),
      ResourceSettings: [
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: { ResourceType: '3', VirtualQuantity: '1' },
        },
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: { ResourceType: '4', VirtualQuantity: '64', AllocationUnits: 'byte*2^20' },
        },
      ],
    });
    expect(ok.returnValue).toBe(0);
  });

  it('ModifySystemSettings refuses a new unknown VirtualSystemType but takes the system’s own back unchanged', async () => {
    const def = buildDefinition({ name: 'ovf1', cpus: 1, memoryBytes: 64n << 20n });
    def.system.VirtualSystemType = 'vmx-07';
    await s.define(def);
    const own = vssd({ InstanceID: 'Vessel:ovf1', VirtualSystemType: 'vmx-07', Description: 'kept' });
    expect((await call('ModifySystemSettings', { SystemSettings: own })).returnValue).toBe(0);
    await expect(
      call('ModifySystemSettings', {
        SystemSettings: vssd({ InstanceID: 'Vessel:web1', VirtualSystemType: 'vmx-07' }),
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    await expect(
      call('ModifySystemSettings', {
        SystemSettings: vssd({ InstanceID: 'Vessel:web1', AutomaticStartupAction: '4' }),
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    expect((await s.api.systems.get('web1')).definition.system.VirtualSystemType).toBe('vessel-qemu');
  });
});
