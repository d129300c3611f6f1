import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CimError, INTEROP_NAMESPACE, VIRT_NAMESPACE } from '../../../cim/index.js';
import { CimClient } from '../client.js';
import { startTestHost, type TestHost } from '../test-host.js';

// DSP1033 Profile Registration, checked the way cimtest's Profile, ElementConforms and ReferencedProfile groups
// check libvirt-cim, over HTTP against a live host on the test driver.

let host: TestHost;
let c: CimClient;
beforeAll(async () => {
  host = await startTestHost({ vms: 2 });
  c = new CimClient(host.url, { user: 'admin', password: 'secret', namespace: INTEROP_NAMESPACE });
});
afterAll(async () => {
  c.close();
  await host.close();
});

const profile = (id: string) => ({
  className: 'Vessel_RegisteredProfile',
  keys: { InstanceID: id },
  namespace: INTEROP_NAMESPACE,
});

describe('DSP1033 Profile Registration', () => {
  it('the object manager and its namespaces, as pywbem’s WBEMServer reads them through `interop` (issue 11)', async () => {
    const alias = new CimClient(host.url, { user: 'admin', password: 'secret', namespace: 'interop' });
    try {
      const [om, more] = await alias.enumerateInstances('CIM_ObjectManager');
      expect(more).toBeUndefined();
      expect(om!.properties).toMatchObject({
        CreationClassName: 'Vessel_ObjectManager',
        ElementName: 'Vessel',
      });
      const spaces = await alias.enumerateInstances('CIM_Namespace');
      expect(spaces.map((n) => n.properties.Name).sort()).toEqual([INTEROP_NAMESPACE, VIRT_NAMESPACE]);
      const dsp1033 = (await alias.enumerateInstances('CIM_RegisteredProfile')).find(
        (p) => p.properties.RegisteredName === 'Profile Registration',
      )!;
      const central = await alias.associatorNames(dsp1033.path!, {
        assocClass: 'CIM_ElementConformsToProfile',
      });
      expect(central.map((x) => x.className)).toEqual(['Vessel_ObjectManager']);
      const served = await c.associatorNames(om!.path!, { assocClass: 'CIM_NamespaceInManager' });
      expect(served.map((x) => x.keys.Name).sort()).toEqual([INTEROP_NAMESPACE, VIRT_NAMESPACE]);
    } finally {
      alias.close();
    }
  });

  it('Profile/01_enum: registers DSP1042 and DSP1057 with organisation, name and version', async () => {
    const list = await c.enumerateInstances('CIM_RegisteredProfile');
    const tuples = list.map((p) => [
      p.properties.InstanceID,
      p.properties.RegisteredOrganization,
      p.properties.RegisteredName,
      p.properties.RegisteredVersion,
    ]);
    expect(tuples).toContainEqual([
      'CIM:DSP1042-SystemVirtualization-1.0.0',
      '2',
      'System Virtualization',
      '1.0.0',
    ]);
    expect(tuples).toContainEqual(['CIM:DSP1057-VirtualSystem-1.0.0', '2', 'Virtual System', '1.0.0']);
    const names = list.map((p) => p.properties.RegisteredName);
    for (const n of [
      'Profile Registration',
      'Resource Allocation',
      'Allocation Capabilities',
      'Processor Resource Virtualization',
      'Memory Resource Virtualization',
      'Storage Resource Virtualization',
      'Ethernet Port Resource Virtualization',
      'Computer System',
      'Job Control',
    ])
      expect(names).toContain(n);
  });

  it('Profile/02_profile_to_elec: GetInstance of each registered profile by its path returns it', async () => {
    for (const p of await c.enumerateInstanceNames('CIM_RegisteredProfile'))
      expect((await c.getInstance(p)).properties.InstanceID).toBe(p.keys.InstanceID);
  });

  it('ElementConforms/01_forward: DSP1042 conforms the host, DSP1057 every virtual system, across namespaces', async () => {
    const hosts = await c.associatorNames(profile('CIM:DSP1042-SystemVirtualization-1.0.0'), {
      assocClass: 'CIM_ElementConformsToProfile',
    });
    expect(hosts).toEqual([
      expect.objectContaining({
        className: 'Vessel_HostSystem',
        namespace: VIRT_NAMESPACE,
        keys: { CreationClassName: 'Vessel_HostSystem', Name: 'testhost' },
      }),
    ]);
    const vss = await c.associators(profile('CIM:DSP1057-VirtualSystem-1.0.0'), {
      assocClass: 'CIM_ElementConformsToProfile',
      resultClass: 'CIM_ComputerSystem',
    });
    expect(vss.map((v) => v.properties.Name).sort()).toEqual(['vm1', 'vm2']);
  });

  it('ElementConforms/02_reverse: a virtual system and the host lead back to their profiles', async () => {
    const v = new CimClient(host.url, { user: 'admin', password: 'secret' });
    const fromVm = await v.associators(
      {
        className: 'Vessel_ComputerSystem',
        keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'vm2' },
      },
      { assocClass: 'CIM_ElementConformsToProfile' },
    );
    expect(fromVm.map((p) => p.properties.RegisteredName)).toEqual(['Virtual System']);
    const fromHost = await v.associators(
      { className: 'Vessel_HostSystem', keys: { CreationClassName: 'Vessel_HostSystem', Name: 'testhost' } },
      { assocClass: 'CIM_ElementConformsToProfile' },
    );
    expect(fromHost.map((p) => p.properties.RegisteredName).sort()).toEqual([
      'Computer System',
      'System Virtualization',
    ]);
    v.close();
  });

  it('ReferencedProfile/01_verify_refprof: DSP1042 references the component profiles and they lead back', async () => {
    const refs = await c.associators(profile('CIM:DSP1042-SystemVirtualization-1.0.0'), {
      assocClass: 'CIM_ReferencedProfile',
      role: 'Dependent',
    });
    expect(refs.map((r) => r.properties.RegisteredName)).toEqual(
      expect.arrayContaining([
        'Virtual System',
        'Resource Allocation',
        'Allocation Capabilities',
        'Job Control',
      ]),
    );
    const back = await c.associatorNames(profile('CIM:DSP1057-VirtualSystem-1.0.0'), {
      assocClass: 'CIM_ReferencedProfile',
      role: 'Antecedent',
    });
    expect(back.map((b) => b.keys.InstanceID)).toContain('CIM:DSP1042-SystemVirtualization-1.0.0');
  });

  it('ElementConforms/03_ectp_fwd_errs: a profile that does not exist gives CIM_ERR_NOT_FOUND', async () => {
    await expect(
      c.associatorNames(profile('CIM:DSP9999-Nothing-1.0.0'), { assocClass: 'CIM_ElementConformsToProfile' }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
    await expect(c.getInstance(profile('nope'))).rejects.toBeInstanceOf(CimError);
  });

  it('keeps root/interop to profile registration: a virtual system class is not there', async () => {
    await expect(c.enumerateInstances('Vessel_ComputerSystem')).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_CLASS',
    });
  });
});
