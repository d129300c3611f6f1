import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CimClient } from '../client.js';
import { startTestHost, type TestHost } from '../test-host.js';

// DSP1042 System Virtualization and DSP1052 Computer System (the host), after cimtest's HostSystem,
// HostedService, HostedDependency, HostedResourcePool and VirtualSystemManagementCapabilities groups.

let host: TestHost;
let c: CimClient;
const hostPath = {
  className: 'Vessel_HostSystem',
  keys: { CreationClassName: 'Vessel_HostSystem', Name: 'testhost' },
};
beforeAll(async () => {
  host = await startTestHost({ vms: 3 });
  c = new CimClient(host.url, { user: 'admin', password: 'secret' });
});
afterAll(async () => {
  c.close();
  await host.close();
});

describe('DSP1042 System Virtualization / DSP1052 Computer System', () => {
  it('HostSystem/01_enum: one host system, named after the host', async () => {
    const hosts = await c.enumerateInstances('Vessel_HostSystem');
    expect(hosts).toHaveLength(1);
    expect(hosts[0]!.properties).toMatchObject({
      Name: 'testhost',
      CreationClassName: 'Vessel_HostSystem',
      EnabledState: '2',
    });
  });

  it('ComputerSystem/01_enum: CIM_ComputerSystem is served polymorphically (host and virtual systems)', async () => {
    const all = await c.enumerateInstanceNames('CIM_ComputerSystem');
    expect(all.map((p) => `${p.className}/${p.keys.Name}`).sort()).toEqual([
      'Vessel_ComputerSystem/vm1',
      'Vessel_ComputerSystem/vm2',
      'Vessel_ComputerSystem/vm3',
      'Vessel_HostSystem/testhost',
    ]);
    const viaSystem = await c.enumerateInstanceNames('CIM_System');
    expect(viaSystem).toHaveLength(4);
    const named = await c.enumerateInstances('CIM_ComputerSystem', {
      propertyList: ['Name', 'EnabledState'],
    });
    expect(named.map((i) => Object.keys(i.properties).sort())).toEqual(
      Array(4).fill(['EnabledState', 'Name']),
    );
  });

  it('HostSystem/05_hs_gi_errs: a wrong Name or CreationClassName gives CIM_ERR_NOT_FOUND', async () => {
    await expect(
      c.getInstance({ ...hostPath, keys: { ...hostPath.keys, Name: 'other' } }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    await expect(
      c.getInstance({ ...hostPath, keys: { CreationClassName: 'Wrong_Class', Name: 'testhost' } }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
  });

  it('HostedDependency/01_forward and 02_reverse: host ↔ every virtual system (host as Antecedent)', async () => {
    const vss = await c.associatorNames(hostPath, {
      assocClass: 'CIM_HostedDependency',
      resultClass: 'CIM_ComputerSystem',
      role: 'Antecedent',
    });
    expect(vss.map((v) => v.keys.Name).sort()).toEqual(['vm1', 'vm2', 'vm3']);
    const back = await c.associatorNames(vss[0]!, { assocClass: 'CIM_HostedDependency', role: 'Dependent' });
    expect(back.map((b) => b.keys.Name)).toEqual(['testhost']);
  });

  it('HostedService/01_forward and 02_reverse: host ↔ the virtual system management service', async () => {
    const hosted = await c.associators(hostPath, { assocClass: 'CIM_HostedService' });
    // The management service, and Vessel's serial console service (src/cim/providers/consoles.ts).
    expect(hosted.map((s) => s.className).sort()).toEqual([
      'Vessel_TextConsoleService',
      'Vessel_VirtualSystemManagementService',
    ]);
    const svcs = hosted.filter((s) => s.className === 'Vessel_VirtualSystemManagementService');
    expect(svcs[0]!.properties).toMatchObject({
      SystemName: 'testhost',
      Name: 'Management Service',
      EnabledState: '2',
    });
    for (const svc of hosted) {
      const back = await c.associatorNames(svc.path!, { assocClass: 'CIM_HostedService' });
      expect(back.map((b) => b.keys.Name)).toEqual(['testhost']);
    }
  });

  it('VirtualSystemManagementCapabilities/01_enum: the service and host lead to the capabilities with DSP1042 values', async () => {
    const vsms = (await c.enumerateInstanceNames('CIM_VirtualSystemManagementService'))[0]!;
    const caps = await c.associators(vsms, { assocClass: 'CIM_ElementCapabilities' });
    expect(caps).toHaveLength(1);
    expect(caps[0]!.properties.SynchronousMethodsSupported).toEqual(
      expect.arrayContaining(['2', '3', '5', '6', '7', '10']),
    );
    expect(caps[0]!.properties.VirtualSystemTypesSupported).toContain('vessel-qemu');
    const fromHost = await c.associatorNames(hostPath, { assocClass: 'CIM_ElementCapabilities' });
    expect(fromHost).toEqual([caps[0]!.path]);
  });

  it('HostedResourcePool/01_forward: the host hosts one primordial pool per resource type, and its storage pools', async () => {
    const pools = await c.associators(hostPath, { assocClass: 'CIM_HostedResourcePool' });
    const primordial = pools.filter((p) => p.properties.Primordial === 'true');
    const types = primordial.map((p) => Number(p.properties.ResourceType)).sort((a, b) => a - b);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual(expect.arrayContaining([3, 4, 10, 15, 16, 17, 31, 33]));
    // The rest are the host's storage pools (DSP1047): concrete Logical Disk pools, the default one first.
    const storage = pools.filter((p) => p.properties.Primordial !== 'true');
    expect(storage.map((p) => [p.properties.PoolID, p.properties.ResourceType])).toEqual([
      ['Storage/default', '31'],
    ]);
  });

  it('GetClass of the service has every DSP1042 method with its parameters (what wbemcli needs)', async () => {
    const cls = await c.getClass('Vessel_VirtualSystemManagementService');
    expect(cls.methods.map((m) => m.name)).toEqual(
      expect.arrayContaining([
        'DefineSystem',
        'DestroySystem',
        'AddResourceSettings',
        'ModifyResourceSettings',
        'ModifySystemSettings',
        'RemoveResourceSettings',
      ]),
    );
    const define = cls.methods.find((m) => m.name === 'DefineSystem')!;
    expect(define.parameters.map((p) => p.name)).toEqual([
      'SystemSettings',
      'ResourceSettings',
      'ReferenceConfiguration',
      'ResultingSystem',
      'Job',
    ]);
    expect(
      cls.properties
        .filter((p) => p.qualifiers.some((q) => q.name === 'Key'))
        .map((p) => p.name)
        .sort(),
    ).toEqual(['CreationClassName', 'Name', 'SystemCreationClassName', 'SystemName']);
  });
});
