import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { type ServedHost, serveHost } from '../../../test/helpers/host.js';
import { freePort } from '../../../test/helpers/ports.js';

// The built CLI against `vessel host serve --wsman-http/--wsman-https` (CIM-XML and REST off): every vm command
// through `--connect wsman+http(s)://`, and the raw `vessel wsman` commands.

let state: string;
let host: ServedHost;
let url = '';
let tls = '';
const vm1 = 'Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="w1"';

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-wsman-cli-'));
  expect(
    (await runCli(['user', 'add', 'admin', '--role', 'admin', '--state', state], { input: 'secret\n' })).code,
  ).toBe(0);
  const [http, https] = [await freePort(), await freePort()];
  host = await serveHost(state, [
    ...['--cim-http', '0', '--cim-https', '0', '--http', '0', '--https', '0'],
    ...['--wsman-http', String(http), '--wsman-https', String(https)],
  ]);
  for (let i = 0; i < 200 && !host.output().includes('WS-Man:'); i++)
    await new Promise((r) => setTimeout(r, 25));
  expect(host.output()).toContain('WS-Man:');
  url = `wsman+http://admin:secret@127.0.0.1:${http}`;
  tls = `wsman+https://admin:secret@127.0.0.1:${https}`;
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await rm(state, { recursive: true, force: true });
});

