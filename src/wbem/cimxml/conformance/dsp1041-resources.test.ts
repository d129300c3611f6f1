import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CimInstance, CimInstanceName } from '../../../cim/index.js';
import { CimClient } from '../client.js';
import { startTestHost, type TestHost } from '../test-host.js';

// DSP1041 Resource Allocation, DSP1043 Allocation Capabilities and the DSP1044/1045/1047/1050 resource
// virtualization profiles, after cimtest's ResourcePool, AllocationCapabilities, SettingsDefineCapabilities,
// ResourceAllocationFromPool, ElementAllocatedFromPool, RASD and VirtualSystemManagementService (resource) groups.

let host: TestHost;
let c: CimClient;
let vsms: CimInstanceName;
const vm = (name: string): CimInstanceName => ({
  className: 'Vessel_ComputerSystem',
  keys: { CreationClassName: 'Vessel_ComputerSystem', Name: name },
});
const vssdOf = (name: string): CimInstanceName => ({
  className: 'Vessel_VirtualSystemSettingData',
  keys: { InstanceID: `Vessel:${name}` },
});
const rasd = (props: Record<string, string | string[]>): CimInstance => ({
  className: 'Vessel_ResourceAllocationSettingData',
  properties: props,
});

beforeAll(async () => {
  host = await startTestHost({ vms: 2 });
  c = new CimClient(host.url, { user: 'admin', password: 'secret' });
  vsms = (await c.enumerateInstanceNames('CIM_VirtualSystemManagementService'))[0]!;
});
afterAll(async () => {
  c.close();
  await host.close();
});

async function poolOf(type: number): Promise<CimInstance> {
  const pools = await c.enumerateInstances('CIM_ResourcePool');
  return pools.find((p) => p.properties.ResourceType === String(type))!;
}

