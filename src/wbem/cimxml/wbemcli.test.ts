import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { wbemcli } from '../../../test/helpers/wbemcli.js';
import { startTestHost, type TestHost } from './test-host.js';

// A real external client: Debian's sblim-wbemcli, driven the way an administrator's script would, against a
// live Vessel host on the test driver (127.0.0.1 only).

let host: TestHost;
let base: string;

const cs = (name: string) => `Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="${name}"`;
const vsms = () =>
  `Vessel_VirtualSystemManagementService.CreationClassName="Vessel_VirtualSystemManagementService",Name="Management Service",SystemCreationClassName="Vessel_HostSystem",SystemName="testhost"`;

beforeAll(async () => {
  host = await startTestHost({
    vms: 2,
    https: true,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
  });
  base = `${host.url.replace('http://', 'http://admin:secret@')}/root/virtualization`;
});
afterAll(async () => {
  await host.close();
});

describe('sblim wbemcli against a live Vessel host', () => {
  it('ei: enumerates CIM_ComputerSystem (host and virtual systems) and exits 0', async () => {
    const r = await wbemcli('ei', `${base}:CIM_ComputerSystem`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /Vessel_HostSystem\.CreationClassName="Vessel_HostSystem",Name="testhost" .*EnabledState=2/,
    );
    expect(r.out.match(/^\S*Vessel_ComputerSystem\./gm)).toHaveLength(2);
  });

  it('gi: gets one virtual system by its keys', async () => {
    const r = await wbemcli('-nl', 'gi', `${base}:${cs('vm1')}`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('-EnabledState=3');
    expect(r.out).toContain('-ElementName="vm1"');
  });

  it('cm: RequestStateChange after wbemcli’s GetClass, and the system runs', async () => {
    const r = await wbemcli('cm', `${base}:${cs('vm1')}`, 'RequestStateChange.RequestedState=2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('RequestStateChange: 0');
    expect((await host.driver.lookup('vm1'))?.state).toBe('running');
  });

  it('ain / ai: walks SystemDevice and ElementConformsToProfile across namespaces', async () => {
    const devices = await wbemcli('ain', '-ac', 'CIM_SystemDevice', `${base}:${cs('vm1')}`);
    expect(devices.code).toBe(0);
    expect(devices.out).toMatch(/Vessel_Processor\..*SystemName="vm1"/);
    const interop = base.replace('root/virtualization', 'root/interop');
    const conf = await wbemcli(
      'ai',
      '-ac',
      'CIM_ElementConformsToProfile',
      `${interop}:Vessel_RegisteredProfile.InstanceID="CIM:DSP1057-VirtualSystem-1.0.0"`,
    );
    expect(conf.code).toBe(0);
    expect(conf.out.match(/root\/virtualization:Vessel_ComputerSystem\./g)).toHaveLength(2);
  });

  it('cm: DefineSystem with MOF embedded instances, by reference configuration, then DestroySystem', async () => {
    const mof =
      'DefineSystem.SystemSettings="instance of Vessel_VirtualSystemSettingData { ElementName = \'made-by-wbemcli\'; };",' +
      'ResourceSettings="instance of Vessel_ResourceAllocationSettingData { ResourceType = 3; VirtualQuantity = 2; }; ' +
      "instance of Vessel_ResourceAllocationSettingData { ResourceType = 4; VirtualQuantity = 64; AllocationUnits = 'MegaBytes'; };\"";
    const r = await wbemcli('cm', `${base}:${vsms()}`, mof);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/DefineSystem: 0, ResultingSystem \(reference\): .*Name="made-by-wbemcli"/);
    const def = await host.driver.getDefinition((await host.driver.lookup('made-by-wbemcli'))!.uuid);
    expect(def.resources.map((x) => x.properties.VirtualQuantity)).toEqual(['2', '64']);
    const clone = await wbemcli(
      'cm',
      `${base}:${vsms()}`,
      `DefineSystem.SystemSettings="instance of Vessel_VirtualSystemSettingData { ElementName = 'clone'; };",ReferenceConfiguration=Vessel_VirtualSystemSettingData.InstanceID="Vessel:vm2"`,
    );
    expect(clone.code).toBe(0);
    expect(
      (await host.driver.getDefinition((await host.driver.lookup('clone'))!.uuid)).resources,
    ).toHaveLength(
      (await host.driver.getDefinition((await host.driver.lookup('vm2'))!.uuid)).resources.length,
    );
    const d = await wbemcli(
      'cm',
      `${base}:${vsms()}`,
      `DestroySystem.AffectedSystem=${cs('made-by-wbemcli')}`,
    );
    expect(d.out).toContain('DestroySystem: 0');
    expect(await host.driver.lookup('made-by-wbemcli')).toBeUndefined();
  });

  it('cm: DestroySystem with a reference to the host class or a bogus CreationClassName is refused and deletes nothing', async () => {
    for (const ref of [
      'Vessel_HostSystem.CreationClassName="Vessel_HostSystem",Name="vm2"',
      'Vessel_ComputerSystem.CreationClassName="Bogus",Name="vm2"',
      'Vessel_HostSystem.CreationClassName="Vessel_HostSystem",Name="testhost"',
    ]) {
      const d = await wbemcli('cm', `${base}:${vsms()}`, `DestroySystem.AffectedSystem=${ref}`);
      expect(d.code).not.toBe(0);
      expect(d.out).toMatch(/CIM_ERR_(NOT_FOUND|INVALID_PARAMETER)/);
      expect(await host.driver.lookup('vm2')).toBeDefined();
    }
  });

  it('ei: the object manager and the namespaces through the `interop` alias (issue 11)', async () => {
    const interop = base.replace('root/virtualization', 'interop');
    const om = await wbemcli('ei', `${interop}:CIM_ObjectManager`);
    expect(om.code).toBe(0);
    expect(om.out).toMatch(/Vessel_ObjectManager\..*Name="Vessel:ObjectManager"/);
    const ns = await wbemcli('ein', `${interop}:CIM_Namespace`);
    expect(ns.code).toBe(0);
    expect(ns.out).toContain('Name="root/virtualization"');
  });

  it('a reader’s method call fails with CIM_ERR_ACCESS_DENIED and a wrong password is refused', async () => {
    const reader = base.replace('admin:secret', 'rita:r3ad');
    const r = await wbemcli('cm', `${reader}:${cs('vm2')}`, 'RequestStateChange.RequestedState=2');
    expect(r.out).toMatch(/CIM_ERR_ACCESS_DENIED/);
    expect((await host.driver.lookup('vm2'))?.state).toBe('stopped');
    const bad = await wbemcli('ein', `${base.replace('admin:secret', 'admin:wrong')}:CIM_ComputerSystem`);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/Invalid username\/password/);
  });

  it('talks HTTPS, trusting the host’s generated certificate with -cacert', async () => {
    const url = `${host.httpsUrl!.replace('https://127.0.0.1', 'https://admin:secret@localhost')}/root/virtualization:Vessel_HostSystem`;
    const ok = await wbemcli('-cacert', join(host.stateDir, 'cim-cert.pem'), 'ein', url);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Vessel_HostSystem.CreationClassName="Vessel_HostSystem",Name="testhost"');
    const untrusted = await wbemcli('ein', url);
    expect(untrusted.out).toMatch(/certificate/);
  });

  it('RequestStateChange on a path with a missing or an extra key is CIM_ERR_INVALID_PARAMETER (issue 11)', async () => {
    // wbemcli checks keys against the class before it sends, so its captured bytes are edited to carry bad paths.
    const capture = readFileSync(
      join(SHARED, 'cim/captures/cimxml-wbemcli/004-5988-cimxml-RequestStateChange.http'),
      'utf8',
    );
    const body = capture.slice(capture.indexOf('<?xml')).replace('vm1', 'vm2');
    const ccn =
      '<KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">CIM_ComputerSystem</KEYVALUE></KEYBINDING>';
    const extra = '<KEYBINDING NAME="Extra"><KEYVALUE VALUETYPE="string">x</KEYVALUE></KEYBINDING>';
    for (const [bad, object] of <Array<[string, string]>>[
      [body.replace(ccn, ''), 'CIM_ComputerSystem.Name="vm2"'],
      [
        body.replace(ccn, `${ccn}${extra}`),
        'CIM_ComputerSystem.CreationClassName="CIM_ComputerSystem",Extra="x",Name="vm2"',
      ],
    ]) {
      const r = await fetch(`${host.url}/cimom`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/xml; charset="utf-8"',
          CIMOperation: 'MethodCall',
          CIMMethod: 'RequestStateChange',
          CIMObject: `root%2Fvirtualization%3A${object}`,
          Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}`,
        },
        body: bad,
      });
      expect(await r.text()).toMatch(/<ERROR CODE="4" DESCRIPTION="[^"]*target of RequestStateChange/);
      expect((await host.driver.lookup('vm2'))?.state).toBe('stopped');
    }
  });
});
