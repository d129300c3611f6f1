import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { startTestHost, type TestHost } from '../../wbem/index.js';

let host: TestHost;
let conn: string[];
beforeAll(async () => {
  host = await startTestHost({ vms: 2 });
  conn = ['--url', host.url, '--user', 'admin', '--password', 'secret'];
});
afterAll(async () => {
  await host.close();
});

const vm1 = 'Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="vm1"';

describe('vessel cim', () => {
  it('ei lists instances with their paths and properties, --names only paths, --json as JSON', async () => {
    const r = await runCli(['cim', 'ei', 'CIM_ComputerSystem', ...conn]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`root/virtualization:${vm1}`);
    expect(r.stdout).toContain('  EnabledState="3"');
    const names = await runCli(['cim', 'ei', 'CIM_ComputerSystem', '--names', ...conn]);
    expect(names.stdout.trim().split('\n')).toHaveLength(3);
    const json = JSON.parse((await runCli(['cim', 'ei', 'Vessel_HostSystem', '--json', ...conn])).stdout);
    expect(json[0].properties.Name).toBe('testhost');
  });

  it('gi, ai and ri walk from a virtual system', async () => {
    expect((await runCli(['cim', 'gi', vm1, ...conn])).stdout).toContain('  ElementName="vm1"');
    const ai = await runCli([
      'cim',
      'ai',
      vm1,
      '--assoc-class',
      'CIM_SettingsDefineState',
      '--names',
      ...conn,
    ]);
    expect(ai.stdout.trim()).toBe(
      '//testhost/root/virtualization:Vessel_VirtualSystemSettingData.InstanceID="Vessel:vm1"',
    );
    const ri = await runCli(['cim', 'ri', vm1, '--assoc-class', 'CIM_HostedDependency', ...conn]);
    expect(ri.stdout).toContain('Antecedent=');
  });

  it('invoke types parameters from the class and calls RequestStateChange and DefineSystem', async () => {
    const r = await runCli(['cim', 'invoke', vm1, 'RequestStateChange', 'RequestedState=2', ...conn]);
    expect(r.stdout.trim()).toBe('RequestStateChange: 0');
    expect((await host.driver.lookup('vm1'))?.state).toBe('running');
    const vsms =
      'Vessel_VirtualSystemManagementService.CreationClassName="Vessel_VirtualSystemManagementService",Name="Management Service",SystemCreationClassName="Vessel_HostSystem",SystemName="testhost"';
    const d = await runCli([
      'cim',
      'invoke',
      vsms,
      'DefineSystem',
      'SystemSettings=instance of CIM_VirtualSystemSettingData { ElementName = "cli1"; };',
      'ResourceSettings=instance of CIM_ResourceAllocationSettingData { ResourceType = 3; VirtualQuantity = 1; };',
      'ResourceSettings=instance of CIM_ResourceAllocationSettingData { ResourceType = 4; VirtualQuantity = 64; };',
      ...conn,
    ]);
    expect(d.stdout).toContain('DefineSystem: 0');
    expect(d.stdout).toContain(
      'ResultingSystem=root/virtualization:Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="cli1"',
    );
  });

  it('exits 1 on a CIM error, 2 on a usage error and 3 when the server cannot be reached', async () => {
    const nf = await runCli([
      'cim',
      'gi',
      'Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="nope"',
      ...conn,
    ]);
    expect(nf.code).toBe(1);
    expect(nf.stderr).toMatch(/No instance/);
    expect((await runCli(['cim', 'invoke', vm1, 'NoSuchMethod', ...conn])).code).toBe(2);
    expect((await runCli(['cim', 'ei', 'CIM_ComputerSystem'])).code).toBe(2);
    const down = await runCli([
      'cim',
      'ei',
      'CIM_ComputerSystem',
      '--url',
      'http://127.0.0.1:9',
      '--user',
      'a',
      '--password',
      'b',
    ]);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/Cannot reach the CIM server/);
  });
});
