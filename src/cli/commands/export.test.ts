import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBase, writeIso } from '../../../test/fixtures/export/system.js';
import { CLI, NO_CIM_PORTS, runCli } from '../../../test/helpers/cli.js';

/** `vessel export` through the built CLI, against a host running the test driver, on real images. */
const root = mkdtempSync(join(tmpdir(), 'vessel-cli-export-'));
const state = join(root, 'state');
const env = { VESSEL_STATE: state };
let host: ChildProcess;
let hostOut = '';

beforeAll(async () => {
  writeBase(join(root, 'base.raw'), 4 << 20);
  writeIso(join(root, 'cd.iso'));
  host = spawn(process.execPath, [CLI, 'host', 'serve', '--driver', 'test:///default', ...NO_CIM_PORTS], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  host.stdout!.on('data', (d: Buffer) => {
    hostOut += d.toString();
  });
  // Until it serves, however long a loaded machine takes (the hook's timeout bounds it), or exits.
  while (!hostOut.includes('serving') && host.exitCode === null) await new Promise((r) => setTimeout(r, 25));
  expect(hostOut).toContain('serving');
  expect((await runCli(['pool', 'add', 'test', root], { env })).code).toBe(0);
  const def = await runCli(
    [
      'vm',
      'define',
      '--name',
      'app 1',
      '--disk',
      join(root, 'base.raw'),
      '--cdrom',
      join(root, 'cd.iso'),
      '--nic',
      'user',
    ],
    { env },
  );
  expect(def.stderr).toBe('');
});
afterAll(() => {
  host.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('vessel export', () => {
  it('writes NAME.ova in the current folder by default and prints what it wrote', async () => {
    const r = await runCli(['export', 'app 1', '--target', 'vmware'], { env, cwd: root });
    // Progress lines (not a terminal) and a summary on stderr; what was written on stdout.
    expect(r.stderr).toMatch(/^app 1: exported \d+ files \(job [0-9a-f-]+\)\n$/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Exported to ${join(root, 'app_1.ova')} (OVA, OVF 1.0, target vmware)`);
    expect(r.stdout).toMatch(/app_1-disk1\.vmdk +\d/);
    expect(r.stdout).toContain('manifest    SHA256');
    const v = await runCli(['ova', 'verify', join(root, 'app_1.ova'), '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).intact).toBe(true);
  });

  it('--format ovf -o DIR --json writes a folder and prints the result as JSON', async () => {
    const out = join(root, 'pkg');
    const r = await runCli(
      [
        'export',
        'app 1',
        '--format',
        'ovf',
        '-o',
        out,
        '--ovf-version',
        '2.0',
        '--manifest',
        'sha1',
        '--json',
      ],
      {
        env,
      },
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      format: 'ovf',
      ovfVersion: '2.0',
      manifest: 'sha1',
      destination: { kind: 'hostPath', path: out },
    });
    expect(j.files.map((f: { name: string }) => f.name).sort()).toEqual([
      'app_1-disk1.vmdk',
      'app_1.mf',
      'app_1.ovf',
      'cd.iso',
    ]);
    expect(existsSync(join(out, 'app_1.mf'))).toBe(true);
  });

  it('refuses a running system with exit 1, one readable line and the command that stops it', async () => {
    expect((await runCli(['vm', 'start', 'app 1'], { env })).code).toBe(0);
    const r = await runCli(['export', 'app 1', '-o', join(root, 'running.ova')], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'vessel: Cannot export "app 1": it is running\n  hint: Stop it first: vessel vm stop app 1\n',
    );
    expect(existsSync(join(root, 'running.ova'))).toBe(false);
    expect((await runCli(['vm', 'stop', 'app 1', '--force'], { env })).code).toBe(0);
  });

  it('usage errors exit 2: unknown format, target or manifest, --cert without --sign; an existing output exits 1', async () => {
    const bad = [
      ['--format', 'zip'],
      ['--target', 'hyperv'],
      ['--manifest', 'md5'],
      ['--cert', join(root, 'cd.iso')],
      ['--ovf-version', '3.0'],
    ];
    for (const args of bad) {
      const r = await runCli(['export', 'app 1', '-o', join(root, 'x.ova'), ...args, '--json'], { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(JSON.parse(r.stdout).error.code).toBe('USAGE');
    }
    const exists = await runCli(['export', 'app 1', '-o', join(root, 'app_1.ova')], { env });
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain('exists already');
  });

  it('without a host, says how to start one and exits 3', async () => {
    const r = await runCli(['export', 'app 1', '--state', join(root, 'none')]);
    expect(r.code).toBe(3);
  });
});