describe('DSP1041 / DSP1043 and the resource virtualization profiles', () => {
  it('ResourcePool/01_enum: one primordial pool per resource type, processor and memory with capacity', async () => {
    const cpu = await poolOf(3);
    const mem = await poolOf(4);
    expect(cpu.properties).toMatchObject({
      Primordial: 'true',
      PoolID: 'Processor',
      AllocationUnits: 'count',
    });
    expect(mem.properties).toMatchObject({ PoolID: 'Memory', AllocationUnits: 'byte * 2^20' });
    expect(Number(mem.properties.Capacity)).toBeGreaterThan(0);
  });

  it('SettingsDefineCapabilities/01_forward: pool → AllocationCapabilities → Default/Minimum/Maximum/Increment templates', async () => {
    const mem = await poolOf(4);
    const [caps] = await c.associators(mem.path!, {
      assocClass: 'CIM_ElementCapabilities',
      resultClass: 'CIM_AllocationCapabilities',
    });
    expect(caps!.properties.ResourceType).toBe('4');
    const sdc = await c.references(caps!.path!, { assocClass: 'CIM_SettingsDefineCapabilities' });
    const roles = sdc.map((s) => `${s.properties.ValueRole}/${s.properties.ValueRange}`).sort();
    expect(roles).toEqual(['0/0', '3/1', '3/2', '3/3']);
    const templates = await c.associators(caps!.path!, { assocClass: 'CIM_SettingsDefineCapabilities' });
    const byId = Object.fromEntries(
      templates.map((t) => [String(t.properties.InstanceID).split('/').pop(), t.properties.VirtualQuantity]),
    );
    expect(byId.Default).toBe('512');
    expect(Number(byId.Maximum)).toBeGreaterThan(Number(byId.Minimum));
  });

  it('uses a Default template, edited, to add a resource (how Hyper-V-style scripts build RASDs)', async () => {
    const disk = await poolOf(17);
    const [caps] = await c.associatorNames(disk.path!, { assocClass: 'CIM_ElementCapabilities' });
    const templates = await c.associators(caps!, { assocClass: 'CIM_SettingsDefineCapabilities' });
    const def = templates.find((t) => String(t.properties.InstanceID).endsWith('/Default'))!;
    const image = await host.image('extra.qcow2');
    const edited: CimInstance = {
      className: def.className,
      properties: { ...def.properties, InstanceID: undefined, HostResource: [image] },
    };
    const r = await c.invokeMethod(vsms, 'AddResourceSettings', {
      AffectedConfiguration: { type: 'reference', value: vssdOf('vm1') },
      ResourceSettings: { type: 'string', embedded: true, value: [edited] },
    });
    expect(r.returnValue).toBe(0);
    const added = r.out.ResultingResourceSettings as CimInstanceName[];
    expect(added).toHaveLength(1);
    expect((await c.getInstance(added[0]!)).properties).toMatchObject({
      ResourceType: '17',
      HostResource: [image],
    });
  });

  it('ResourceAllocationFromPool/01_forward and 02_reverse: pool ↔ RASD both ways', async () => {
    const cpu = await poolOf(3);
    const rasds = await c.associators(cpu.path!, { assocClass: 'CIM_ResourceAllocationFromPool' });
    expect(rasds.map((r) => r.properties.InstanceID).sort()).toEqual(['Vessel:vm1/1', 'Vessel:vm2/1']);
    const back = await c.associatorNames(rasds[0]!.path!, { assocClass: 'CIM_ResourceAllocationFromPool' });
    expect(back.map((b) => b.keys.InstanceID)).toEqual(['Vessel:Pool/Processor']);
  });

  it('ElementAllocatedFromPool/01_forward: an active system’s devices come from the pools', async () => {
    await c.invokeMethod(vm('vm2'), 'RequestStateChange', { RequestedState: { type: 'uint16', value: '2' } });
    const mem = await poolOf(4);
    const devices = await c.associatorNames(mem.path!, { assocClass: 'CIM_ElementAllocatedFromPool' });
    expect(devices.map((d) => `${d.className}:${d.keys.SystemName}`)).toEqual(['Vessel_Memory:vm2']);
    expect((await c.getInstance(mem.path!)).properties.Reserved).toBe('64');
  });

  it('RASD/09_procrasd_persist: ModifyResourceSettings changes a stopped system’s memory, and it persists', async () => {
    const r = await c.invokeMethod(vsms, 'ModifyResourceSettings', {
      ResourceSettings: {
        type: 'string',
        embedded: true,
        value: [rasd({ InstanceID: 'Vessel:vm1/2', VirtualQuantity: '96', AllocationUnits: 'byte * 2^20' })],
      },
    });
    expect(r.returnValue).toBe(0);
    expect(r.out.ResultingResourceSettings).toEqual([
      expect.objectContaining({ keys: { InstanceID: 'Vessel:vm1/2' } }),
    ]);
    const def = await host.driver.getDefinition((await host.driver.lookup('vm1'))!.uuid);
    expect(def.resources.find((x) => x.properties.InstanceID === '2')!.properties).toMatchObject({
      ResourceType: '4',
      VirtualQuantity: '96',
    });
  });

  it('ModifyInstance of a RASD (Vessel extension) changes only the properties of its PropertyList', async () => {
    const cpu = await c.getInstance({
      className: 'Vessel_ResourceAllocationSettingData',
      keys: { InstanceID: 'Vessel:vm1/1' },
    });
    cpu.properties.VirtualQuantity = '4';
    cpu.properties.ElementName = 'not this';
    await c.modifyInstance(cpu, ['VirtualQuantity']);
    const after = await c.getInstance(cpu.path!);
    expect(after.properties.VirtualQuantity).toBe('4');
    expect(after.properties.ElementName).not.toBe('not this');
  });

  it('RemoveResourceSettings removes a NIC; an unknown RASD gives CIM_ERR_NOT_FOUND (RemoveResourceSettings_neg)', async () => {
    const nic = { className: 'Vessel_ResourceAllocationSettingData', keys: { InstanceID: 'Vessel:vm1/5' } };
    expect((await c.getInstance(nic)).properties.ResourceType).toBe('10');
    const r = await c.invokeMethod(vsms, 'RemoveResourceSettings', {
      ResourceSettings: { type: 'reference', value: [nic] },
    });
    expect(r.returnValue).toBe(0);
    await expect(c.getInstance(nic)).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    await expect(
      c.invokeMethod(vsms, 'RemoveResourceSettings', {
        ResourceSettings: { type: 'reference', value: [nic] },
      }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
  });

  it('hot-plugs a disk into a running system (AddResourceSettings on an active system)', async () => {
    const image = await host.image('hot.qcow2');
    const r = await c.invokeMethod(vsms, 'AddResourceSettings', {
      AffectedConfiguration: { type: 'reference', value: vssdOf('vm2') },
      ResourceSettings: {
        type: 'string',
        embedded: true,
        value: [rasd({ ResourceType: '17', HostResource: [image] })],
      },
    });
    expect(r.returnValue).toBe(0);
    const disks = (
      await c.associators(vm('vm2'), { assocClass: 'CIM_SystemDevice', resultClass: 'CIM_LogicalDisk' })
    ).map((d) => d.properties.Name);
    expect(disks).toContain(image);
  });

  it('multi-item Add/Remove/ModifyResourceSettings over CIM-XML are all or nothing (issue 11)', async () => {
    const resources = async () =>
      (await c.associators(vssdOf('vm1'), { assocClass: 'CIM_VirtualSystemSettingDataComponent' }))
        .map((r) => r.properties.InstanceID as string)
        .sort();
    const before = await resources();
    const good = rasd({ ResourceType: '10', ResourceSubType: 'virtio', Connection: ['user'] });
    const bad = rasd({ ResourceType: '4', VirtualQuantity: 'lots', AllocationUnits: 'byte*2^20' });
    await expect(
      c.invokeMethod(vsms, 'AddResourceSettings', {
        AffectedConfiguration: { type: 'reference', value: vssdOf('vm1') },
        ResourceSettings: { type: 'string', embedded: true, value: [good, bad] },
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    expect(await resources()).toEqual(before);
    const gone = { className: 'Vessel_ResourceAllocationSettingData', keys: { InstanceID: 'Vessel:vm1/99' } };
    const first = { className: 'Vessel_ResourceAllocationSettingData', keys: { InstanceID: before[0]! } };
    await expect(
      c.invokeMethod(vsms, 'RemoveResourceSettings', {
        ResourceSettings: { type: 'reference', value: [first, gone] },
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    expect(await resources()).toEqual(before);
    const modify = [rasd({ InstanceID: 'Vessel:vm1/1', ResourceType: '3', VirtualQuantity: '2' })];
    modify.push(rasd({ InstanceID: 'Vessel:vm1/99', ResourceType: '3', VirtualQuantity: '2' }));
    await expect(
      c.invokeMethod(vsms, 'ModifyResourceSettings', {
        ResourceSettings: { type: 'string', embedded: true, value: modify },
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    expect(
      (await c.getInstance({ ...first, keys: { InstanceID: 'Vessel:vm1/1' } })).properties.VirtualQuantity,
    ).not.toBe('2');
  });

  it('AllocationCapabilities/02_alloccap_gi_errs: a bad InstanceID gives CIM_ERR_NOT_FOUND', async () => {
    await expect(
      c.getInstance({
        className: 'Vessel_AllocationCapabilities',
        keys: { InstanceID: 'Vessel:AllocationCapabilities/Nope' },
      }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
  });
});
