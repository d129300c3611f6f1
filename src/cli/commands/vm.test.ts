import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, NO_CIM_PORTS, ROOT, runCli } from '../../../test/helpers/cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'host');

/** The `vessel host` / `vessel vm` contract through the built CLI, against a host running the test driver. */
const root = mkdtempSync(join(tmpdir(), 'vessel-cli-vm-'));
const state = join(root, 'state');
const disk = join(root, 'disk.raw');
writeFileSync(disk, '');
let host: ChildProcess;
let hostExit: Promise<number | null>;
let hostOut = '';

beforeAll(async () => {
  host = spawn(process.execPath, [CLI, 'host', 'serve', '--driver', 'test:///default', ...NO_CIM_PORTS], {
    env: { ...process.env, VESSEL_STATE: state },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  host.stdout!.on('data', (d: Buffer) => {
    hostOut += d.toString();
  });
  hostExit = new Promise((resolve) => host.on('exit', (code) => resolve(code)));
  // Until it serves, however long a loaded machine takes (the hook's timeout bounds it), or exits.
  while (!hostOut.includes('serving') && host.exitCode === null) await new Promise((r) => setTimeout(r, 25));
  expect(hostOut).toContain('serving');
  expect((await runCli(['pool', 'add', 'test', root, '--state', state])).code).toBe(0);
});
afterAll(() => {
  host.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('vessel vm and vessel host (test driver)', () => {
  it('without a running host, says how to start one and exits 3', async () => {
    const r = await runCli(['vm', 'list', '--state', join(root, 'none')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `vessel: No Vessel host is running for the state directory ${join(root, 'none')}\n  hint: Start one with: vessel host serve --state ${join(root, 'none')}\n`,
    );
    const j = await runCli(['host', 'info', '--json', '--state', join(root, 'none')]);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout).error.code).toBe('HOST_NOT_RUNNING');
  });

  it('host info --json says the host (Api HostInfo) and its capabilities: driver, accelerator and why', async () => {
    const r = await runCli(['host', 'info', '--json', '--state', state]);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({
      transport: 'socket',
      driver: { name: 'test', uri: 'test:///default' },
      systemCount: 0,
      local: { stateDir: state },
    });
    expect(info.driver.hypervisorVersion).toBeUndefined();
    expect(info.capabilities.accelerators).toEqual([
      { name: 'none', usable: true, reason: 'the test driver runs no guest code' },
    ]);
    const text = await runCli(['host', 'info', '--connect', `vessel://${state}`]);
    expect(text.stdout).toContain('driver:       test (test:///default)\n');
    expect(text.stdout).toContain('accelerator:  none (the test driver runs no guest code)\n');
    expect(text.stdout).toContain(`state:        ${state}\n`);
  });

  it('defines, lists, changes state, prints the console log and undefines (VESSEL_STATE selects the host)', async () => {
    const env = { VESSEL_STATE: state };
    const def = await runCli(
      [
        'vm',
        'define',
        '--name',
        'web1',
        '--cpus',
        '1',
        '--memory',
        '256M',
        '--disk',
        disk,
        '--cdrom',
        disk,
        '--nic',
        'user',
      ],
      { env },
    );
    expect([def.code, def.stderr]).toEqual([0, '']);
    expect(def.stdout).toMatch(/^Defined "web1" \([0-9a-f-]{36}\)\n$/);
    const list = await runCli(['vm', 'list', '--json'], { env });
    const vms = JSON.parse(list.stdout) as { name: string; uuid: string; state: string }[];
    expect(vms.map((v) => [v.name, v.state])).toEqual([['web1', 'stopped']]);

    const steps: [string[], number, string][] = [
      [['vm', 'start', 'web1'], 0, 'Started "web1": running (started)\n'],
      [['vm', 'start', 'web1'], 1, ''],
      [['vm', 'pause', 'web1'], 0, 'Paused "web1": paused (paused)\n'],
      [['vm', 'resume', 'web1'], 0, 'Resumed "web1": running (resumed)\n'],
      [['vm', 'reset', 'web1'], 0, 'Reset "web1": running (resumed)\n'],
      [['vm', 'stop', 'web1'], 0, 'Stopped "web1": stopped (guest powered off (ACPI shutdown))\n'],
    ];
    for (const [args, code, out] of steps) {
      const r = await runCli(args, { env });
      expect([args.join(' '), r.code, r.stdout], r.stderr).toEqual([args.join(' '), code, out]);
    }
    const again = await runCli(['vm', 'stop', 'web1'], { env });
    expect([again.code, again.stderr]).toEqual([
      1,
      'vessel: Cannot shut down "web1": it is already stopped\n',
    ]);
    const con = await runCli(['vm', 'console', 'web1', '--log'], { env });
    expect(con.stdout).toBe(
      'VESSEL-GUEST-UP test-driver name=web1\nVESSEL-GUEST-UP test-driver name=web1 (reset)\nreboot: Power down\n',
    );
    const info = await runCli(['vm', 'info', 'web1'], { env });
    expect(info.stdout).toContain('state:   stopped (guest powered off (ACPI shutdown))');
    expect(info.stdout).toContain('memory:  256 MiB');
    // The devices, one line each, as the model's device view reads them.
    const lines = info.stdout.split('\n');
    expect(lines.filter((l) => /^(disk|cdrom|nic) /.test(l))).toEqual([
      expect.stringMatching(new RegExp(`^disk {5}\\S+: ${disk} \\(overlay: base image, never written\\)$`)),
      expect.stringMatching(new RegExp(`^cdrom {4}\\S+: ${disk}$`)),
      expect.stringMatching(/^nic {6}\S+: \S+ \S* on user$/),
    ]);
    const undef = await runCli(['vm', 'undefine', 'web1', '--state', state]);
    expect([undef.code, undef.stdout]).toEqual([0, 'Undefined "web1"\n']);
    expect(JSON.parse((await runCli(['vm', 'list', '--json', '--state', state])).stdout)).toEqual([]);
  }, 120_000);

  it('refuses bad definitions with the right exit codes', async () => {
    const s = ['--state', state];
    const missing = await runCli(['vm', 'define', '--name', 'm', '--disk', join(root, 'absent.raw'), ...s]);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      `vessel: Cannot define "m": the image of drive "4" does not exist: ${join(root, 'absent.raw')}\n`,
    ]);
    const zero = await runCli(['vm', 'define', '--name', 'z', '--memory', '0', ...s]);
    expect([zero.code, zero.stderr]).toEqual([
      1,
      'vessel: Invalid definition "z": Memory must be at least 1 MiB, got 0 bytes\n',
    ]);
    const badMem = await runCli(['vm', 'define', '--name', 'b', '--memory', 'lots', ...s]);
    expect(badMem.code).toBe(2);
    const dup1 = await runCli(['vm', 'define', '--name', 'd', ...s]);
    const dup2 = await runCli(['vm', 'define', '--name', 'd', ...s]);
    expect([dup1.code, dup2.code, dup2.stderr]).toEqual([
      0,
      1,
      'vessel: Cannot define "d": a virtual system with that name exists\n',
    ]);
    const unknown = await runCli(['vm', 'start', 'ghost', ...s]);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'vessel: No virtual system "ghost"\n']);
  }, 120_000);

  it('defines an OVF-shaped definition from JSON and refuses the bad cases in test/fixtures/host', async () => {
    const ok = await runCli([
      'vm',
      'define',
      '--from-json',
      join(FIXTURES, 'ovf-shaped.json'),
      '--json',
      '--state',
      state,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ name: 'ovf-shaped', state: 'stopped' });
    const { cases } = JSON.parse(readFileSync(join(FIXTURES, 'bad-cases.json'), 'utf8')) as {
      cases: { name: string; exit: number; stderr: string; definition: unknown }[];
    };
    for (const c of cases) {
      const file = join(root, `${c.name}.json`);
      writeFileSync(file, JSON.stringify(c.definition));
      const r = await runCli(['vm', 'define', '--from-json', file, '--state', state]);
      expect([c.name, r.code, r.stderr]).toEqual([c.name, c.exit, c.stderr]);
    }
    writeFileSync(join(root, 'broken.json'), '{"system": ');
    const broken = await runCli(['vm', 'define', '--from-json', join(root, 'broken.json'), '--state', state]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('broken.json is not JSON');
  }, 120_000);

  it('host serve stops cleanly on SIGTERM', async () => {
    host.kill('SIGTERM');
    expect(await hostExit).toBe(0);
    expect(hostOut).toContain('vessel host stopped');
    const r = await runCli(['vm', 'list', '--state', state]);
    expect(r.code).toBe(3);
  });
});
