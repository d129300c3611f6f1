import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';

const run = promisify(execFile);

let state: string;
let served: ServedHost | undefined;
let port: number;
let httpsPort: number;

beforeAll(async () => {
  port = await freePort();
  httpsPort = await freePort();
  served = await serveHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['viewer', 'reader', 'look'],
    ],
    args: ['--cim-http', String(port), '--cim-https', String(httpsPort)],
    ready: 'CIM-XML:',
    prefix: 'vessel-hostcim-',
  });
  state = served.state;
  const d = await runCli([
    'vm',
    'define',
    '--name',
    'web1',
    '--cpus',
    '1',
    '--memory',
    '128M',
    '--state',
    state,
  ]);
  expect(d.stderr).toBe('');
}, 60_000);

afterAll(async () => {
  await served?.close();
});

const base = () => `http://admin:secret@127.0.0.1:${port}/root/virtualization`;

describe('vessel host serve --cim-http/--cim-https', () => {
  it("serves the host's VMs to a real CIM client (wbemcli) over HTTP", async () => {
    const r = await run('wbemcli', ['-nl', 'ein', `${base()}:CIM_ComputerSystem`]);
    expect(r.stdout).toContain('Name="web1"');
  });

  it("lets wbemcli change a VM's state with RequestStateChange, seen by vessel vm list", async () => {
    const path = `${base()}:Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="web1"`;
    await run('wbemcli', ['cm', path, 'RequestStateChange.RequestedState=2']);
    let state2 = '';
    for (let i = 0; i < 50 && state2 !== 'running'; i++) {
      const l = await runCli(['vm', 'list', '--json', '--state', state]);
      state2 =
        (JSON.parse(l.stdout) as Array<{ name: string; state: string }>).find((v) => v.name === 'web1')
          ?.state ?? '';
      if (state2 !== 'running') await new Promise((r) => setTimeout(r, 100));
    }
    expect(state2).toBe('running');
  });

  it('refuses a reader who invokes a method, and a wrong password', async () => {
    const path = `http://viewer:look@127.0.0.1:${port}/root/virtualization:Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="web1"`;
    const denied = await run('wbemcli', ['cm', path, 'RequestStateChange.RequestedState=3']).catch(
      (e: { stderr: string; stdout: string }) => e,
    );
    expect(`${denied.stdout}${denied.stderr}`).toContain('CIM_ERR_ACCESS_DENIED');
    const bad = await run('wbemcli', [
      '-nl',
      'ein',
      `http://admin:nope@127.0.0.1:${port}/root/virtualization:CIM_ComputerSystem`,
    ]).catch((e: { stderr: string; stdout: string }) => e);
    expect(`${bad.stdout}${bad.stderr}`).not.toContain('Name="web1"');
  });

  it('serves HTTPS with a certificate generated on first start', async () => {
    const r = await run('wbemcli', [
      '-noverify',
      '-nl',
      'ein',
      `https://admin:secret@127.0.0.1:${httpsPort}/root/virtualization:CIM_ComputerSystem`,
    ]);
    expect(r.stdout).toContain('Name="web1"');
  });

  it('vessel --host URL manages the host through CIM alone: define, list, start, info, stop, undefine', async () => {
    const url = `http://admin:secret@127.0.0.1:${port}`;
    const d = await runCli([
      '--host',
      url,
      'vm',
      'define',
      '--name',
      'remote1',
      '--cpus',
      '1',
      '--memory',
      '64M',
    ]);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    const local = await runCli(['vm', 'list', '--json', '--state', state]);
    expect(JSON.parse(local.stdout).map((v: { name: string }) => v.name)).toContain('remote1');
    expect((await runCli(['vm', 'start', 'remote1', '--host', url])).code).toBe(0);
    const listed = JSON.parse((await runCli(['vm', 'list', '--json'], { env: { VESSEL_HOST: url } })).stdout);
    expect(listed.find((v: { name: string }) => v.name === 'remote1')?.state).toBe('running');
    const info = JSON.parse((await runCli(['vm', 'info', 'remote1', '--json', '--host', url])).stdout);
    expect(info.definition.memoryBytes).toBeGreaterThan(0);
    expect((await runCli(['vm', 'stop', 'remote1', '--force', '--host', url])).code).toBe(0);
    expect((await runCli(['vm', 'undefine', 'remote1', '--host', url])).code).toBe(0);
    const after = JSON.parse((await runCli(['vm', 'list', '--json', '--state', state])).stdout);
    expect(after.map((v: { name: string }) => v.name)).not.toContain('remote1');
    // The console log comes through Vessel_TextConsoleService (web1 was started above).
    const log = await runCli(['vm', 'console', 'web1', '--log', '--host', url]);
    expect([log.code, log.stderr]).toEqual([0, '']);
    expect(log.stdout).toContain('VESSEL-GUEST-UP test-driver name=web1');
  }, 120_000);

  it('vessel --connect URL: vm list as the host lists, vm define --firmware efi keeps EFI, host info through CIM-XML', async () => {
    const url = `http://admin:secret@127.0.0.1:${port}`;
    const names = (r: { stdout: string }) =>
      (JSON.parse(r.stdout) as { name: string }[]).map((v) => v.name).sort();
    const local = await runCli(['vm', 'list', '--json', '--state', state]);
    const remote = await runCli(['--connect', url, 'vm', 'list', '--json']);
    expect([remote.code, remote.stderr]).toEqual([0, '']);
    expect(names(remote)).toEqual(names(local));
    const d = await runCli([
      '-c',
      url,
      'vm',
      'define',
      '--name',
      'efi1',
      '--firmware',
      'efi',
      '--memory',
      '64M',
    ]);
    expect([d.code, d.stderr]).toEqual([0, '']);
    const here = JSON.parse((await runCli(['vm', 'info', 'efi1', '--json', '--state', state])).stdout);
    expect(here.definition.firmware).toBe('efi');
    const there = JSON.parse((await runCli(['vm', 'info', 'efi1', '--json', '-c', url])).stdout);
    expect(there.definition.firmware).toBe('efi');
    const info = await runCli(['host', 'info', '--json', '-c', url]);
    expect(info.code, info.stderr).toBe(0);
    const host = JSON.parse(info.stdout);
    expect(host).toMatchObject({ transport: 'cimxml', systemCount: names(local).length + 1 });
    // The version the host runs, from Vessel_HostSystem.VesselVersion (the same build serves and asks here).
    const viaSocket = JSON.parse((await runCli(['host', 'info', '--json', '--state', state])).stdout);
    expect(host.vesselVersion).toBe(viaSocket.vesselVersion);
    expect(host.vesselVersion).not.toBe('unknown');
    expect(host.local).toBeUndefined();
    expect(host.capabilities.firmware).toContain('efi');
    expect((await runCli(['vm', 'start', 'efi1', '-c', url])).code).toBe(0);
    // A shutdown with a power-off after the guest's time: only a client that waits can send the power-off.
    const early = await runCli(['vm', 'stop', 'efi1', '--timeout', '5', '--no-wait', '-c', url]);
    expect(early.code).toBe(4);
    expect(early.stderr).toMatch(/with a power-off after 5000 ms over CIM-XML without waiting/);
    const stop = await runCli(['vm', 'stop', 'efi1', '--timeout', '5', '-c', url]);
    expect([stop.code, stop.stderr]).toEqual([0, '']);
    expect(stop.stdout).toMatch(/^Stopped "efi1": stopped/);
    expect((await runCli(['vm', 'undefine', 'efi1', '-c', url])).code).toBe(0);
  }, 120_000);

  it('vessel --host with a saved profile, password from the environment', async () => {
    const cfg = await mkdtemp(join(tmpdir(), 'vessel-cfg-'));
    try {
      const env = { XDG_CONFIG_HOME: cfg, VESSEL_CIM_PASSWORD: 'secret' };
      expect(
        (await runCli(['remote', 'add', 'lab', `http://127.0.0.1:${port}`, '--user', 'admin'], { env })).code,
      ).toBe(0);
      const r = await runCli(['--host', 'lab', 'vm', 'list', '--json'], { env });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout).map((v: { name: string }) => v.name)).toContain('web1');
      const unknown = await runCli(['--host', 'nope', 'vm', 'list'], { env });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain(
        'Cannot connect to "nope": it is neither a URI nor a saved host profile',
      );
    } finally {
      await rm(cfg, { recursive: true, force: true });
    }
  });

  it('rejects a port that is not a number', async () => {
    const r = await runCli(['host', 'serve', '--state', state, '--cim-http', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--cim-http must be a port number');
  });
});
