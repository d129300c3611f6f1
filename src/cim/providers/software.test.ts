import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTEROP_NAMESPACE, VIRT_NAMESPACE } from '../classes/index.js';
import { HYPERVISOR_SOFTWARE_ID } from '../naming.js';
import { newContext } from '../provider.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';
import type { CimInstanceName } from '../types.js';
import { softwareInstance } from './software.js';

const NS = VIRT_NAMESPACE;
const reader = () => newContext('rita', 'reader');
let s: CimSubject;

beforeEach(async () => {
  s = await openCimSubject();
});
afterEach(async () => {
  await s.close();
});

describe('the hypervisor’s software identity (DSP1023, issue 16)', () => {
  it('shows the host’s version as CIM_SoftwareIdentity, polymorphically, to a reader; no digest outside an image', async () => {
    const all = await s.cim.om.enumerateInstances(reader(), NS, 'CIM_SoftwareIdentity');
    expect(all).toHaveLength(1);
    const info = await s.api.host.info();
    expect(info.software).toEqual({ version: info.vesselVersion, image: false });
    expect(all[0]!.className).toBe('Vessel_SoftwareIdentity');
    expect(all[0]!.properties).toMatchObject({
      InstanceID: HYPERVISOR_SOFTWARE_ID,
      VersionString: info.vesselVersion,
      MajorVersion: info.vesselVersion.split('.')[0],
      Classifications: ['4'],
      Manufacturer: 'Vessel',
    });
    expect(all[0]!.properties.ImageDigest).toBeUndefined();
  });

  it('relates it to the host by InstalledSoftwareIdentity and ElementSoftwareIdentity (Current, Installed)', async () => {
    const [hostSystem] = await s.cim.om.enumerateInstanceNames(reader(), NS, 'Vessel_HostSystem');
    const found = await s.cim.om.associators(reader(), NS, hostSystem!, {
      assocClass: 'CIM_InstalledSoftwareIdentity',
      resultClass: 'CIM_SoftwareIdentity',
    });
    expect(found.map((i) => i.properties.InstanceID)).toEqual([HYPERVISOR_SOFTWARE_ID]);
    const sw: CimInstanceName = {
      className: 'Vessel_SoftwareIdentity',
      keys: { InstanceID: HYPERVISOR_SOFTWARE_ID },
    };
    const esi = await s.cim.om.references(reader(), NS, sw, { resultClass: 'CIM_ElementSoftwareIdentity' });
    expect(esi).toHaveLength(1);
    expect(esi[0]!.properties.ElementSoftwareStatus).toEqual(['2', '6']);
    expect((esi[0]!.properties.Dependent as CimInstanceName).keys.CreationClassName).toBe(
      'Vessel_HostSystem',
    );
    const back = await s.cim.om.associatorNames(reader(), NS, sw, {
      assocClass: 'CIM_ElementSoftwareIdentity',
    });
    expect(back.map((p) => p.className)).toEqual(['Vessel_HostSystem']);
  });

  it('registers DSP1023 Software Inventory 1.0.1, referenced by DSP1052, the hypervisor’s identity conforming', async () => {
    const profile = await s.cim.om.getInstance(reader(), INTEROP_NAMESPACE, {
      className: 'Vessel_RegisteredProfile',
      keys: { InstanceID: 'CIM:DSP1023-SoftwareInventory-1.0.1' },
    });
    expect(profile.properties).toMatchObject({
      RegisteredOrganization: '2',
      RegisteredName: 'Software Inventory',
      RegisteredVersion: '1.0.1',
    });
    const referencing = await s.cim.om.associatorNames(reader(), INTEROP_NAMESPACE, profile.path!, {
      assocClass: 'CIM_ReferencedProfile',
    });
    expect(referencing.map((p) => p.keys.InstanceID)).toEqual(['CIM:DSP1052-ComputerSystem-1.0.0']);
    const central = await s.cim.om.associatorNames(reader(), INTEROP_NAMESPACE, profile.path!, {
      assocClass: 'CIM_ElementConformsToProfile',
    });
    expect(central).toEqual([
      expect.objectContaining({
        className: 'Vessel_SoftwareIdentity',
        namespace: NS,
        keys: { InstanceID: HYPERVISOR_SOFTWARE_ID },
      }),
    ]);
    // And back, from the software identity to its profile (DSP1033 §7.5, the interop namespace).
    const back = await s.cim.om.associatorNames(reader(), NS, central[0]!, {
      assocClass: 'CIM_ElementConformsToProfile',
    });
    expect(back.map((p) => [p.namespace, p.keys.InstanceID])).toEqual([
      [INTEROP_NAMESPACE, 'CIM:DSP1023-SoftwareInventory-1.0.1'],
    ]);
  });

  it('marks a host image as a Software Bundle with its digest in ImageDigest and IdentityInfoValue', () => {
    const digest = 'ab'.repeat(32);
    const p = softwareInstance({ version: '0.2.0+g1234abc', image: true, digest }).properties;
    expect(p).toMatchObject({
      VersionString: '0.2.0+g1234abc',
      MajorVersion: '0',
      MinorVersion: '2',
      RevisionNumber: '0',
      Classifications: ['13'],
      ImageDigest: digest,
      IdentityInfoType: ['SHA-256'],
      IdentityInfoValue: [digest],
    });
    // A version whose numbers do not fit uint16 leaves the numeric properties out rather than wrap them.
    const big = softwareInstance({ version: '70000.1.2', image: false }).properties;
    expect(big.MajorVersion).toBeUndefined();
    expect(big.VersionString).toBe('70000.1.2');
  });
});
