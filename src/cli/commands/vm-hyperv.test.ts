import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { type SyntheticHyperv, startSyntheticHyperv, synthVm } from '../../../test/helpers/hyperv.js';

// SYNTHETIC: the peer is test/helpers/hyperv.ts, a stateful WS-Man server answering as WinRM answers for Hyper-V's
// WMI v2 (shapes from libvirt's src/hyperv and MSDN), not a real Hyper-V (none is reachable from the tests).
// The CLI runs from dist: `npm run build` first.

let hv: SyntheticHyperv;
const env = { VESSEL_USER: 'Administrator', VESSEL_PASSWORD: 'synthetic-pw' };

beforeAll(async () => {
  hv = await startSyntheticHyperv({
    user: env.VESSEL_USER,
    password: env.VESSEL_PASSWORD,
    vms: [synthVm('old1')],
  });
});
afterAll(() => hv.close());

const vessel = (scheme: 'hyperv' | 'wsman', ...args: string[]) =>
  runCli(['--connect', `${scheme}+http://127.0.0.1:${hv.port}`, 'vm', ...args], { env });

// Each CLI run starts a Node process (seconds on a loaded machine): the tests have minutes.
const SLOW = { timeout: 240_000 };

describe('vessel --connect hyperv+http:// vm ... against a SYNTHETIC Hyper-V', SLOW, () => {
  it('lists, defines, starts, pauses, shows, stops and undefines a VM', async () => {
    const list = await vessel('hyperv', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^old1\s+[0-9a-f-]{36}\s+stopped \(Hyper-V EnabledState 3\)$/m);

    const define = await vessel(
      'hyperv',
      'define',
      '--name',
      'web1',
      '--cpus',
      '2',
      '--memory',
      '512M',
      '--disk',
      '/srv/vms/web1.vhdx',
      '--disk-bus',
      'scsi',
      '--nic',
      'Default Switch',
      '--json',
    );
    expect(define.stderr).toBe('');
    expect(define.code).toBe(0);
    const made = JSON.parse(define.stdout) as { uuid: string; name: string; state: string };
    expect(made).toMatchObject({ name: 'web1', state: 'stopped' });
    const vm = hv.vms.get(made.uuid.toUpperCase())!;
    expect(vm.settings.find((s) => s.className === 'Msvm_ProcessorSettingData')?.props.VirtualQuantity).toBe(
      '2',
    );
    expect(vm.settings.find((s) => s.className === 'Msvm_MemorySettingData')?.props.VirtualQuantity).toBe(
      '512',
    );

    const start = await vessel('hyperv', 'start', 'web1');
    expect([start.code, start.stdout.trim()]).toEqual([
      0,
      'Started "web1": running (Hyper-V EnabledState 2)',
    ]);
    const pause = await vessel('hyperv', 'pause', made.uuid);
    expect([pause.code, pause.stdout.trim()]).toEqual([0, 'Paused "web1": paused (Hyper-V EnabledState 9)']);

    const info = await vessel('hyperv', 'info', 'web1', '--json');
    expect(info.code).toBe(0);
    const shown = JSON.parse(info.stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ name: 'web1', state: 'paused' });
    expect(JSON.stringify(shown)).toContain('/srv/vms/web1.vhdx');
    const text = await vessel('hyperv', 'info', 'web1');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('web1');

    expect((await vessel('hyperv', 'resume', 'web1')).code).toBe(0);
    const stop = await vessel('hyperv', 'stop', 'web1');
    expect([stop.code, stop.stdout.trim()]).toEqual([0, 'Stopped "web1": stopped (Hyper-V EnabledState 3)']);
    expect(hv.requests.some((r) => r.includes('<p:InitiateShutdown_INPUT'))).toBe(true);

    const undefine = await vessel('hyperv', 'undefine', 'web1');
    expect([undefine.code, undefine.stdout.trim()]).toEqual([0, 'Undefined "web1"']);
    expect(hv.vms.has(made.uuid.toUpperCase())).toBe(false);
  });

  it('wsman+http:// finds Hyper-V by Identify (ProductVendor Microsoft Corporation)', async () => {
    const before = hv.actions.length;
    const list = await vessel('wsman', 'list', '--json');
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((v) => v.name)).toEqual(['old1']);
    expect(hv.actions.slice(before)[0]).toBe('Identify');
  });

  it('hostile replies: a fault, an unknown return value, a failed job and a huge answer each fail with one line', async () => {
    hv.inject({ method: 'RequestStateChange', kind: 'fault' });
    const fault = await vessel('hyperv', 'start', 'old1');
    expect(fault.code).toBe(1);
    expect(fault.stderr).toContain('Generic failure');

    hv.inject({ method: 'RequestStateChange', kind: 'returnValue', value: 40000 });
    const unknown = await vessel('hyperv', 'start', 'old1');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain(
      'RequestStateChange answered 40000, a return value Hyper-V does not define',
    );

    hv.inject({ method: 'RequestStateChange', kind: 'jobFails' });
    const job = await vessel('hyperv', 'start', 'old1');
    expect(job.code).toBe(1);
    expect(job.stderr).toContain("RequestStateChange's job ended Exception (error 32768)");

    hv.inject({ method: 'Enumerate', kind: 'huge', bytes: 17 * 1024 * 1024 });
    const huge = await vessel('hyperv', 'list');
    expect(huge.code).toBe(3);
    expect(huge.stdout).toBe('');

    const after = await vessel('hyperv', 'list');
    expect(after.stdout).toMatch(/^old1\s+\S+\s+stopped/m);
    for (const r of [fault, unknown, job, huge])
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  });

  it('a saved profile with a hyperv+http URL reaches the same host', async () => {
    const config = await mkdtemp(join(tmpdir(), 'vessel-hv-profile-'));
    try {
      const penv = { ...env, XDG_CONFIG_HOME: config, VESSEL_USER: '' };
      const add = await runCli(
        ['remote', 'add', 'hv1', `hyperv+http://127.0.0.1:${hv.port}`, '--user', 'Administrator'],
        { env: penv },
      );
      expect([add.code, add.stderr]).toEqual([0, '']);
      const list = await runCli(['--connect', 'hv1', 'vm', 'list', '--json'], { env: penv });
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((v) => v.name)).toContain('old1');
    } finally {
      await rm(config, { recursive: true, force: true });
    }
  });

  it('a VM that does not exist and wrong credentials are refused', async () => {
    const missing = await vessel('hyperv', 'start', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has no virtual machine "nope"');
    const bad = await runCli(['--connect', `hyperv+http://127.0.0.1:${hv.port}`, 'vm', 'list'], {
      env: { ...env, VESSEL_PASSWORD: 'wrong' },
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
  });
});
