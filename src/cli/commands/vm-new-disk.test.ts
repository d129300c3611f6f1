import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, NO_CIM_PORTS, runCli } from '../../../test/helpers/cli.js';

/** `vessel vm define --new-disk` through the built CLI, against a host running the test driver. */
const root = mkdtempSync(join(tmpdir(), 'vessel-cli-newdisk-'));
const state = join(root, 'state');
const fast = join(root, 'fast');
mkdirSync(fast);
let host: ChildProcess;
let hostOut = '';

beforeAll(async () => {
  host = spawn(process.execPath, [CLI, 'host', 'serve', '--driver', 'test:///default', ...NO_CIM_PORTS], {
    env: { ...process.env, VESSEL_STATE: state },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  host.stdout!.on('data', (d: Buffer) => {
    hostOut += d.toString();
  });
  // Until it serves, however long a loaded machine takes (the hook's timeout bounds it), or exits.
  while (!hostOut.includes('serving') && host.exitCode === null) await new Promise((r) => setTimeout(r, 25));
  expect(hostOut).toContain('serving');
  expect((await runCli(['pool', 'add', 'fast', fast, '--state', state])).code).toBe(0);
});
afterAll(() => {
  host.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const virtualSize = (p: string) =>
  JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', p], { encoding: 'utf8' }))[
    'virtual-size'
  ];

describe('vessel vm define --new-disk', () => {
  it('creates each new disk in its pool (the default pool when none is named), removed by undefine', async () => {
    const r = await runCli([
      ...['vm', 'define', '--name', 'nd1', '--new-disk', '8M,pool=fast', '--new-disk', '2G'],
      ...['--disk-bus', 'virtio', '--state', state],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const info = await runCli(['vm', 'info', 'nd1', '--json', '--state', state]);
    const devices = JSON.parse(info.stdout).definition.devices as { device: string; image?: string }[];
    const paths = devices.filter((d) => d.device === 'drive').map((d) => d.image ?? '');
    const images = join(state, 'images');
    expect(paths).toEqual([join(fast, 'nd1-disk4.qcow2'), join(images, 'nd1-disk5.qcow2')]);
    expect(paths.map(virtualSize)).toEqual([8 << 20, 2 * 2 ** 30]);
    expect((await runCli(['vm', 'undefine', 'nd1', '--state', state])).code).toBe(0);
    expect(paths.some((p) => existsSync(p))).toBe(false);
  });

  it('refuses a bad size or option (usage, exit 2) and what the host refuses (exit 1), making nothing', async () => {
    const define = (spec: string) =>
      runCli(['vm', 'define', '--name', 'nd2', '--new-disk', spec, '--state', state]);
    const usage: [string, string][] = [
      ['8X', '--new-disk "8X": "8X" is not a size'],
      ['', '--new-disk "": "" is not a size'],
      [
        '8M,colour=red',
        '--new-disk "8M,colour=red": unknown or repeated option "colour=red"; use SIZE[,pool=NAME]',
      ],
      ['8M,pool=a,pool=b', 'unknown or repeated option "pool=b"'],
      ['8M,pool=', 'unknown or repeated option "pool="'],
    ];
    for (const [spec, message] of usage) {
      const r = await define(spec);
      expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(message)]);
    }
    const host: [string, string][] = [
      ['0', 'Cannot define "nd2": Disk "4": a capacity of 0 bytes cannot be created'],
      ['65T', 'Cannot define "nd2": Disk "4": a capacity of 71468255805440 bytes cannot be created'],
      ['1000', 'a capacity of 1000 bytes cannot be created'],
      ['8M,pool=nope', 'Cannot define "nd2": New disk "4": no storage pool "nope"'],
    ];
    for (const [spec, message] of host) {
      const r = await define(spec);
      expect([r.code, r.stderr]).toEqual([1, expect.stringContaining(message)]);
    }
    expect(readdirSync(fast)).toEqual([]);
    expect(readdirSync(join(state, 'images'))).toEqual([]);
    expect((await runCli(['vm', 'list', '--json', '--state', state])).stdout.trim()).toBe('[]');
  });
});
