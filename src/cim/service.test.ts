import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDefinition } from '../model/index.js';
import { INTEROP_NAMESPACE, VIRT_NAMESPACE } from './classes/index.js';
import { CimError } from './errors.js';
import { newContext } from './provider.js';
import type { CimService } from './service.js';
import { type CimSubject, openCimSubject } from './subject.case.test.js';
import type { CimInstanceName } from './types.js';

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
const vm = (name: string): CimInstanceName => ({
  className: 'Vessel_ComputerSystem',
  keys: { CreationClassName: 'Vessel_ComputerSystem', Name: name },
});

let s: CimSubject;
let cim: CimService;

beforeEach(async () => {
  s = await openCimSubject();
  cim = s.cim;
  await s.define(
    buildDefinition({
      name: 'web1',
      cpus: 2,
      memoryBytes: 256n << 20n,
      disks: [await s.image('web1.qcow2')],
      nics: [{ network: 'user', mac: '52:54:00:12:34:56' }],
    }),
  );
  await s.define(buildDefinition({ name: 'db1', cpus: 1, memoryBytes: 512n << 20n }));
});
afterEach(async () => {
  await s.close();
});

describe('the CIM service over a host on the test driver', () => {
  it('enumerates CIM_ComputerSystem polymorphically: the host and every virtual system', async () => {
    const list = await cim.om.enumerateInstances(admin(), NS, 'CIM_ComputerSystem');
    expect(list.map((i) => `${i.className}:${i.properties.Name}`).sort()).toEqual([
      'Vessel_ComputerSystem:db1',
      'Vessel_ComputerSystem:web1',
      'Vessel_HostSystem:host1',
    ]);
    expect(list.find((i) => i.properties.Name === 'web1')?.path).toEqual({
      className: 'Vessel_ComputerSystem',
      keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'web1' },
      namespace: NS,
    });
  });

  it('gets a virtual system through its DMTF parent class and refuses bad keys with CIM_ERR_NOT_FOUND', async () => {
    const i = await cim.om.getInstance(admin(), NS, { ...vm('web1'), className: 'CIM_ComputerSystem' });
    expect(i.properties.EnabledState).toBe('3');
    await expect(cim.om.getInstance(admin(), NS, vm('nope'))).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
    await expect(
      cim.om.getInstance(admin(), NS, {
        className: 'CIM_ComputerSystem',
        keys: { CreationClassName: 'CIM_ComputerSystem', Name: 'web1' },
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    await expect(cim.om.getInstance(admin(), 'root/nowhere', vm('web1'))).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_NAMESPACE',
    });
    await expect(
      cim.om.getInstance(admin(), NS, { ...vm('web1'), className: 'CIM_Nothing' }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_CLASS' });
  });

  it('walks VSSD ↔ RASD and VS ↔ VSSD both ways', async () => {
    const vssd = await cim.om.associatorNames(admin(), NS, vm('web1'), {
      assocClass: 'CIM_SettingsDefineState',
    });
    expect(vssd).toEqual([
      { className: 'Vessel_VirtualSystemSettingData', keys: { InstanceID: 'Vessel:web1' }, namespace: NS },
    ]);
    const rasds = await cim.om.associators(admin(), NS, vssd[0]!, {
      assocClass: 'CIM_VirtualSystemSettingDataComponent',
    });
    expect(rasds.map((r) => r.properties.ResourceType).sort()).toEqual(['10', '17', '21', '3', '4', '5']);
    const back = await cim.om.associatorNames(admin(), NS, rasds[0]!.path!, {
      resultClass: 'CIM_VirtualSystemSettingData',
    });
    expect(back).toEqual(vssd);
    const systems = await cim.om.associatorNames(admin(), NS, vssd[0]!, {
      resultClass: 'CIM_ComputerSystem',
    });
    expect(systems.map((s) => s.keys.Name)).toEqual(['web1']);
  });

  it('registers the profiles in root/interop and conforms the host and each virtual system across namespaces', async () => {
    const profiles = await cim.om.enumerateInstances(admin(), INTEROP_NAMESPACE, 'CIM_RegisteredProfile');
    const dsp1057 = profiles.find((p) => p.properties.RegisteredName === 'Virtual System')!;
    expect(dsp1057.properties).toMatchObject({ RegisteredOrganization: '2', RegisteredVersion: '1.0.0' });
    const conformant = await cim.om.associatorNames(admin(), INTEROP_NAMESPACE, dsp1057.path!, {
      assocClass: 'CIM_ElementConformsToProfile',
    });
    expect(conformant.map((c) => `${c.namespace}:${c.keys.Name}`).sort()).toEqual([
      'root/virtualization:db1',
      'root/virtualization:web1',
    ]);
    const fromVm = await cim.om.associatorNames(admin(), NS, vm('db1'), {
      assocClass: 'CIM_ElementConformsToProfile',
    });
    expect(fromVm).toEqual([{ ...dsp1057.path, namespace: INTEROP_NAMESPACE }]);
  });

  it('runs the lifecycle: DefineSystem, RequestStateChange 2, 9, 2, 4 (job), DestroySystem', async () => {
    const vsms: CimInstanceName = (
      await cim.om.enumerateInstanceNames(admin(), NS, 'CIM_VirtualSystemManagementService')
    )[0]!;
    const r = await cim.om.invokeMethod(admin(), NS, vsms, 'DefineSystem', {
      SystemSettings: { className: 'CIM_VirtualSystemSettingData', properties: { ElementName: 'new1' } },
      ResourceSettings: [
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: { ResourceType: '3', VirtualQuantity: '1' },
        },
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: { ResourceType: '4', VirtualQuantity: '64', AllocationUnits: 'MegaBytes' },
        },
      ],
    });
    expect(r.returnValue).toBe(0);
    expect(r.out.ResultingSystem).toMatchObject({ keys: { Name: 'new1' } });
    const state = async () => (await cim.om.getInstance(admin(), NS, vm('new1'))).properties;
    expect(
      (await cim.om.invokeMethod(admin(), NS, vm('new1'), 'RequestStateChange', { RequestedState: '2' }))
        .returnValue,
    ).toBe(0);
    expect(await state()).toMatchObject({ EnabledState: '2', RequestedState: '2' });
    expect(
      (await cim.om.invokeMethod(admin(), NS, vm('new1'), 'RequestStateChange', { RequestedState: '9' }))
        .returnValue,
    ).toBe(0);
    expect(await state()).toMatchObject({ EnabledState: '9', RequestedState: '9' });
    expect(
      (await cim.om.invokeMethod(admin(), NS, vm('new1'), 'RequestStateChange', { RequestedState: '9' }))
        .returnValue,
    ).toBe(4097);
    expect(
      (await cim.om.invokeMethod(admin(), NS, vm('new1'), 'RequestStateChange', { RequestedState: '2' }))
        .returnValue,
    ).toBe(0);
    cim.env.syncMs = 0;
    const down = await cim.om.invokeMethod(admin(), NS, vm('new1'), 'RequestStateChange', {
      RequestedState: '4',
    });
    expect(down.returnValue).toBe(4096);
    const job = down.out.Job as CimInstanceName;
    let j = await cim.om.getInstance(admin(), NS, job);
    for (let i = 0; i < 100 && j.properties.JobState === '4'; i++) {
      await new Promise((res) => setTimeout(res, 10));
      j = await cim.om.getInstance(admin(), NS, job);
    }
    expect(j.properties.JobState).toBe('7');
    expect(await state()).toMatchObject({ EnabledState: '3', RequestedState: '4' });
    const affected = await cim.om.associatorNames(admin(), NS, job, { assocClass: 'CIM_AffectedJobElement' });
    expect(affected.map((a) => a.keys.Name)).toEqual(['new1']);
    cim.env.syncMs = 2000;
    expect(
      (await cim.om.invokeMethod(admin(), NS, vsms, 'DestroySystem', { AffectedSystem: vm('new1') }))
        .returnValue,
    ).toBe(0);
    await expect(state()).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
  });

  it("refuses a reader every method and an operator everything but RequestStateChange, by the Api's role check", async () => {
    const vsms = (await cim.om.enumerateInstanceNames(admin(), NS, 'CIM_VirtualSystemManagementService'))[0]!;
    const reader = newContext('rita', 'reader');
    const operator = newContext('otto', 'operator');
    await expect(
      cim.om.invokeMethod(reader, NS, vm('web1'), 'RequestStateChange', { RequestedState: '2' }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_ACCESS_DENIED',
      message: 'rita (reader) may not call systems.changeState: it needs the operator role',
    });
    expect(
      (await cim.om.invokeMethod(operator, NS, vm('web1'), 'RequestStateChange', { RequestedState: '2' }))
        .returnValue,
    ).toBe(0);
    await expect(
      cim.om.invokeMethod(operator, NS, vsms, 'DestroySystem', { AffectedSystem: vm('web1') }),
    ).rejects.toSatisfy((e) => e instanceof CimError && e.code === 'CIM_ERR_ACCESS_DENIED');
    expect((await s.api.systems.get('web1')).state).toBe('running');
    // Nothing was asked of the host for the refused calls: the only jobs are the defines and the operator's start.
    const jobs = await s.api.jobs.list();
    expect(jobs.map((j) => `${j.owner}:${j.operation}`).sort()).toEqual([
      'local:define',
      'local:define',
      'otto:start',
    ]);
  });
});
