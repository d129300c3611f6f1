import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wbemcli } from '../../../test/helpers/wbemcli.js';
import { startTestHost, type TestHost } from './test-host.js';

// DSP1023 Software Inventory through Debian's sblim-wbemcli over CIM-XML (issue 16): the profile is registered in
// root/interop, the hypervisor's CIM_SoftwareIdentity conforms to it, and the host reaches it by
// InstalledSoftwareIdentity and ElementSoftwareIdentity; hostile keys are not found.

let h: TestHost;
let base: string;
let interop: string;

const HOST = 'Vessel_HostSystem.CreationClassName="Vessel_HostSystem",Name="testhost"';
const DSP1023 = 'Vessel_RegisteredProfile.InstanceID="CIM:DSP1023-SoftwareInventory-1.0.1"';
const SOFTWARE = 'Vessel_SoftwareIdentity.InstanceID="Vessel:SoftwareIdentity/Hypervisor"';

beforeAll(async () => {
  h = await startTestHost({ vms: 0 });
  base = `${h.url.replace('http://', 'http://admin:secret@')}/root/virtualization`;
  interop = base.replace('root/virtualization', 'root/interop');
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('Software Inventory (DSP1023) with sblim wbemcli', () => {
  it('ei: lists Software Inventory 1.0.1 among the registered profiles', async () => {
    const r = await wbemcli('-nl', 'ei', `${interop}:CIM_RegisteredProfile`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('-InstanceID="CIM:DSP1023-SoftwareInventory-1.0.1"');
    expect(r.out).toContain('-RegisteredName="Software Inventory"');
  });

  it('ai: the profile’s conformant element is the hypervisor’s software identity, with its version', async () => {
    const r = await wbemcli('-nl', 'ai', '-ac', 'CIM_ElementConformsToProfile', `${interop}:${DSP1023}`);
    expect(r.code, r.out).toBe(0);
    expect(r.out.match(/root\/virtualization:Vessel_SoftwareIdentity\./g)).toHaveLength(1);
    const { vesselVersion } = await h.api.host.info();
    expect(r.out).toContain(`-VersionString="${vesselVersion}"`);
    expect(r.out).toContain('-Classifications=4');
    const refs = await wbemcli('ain', '-ac', 'CIM_ReferencedProfile', `${interop}:${DSP1023}`);
    expect(refs.code, refs.out).toBe(0);
    expect(refs.out).toContain('InstanceID="CIM:DSP1052-ComputerSystem-1.0.0"');
  });

  it('ai / ain: the host reaches it by InstalledSoftwareIdentity, and it reaches the host by ElementSoftwareIdentity', async () => {
    const installed = await wbemcli('ain', '-ac', 'CIM_InstalledSoftwareIdentity', `${base}:${HOST}`);
    expect(installed.code, installed.out).toBe(0);
    expect(installed.out).toContain(
      'Vessel_SoftwareIdentity.InstanceID="Vessel:SoftwareIdentity/Hypervisor"',
    );
    const runs = await wbemcli('ain', '-ac', 'CIM_ElementSoftwareIdentity', `${base}:${SOFTWARE}`);
    expect(runs.code, runs.out).toBe(0);
    expect(runs.out).toMatch(/Vessel_HostSystem\.CreationClassName="Vessel_HostSystem",Name="testhost"/);
    const profile = await wbemcli('ain', '-ac', 'CIM_ElementConformsToProfile', `${base}:${SOFTWARE}`);
    expect(profile.code, profile.out).toBe(0);
    expect(profile.out).toContain('root/interop:Vessel_RegisteredProfile.InstanceID="CIM:DSP1023-');
  });

  it('gi: an unknown, traversing or oversized InstanceID is CIM_ERR_NOT_FOUND (6)', async () => {
    for (const id of [
      'Vessel:SoftwareIdentity/Other',
      '../../etc/passwd',
      `Vessel:SoftwareIdentity/${'x'.repeat(4000)}`,
    ]) {
      const r = await wbemcli('gi', `${base}:Vessel_SoftwareIdentity.InstanceID="${id}"`);
      expect(r.code, r.out).not.toBe(0);
      expect(r.out).toMatch(/CIM_ERR_NOT_FOUND|\(6\)/);
    }
    const ok = await wbemcli('gi', `${base}:${SOFTWARE}`);
    expect(ok.code, ok.out).toBe(0);
  });
});
