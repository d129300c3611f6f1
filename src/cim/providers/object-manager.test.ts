import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEROP_ALIAS, INTEROP_NAMESPACE } from '../classes/index.js';
import { newContext } from '../provider.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';

const reader = () => newContext('rita', 'reader');

let s: CimSubject;

beforeAll(async () => {
  s = await openCimSubject();
});
afterAll(async () => {
  await s.close();
});

describe('the object manager and its namespaces in the interop namespace (DSP1033, issue 11)', () => {
  it('has one CIM_ObjectManager and a CIM_Namespace per namespace, linked by CIM_NamespaceInManager', async () => {
    const [om, more] = await s.cim.om.enumerateInstances(reader(), INTEROP_NAMESPACE, 'CIM_ObjectManager');
    expect(more).toBeUndefined();
    expect(om!.path!.keys).toEqual({
      SystemCreationClassName: 'Vessel_HostSystem',
      SystemName: 'host1',
      CreationClassName: 'Vessel_ObjectManager',
      Name: 'Vessel:ObjectManager',
    });
    expect(om!.properties.ElementName).toBe('Vessel');
    const spaces = await s.cim.om.enumerateInstances(reader(), INTEROP_NAMESPACE, 'CIM_Namespace');
    expect(spaces.map((n) => n.properties.Name)).toEqual(['root/interop', 'root/virtualization']);
    const served = await s.cim.om.associatorNames(reader(), INTEROP_NAMESPACE, om!.path!, {
      assocClass: 'CIM_NamespaceInManager',
    });
    expect(served.map((n) => n.keys.Name)).toEqual(['root/interop', 'root/virtualization']);
  });

  it('answers through the alias `interop` as through root/interop', async () => {
    const byAlias = await s.cim.om.enumerateInstanceNames(reader(), INTEROP_ALIAS, 'CIM_RegisteredProfile');
    const byName = await s.cim.om.enumerateInstanceNames(
      reader(),
      INTEROP_NAMESPACE,
      'CIM_RegisteredProfile',
    );
    expect(byAlias).toEqual(byName);
    expect(byAlias[0]!.namespace).toBe(INTEROP_NAMESPACE);
    expect(s.cim.om.repo.namespaces()).not.toContain(INTEROP_ALIAS);
  });

  it('the object manager conforms to DSP1033 Profile Registration (ElementConformsToProfile both ways)', async () => {
    const profiles = await s.cim.om.enumerateInstances(reader(), INTEROP_NAMESPACE, 'CIM_RegisteredProfile');
    const dsp1033 = profiles.find((p) => p.properties.RegisteredName === 'Profile Registration')!;
    const central = await s.cim.om.associatorNames(reader(), INTEROP_NAMESPACE, dsp1033.path!, {
      assocClass: 'CIM_ElementConformsToProfile',
    });
    expect(central.map((c) => c.className)).toEqual(['Vessel_ObjectManager']);
    const back = await s.cim.om.associatorNames(reader(), INTEROP_NAMESPACE, central[0]!, {
      assocClass: 'CIM_ElementConformsToProfile',
    });
    expect(back.map((p) => p.keys.InstanceID)).toEqual([dsp1033.properties.InstanceID]);
  });
});
