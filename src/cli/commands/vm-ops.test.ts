import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../../test/helpers/cli.js';
import { type ServedHost, serveHost } from '../../../test/helpers/host.js';

// `vm console` on a stopped system or one that stops while attached, `vm reboot` beside `vm reset`, and the VNC
// display in `vm info`: the built CLI against `vessel host serve` on the test driver.

const root = mkdtempSync(join(tmpdir(), 'vessel-cli-vmops-'));
const state = join(root, 'state');
const s = ['--state', state];
let host: ServedHost;

/**
 * Runs `vessel ARGS` with its stdin left open (as a terminal is), resolving with how it ended (a SIGKILL after 20 s
 * if it does not end by itself); `said(text)` resolves once its stderr holds `text`.
 */
function attached(args: string[]): {
  ended: Promise<{ code: number | null; stderr: string }>;
  said: (text: string) => Promise<void>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiting.filter((x) => stderr.includes(x.text))) w.resolve();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const ended = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
  return {
    ended,
    said: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stderr.includes(text)) return resolve();
        waiting.push({ text, resolve });
        ended.then(() => reject(new Error(`ended without saying ${JSON.stringify(text)}: ${stderr}`)));
      }),
  };
}

beforeAll(async () => {
  host = await serveHost(state);
  expect(host.output()).toContain('serving');
  expect((await runCli(['vm', 'define', '--name', 'g1', '--vnc', ...s])).code).toBe(0);
  expect((await runCli(['vm', 'define', '--name', 'plain', ...s])).code).toBe(0);
});
afterAll(async () => {
  await host.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('vessel vm console, reboot, reset and the display', () => {
  it('vm console on a stopped system exits 1 at once, saying so and what to do, though stdin stays open', async () => {
    // It ends by itself (1), not by the SIGKILL after 20 s (null).
    const r = await attached(['vm', 'console', 'g1', ...s]).ended;
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'vessel: Cannot open the serial console of "g1": it is stopped\n  hint: Start it (vessel vm start g1), or print what it wrote: vessel vm console g1 --log\n',
    );
    const ghost = await runCli(['vm', 'console', 'ghost', ...s]);
    expect([ghost.code, ghost.stderr]).toEqual([1, 'vessel: No virtual system "ghost"\n']);
  }, 60_000);

  it('vm console ends when the system stops while attached', async () => {
    expect((await runCli(['vm', 'start', 'plain', ...s])).code).toBe(0);
    const session = attached(['vm', 'console', 'plain', ...s]);
    await session.said('Connected to the console of "plain"');
    expect((await runCli(['vm', 'stop', 'plain', ...s])).code).toBe(0);
    const r = await session.ended;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Connected to the console of "plain"');
    expect(r.stderr).toContain('The system "plain" is stopped: console closed');
  }, 60_000);

  it('vm info shows the VNC display of a running system with graphics, and none otherwise', async () => {
    const stopped = await runCli(['vm', 'info', 'g1', ...s]);
    expect(stopped.stdout).not.toContain('display:');
    expect(JSON.parse((await runCli(['vm', 'info', 'g1', '--json', ...s])).stdout).display).toBeUndefined();
    expect((await runCli(['vm', 'start', 'g1', ...s])).code).toBe(0);
    const info = await runCli(['vm', 'info', 'g1', ...s]);
    expect(info.stdout).toContain(
      'memory:  256 MiB\ndisplay: vnc (through the host: /api/v1/systems/g1/console/vnc)\n',
    );
    // No address: the display is reached only through the host.
    const json = JSON.parse((await runCli(['vm', 'info', 'g1', '--json', ...s])).stdout);
    expect(json.display).toEqual({ protocol: 'vnc' });
    expect(json.vnc).toBeUndefined();
    expect((await runCli(['vm', 'start', 'plain', ...s])).code).toBe(0);
    expect((await runCli(['vm', 'info', 'plain', ...s])).stdout).not.toContain('display:');
  }, 60_000);

  it('vm reboot asks the guest (shutdown, then start); vm reset stays the hard reset', async () => {
    const reboot = await runCli(['vm', 'reboot', 'g1', '--json', ...s]);
    expect(reboot.code, reboot.stderr).toBe(0);
    expect(JSON.parse(reboot.stdout)).toMatchObject({ operation: 'reboot', state: 'completed' });
    const log = (await runCli(['vm', 'console', 'g1', '--log', ...s])).stdout;
    // The guest powered down (ACPI) and booted again: no reset line.
    expect(log).toContain('reboot: Power down\n');
    expect(log).not.toContain('(reset)');
    const text = await runCli(['vm', 'reboot', 'g1', '--timeout', '30', ...s]);
    expect([text.code, text.stdout]).toEqual([0, 'Rebooted "g1": running (started)\n']);
    const reset = await runCli(['vm', 'reset', 'g1', ...s]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/^Reset "g1": running \(/);
    expect((await runCli(['vm', 'console', 'g1', '--log', ...s])).stdout).toContain('(reset)');
    const bad = await runCli(['vm', 'reboot', 'g1', '--timeout', '1h', ...s]);
    expect([bad.code, bad.stderr]).toEqual([2, 'vessel: --timeout "1h" is not a whole number of seconds\n']);
    expect((await runCli(['vm', 'stop', 'g1', ...s])).code).toBe(0);
    const stopped = await runCli(['vm', 'reboot', 'g1', ...s]);
    expect([stopped.code, stopped.stderr]).toEqual([1, 'vessel: Cannot reboot "g1": it is stopped\n']);
  }, 60_000);

  it('vm undefine --keep-disks keeps the images and lists them; vm define --disk-mode direct', async () => {
    const images = join(root, 'images');
    mkdirSync(images);
    const disk = join(images, 'data.raw');
    writeFileSync(disk, Buffer.alloc(65536, 7));
    expect((await runCli(['pool', 'add', 'imgs', images, ...s])).code).toBe(0);
    expect((await runCli(['vm', 'define', '--name', 'kd', '--disk', disk, ...s])).code).toBe(0);
    expect((await runCli(['vm', 'start', 'kd', ...s])).code).toBe(0);
    const running = await runCli(['vm', 'undefine', 'kd', '--keep-disks', ...s]);
    expect([running.code, running.stderr]).toEqual([
      1,
      'vessel: Cannot undefine "kd": it is running; stop it first\n',
    ]);
    expect((await runCli(['vm', 'stop', 'kd', ...s])).code).toBe(0);
    const r = await runCli(['vm', 'undefine', 'kd', '--keep-disks', '--json', ...s]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      operation: 'undefine',
      state: 'completed',
      result: { keptImages: [{ instanceId: '4', pool: 'imgs', image: 'data.raw', how: 'in-place' }] },
    });
    expect(readFileSync(disk)).toEqual(Buffer.alloc(65536, 7));
    // Direct mode: vm info says how each disk is written; a keep leaves the image in place and says where.
    const direct = ['vm', 'define', '--name', 'dm', '--disk', disk, '--disk-mode', 'direct', ...s];
    expect((await runCli(direct)).code).toBe(0);
    const twice = await runCli([...direct.slice(0, 3), 'dm2', ...direct.slice(4)]);
    expect([twice.code, twice.stderr.split('\n')[0]]).toEqual([
      1,
      `vessel: Cannot define "dm2": the image of disk "4" is in use: "dm2" would write to it directly and "dm" uses it too: ${disk}`,
    ]);
    const info = await runCli(['vm', 'info', 'dm', ...s]);
    expect(info.stdout).toContain(`disk     4: ${disk} (direct: written in place)\n`);
    const kept = await runCli(['vm', 'undefine', 'dm', '--keep-disks', ...s]);
    expect([kept.code, kept.stdout]).toEqual([
      0,
      'Undefined "dm"\nKept disk 4: pool imgs image data.raw (in-place)\n',
    ]);
    const bad = await runCli(['vm', 'define', '--name', 'x', '--disk-mode', 'shared', ...s]);
    expect([bad.code, bad.stderr]).toEqual([2, 'vessel: --disk-mode "shared": use overlay or direct\n']);
    const outside = join(root, 'outside.raw');
    writeFileSync(outside, Buffer.alloc(4096));
    const out = await runCli([
      'vm',
      'define',
      '--name',
      'x',
      '--disk',
      outside,
      '--disk-mode',
      'direct',
      ...s,
    ]);
    expect([out.code, out.stderr.split('\n')[0]]).toEqual([
      1,
      `vessel: Cannot define "x": the image of drive "4" is outside every storage pool, and a system in direct disk mode writes to the image itself: ${outside}`,
    ]);
    const ghost = await runCli(['vm', 'undefine', 'kd', '--keep-disks', '--json', ...s]);
    expect(ghost.code).toBe(1);
    expect(JSON.parse(ghost.stdout).error.code).toBe('VM_NOT_FOUND');
  }, 60_000);
});