describe('vessel --connect wsman+http(s)://', () => {
  it('vm define, list, start, info, stop, undefine through WS-Man alone; host info says wsman', async () => {
    const d = await runCli(['-c', url, 'vm', 'define', '--name', 'w1', '--cpus', '1', '--memory', '64M']);
    expect([d.code, d.stderr]).toEqual([0, '']);
    const local = JSON.parse((await runCli(['vm', 'list', '--json', '--state', state])).stdout);
    expect(local.map((v: { name: string }) => v.name)).toContain('w1');
    expect((await runCli(['vm', 'start', 'w1', '-c', url])).code).toBe(0);
    const listed = JSON.parse((await runCli(['vm', 'list', '--json', '-c', url])).stdout);
    expect(listed.find((v: { name: string }) => v.name === 'w1')?.state).toBe('running');
    const info = JSON.parse((await runCli(['vm', 'info', 'w1', '--json', '-c', url])).stdout);
    expect(info.definition.memoryBytes).toBe(64 * 1024 * 1024);
    const hostInfo = JSON.parse((await runCli(['host', 'info', '--json', '-c', url])).stdout);
    expect(hostInfo.transport).toBe('wsman');
    expect((await runCli(['vm', 'pause', 'w1', '-c', url])).code).toBe(0);
    expect((await runCli(['vm', 'stop', 'w1', '--force', '-c', url])).code).toBe(0);
    expect((await runCli(['vm', 'undefine', 'w1', '-c', url])).code).toBe(0);
    const after = JSON.parse((await runCli(['vm', 'list', '--json', '--state', state])).stdout);
    expect(after.map((v: { name: string }) => v.name)).not.toContain('w1');
  }, 120_000);

  it('over HTTPS with --host-ca (the host certificate); without it the certificate is not trusted (exit 3)', async () => {
    const ca = join(state, 'cim-cert.pem');
    const ok = await runCli(['vm', 'list', '--json', '-c', tls, '--host-ca', ca]);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    const refused = await runCli(['vm', 'list', '-c', tls]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/not trusted/);
  }, 60_000);

  it('a saved profile with a wsman+http URL, the password from $VESSEL_PASSWORD', async () => {
    const cfg = await mkdtemp(join(tmpdir(), 'vessel-wsman-cfg-'));
    try {
      const env = { XDG_CONFIG_HOME: cfg, VESSEL_PASSWORD: 'secret' };
      const plain = url.replace('admin:secret@', '');
      const add = await runCli(['remote', 'add', 'winlab', plain, '--user', 'admin'], { env });
      expect([add.code, add.stderr]).toEqual([0, '']);
      const r = await runCli(['-c', 'winlab', 'host', 'info', '--json'], { env });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(JSON.parse(r.stdout).transport).toBe('wsman');
    } finally {
      await rm(cfg, { recursive: true, force: true });
    }
  }, 60_000);

  it('a wrong password fails naming the credentials; an unknown system is VM_NOT_FOUND (exit 1)', async () => {
    const bad = await runCli(['vm', 'list', '-c', url.replace('secret', 'wrong')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('refused the credentials of "admin"');
    const ghost = await runCli(['vm', 'info', 'ghost', '-c', url]);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toContain('ghost');
  }, 60_000);
});

describe('vessel wsman identify|get|enum|invoke|put', () => {
  beforeAll(async () => {
    expect((await runCli(['-c', url, 'vm', 'define', '--name', 'w1', '--memory', '64M'])).code).toBe(0);
  }, 60_000);

  it('identify answers the vendor (text and --json)', async () => {
    const r = await runCli(['wsman', 'identify', '-c', url]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^vendor: {3}Vessel /);
    const j = JSON.parse((await runCli(['wsman', 'identify', '--json', '-c', url])).stdout);
    expect(j.securityProfiles).toContain('http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic');
  }, 30_000);

  it('enum lists instances with their paths, --epr names, --wql and --associators-of filter', async () => {
    const all = JSON.parse(
      (await runCli(['wsman', 'enum', 'Vessel_ComputerSystem', '--json', '-c', url])).stdout,
    );
    expect(all.map((i: { properties: { ElementName: string } }) => i.properties.ElementName)).toEqual(['w1']);
    expect(all[0].path).toBe(`root/virtualization:${vm1}`);
    const eprs = await runCli([
      'wsman',
      'enum',
      'CIM_ComputerSystem',
      '--epr',
      '--max-elements',
      '1',
      '-c',
      url,
    ]);
    expect(eprs.stdout.trim().split('\n')).toHaveLength(2);
    const wql = JSON.parse(
      (
        await runCli([
          'wsman',
          'enum',
          '--wql',
          "SELECT * FROM Vessel_ComputerSystem WHERE ElementName = 'w1'",
          '--json',
          '-c',
          url,
        ])
      ).stdout,
    );
    expect(wql).toHaveLength(1);
    const settings = JSON.parse(
      (
        await runCli([
          'wsman',
          'enum',
          '--associators-of',
          vm1,
          '--assoc-class',
          'CIM_SettingsDefineState',
          '--json',
          '-c',
          url,
        ])
      ).stdout,
    );
    expect(settings[0].className).toMatch(/VirtualSystemSettingData$/);
  }, 60_000);

  it('get prints the instance; a missing one exits non-zero with the fault', async () => {
    const r = await runCli(['wsman', 'get', vm1, '-c', url]);
    expect(r.stdout).toContain('  ElementName="w1"');
    const missing = await runCli(['wsman', 'get', vm1.replace('w1', 'nope'), '-c', url]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('No instance');
  }, 30_000);

  it('invoke RequestStateChange starts w1 (parameters typed from the class); put changes a RASD', async () => {
    const r = await runCli([
      'wsman',
      'invoke',
      vm1,
      'RequestStateChange',
      'RequestedState=2',
      '--json',
      '-c',
      url,
    ]);
    expect(r.stderr).toBe('');
    expect([0, 4096]).toContain(JSON.parse(r.stdout).returnValue);
    const bad = await runCli(['wsman', 'invoke', vm1, 'RequestStateChange', 'Colour=red', '-c', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('RequestStateChange has no parameter Colour');
    await runCli(['vm', 'stop', 'w1', '--force', '-c', url]);
    const rasds = JSON.parse(
      (
        await runCli([
          'wsman',
          'enum',
          '--wql',
          'SELECT * FROM CIM_ResourceAllocationSettingData WHERE ResourceType = 3',
          '--json',
          '-c',
          url,
        ])
      ).stdout,
    );
    const cpu = rasds.find((x: { path: string }) => x.path.includes('w1'));
    const path = cpu.path.replace(/^root\/virtualization:/, '');
    const put = await runCli(['wsman', 'put', path, 'VirtualQuantity=2', '--json', '-c', url]);
    expect([put.code, put.stderr]).toEqual([0, '']);
    expect(JSON.parse(put.stdout)[0].properties.VirtualQuantity).toBe('2');
  }, 60_000);

  it('refuses a CIM-XML or local connection (exit 4) and no server at all (usage, exit 2)', async () => {
    const cim = await runCli(['wsman', 'identify', '-c', 'http://127.0.0.1:1']);
    expect(cim.code).toBe(4);
    expect(cim.stderr).toContain('is a CIM-XML host');
    const none = await runCli(['wsman', 'identify'], { env: { VESSEL_CONNECT: '', VESSEL_WSMAN_URL: '' } });
    expect(none.code).toBe(2);
  }, 30_000);
});
