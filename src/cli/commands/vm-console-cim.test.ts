import { spawn } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';
import { ensureTestGuest, type TestGuest } from '../../hypervisor/index.js';

// `vessel vm console` and `vm console --log` over CIM-XML and WS-Man alone (Vessel_TextConsoleService) against a
// real `host serve` on QEMU (TCG) with the tiny test guest: the log shows what the guest wrote, and the interactive
// console shows the guest's output while a typed command runs in the guest's shell and its answer comes back.
// One boot.

let host: ServedHost;
let guest: TestGuest;
let cim: string;
let wsman: string;

beforeAll(async () => {
  guest = await ensureTestGuest();
  const [c, w] = [await freePort(), await freePort()];
  host = await serveHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'secret'],
    ],
    args: [
      '--driver',
      'qemu:///embed?accel=tcg',
      '--stop-vms',
      '--cim-http',
      String(c),
      '--cim-https',
      '0',
      '--wsman-http',
      String(w),
      '--wsman-https',
      '0',
      '--http',
      '0',
      '--https',
      '0',
    ],
    ready: 'WS-Man:',
    prefix: 'vessel-consolecim-',
  });
  cim = `http://admin:secret@127.0.0.1:${c}`;
  wsman = `wsman+http://admin:secret@127.0.0.1:${w}`;
  const disk = join(host.state, 'images', 'cg1.raw');
  await copyFile(guest.stayDisk, disk);
  for (const args of [
    ['vm', 'define', '--name', 'cg1', '--cpus', '1', '--memory', '128M', '--disk', disk],
    ['vm', 'define', '--name', 'cg2', '--cpus', '1', '--memory', '32M'],
    ['vm', 'start', 'cg1'],
  ]) {
    const r = await runCli([...args, '--state', host.state]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 180_000);
afterAll(async () => {
  await host?.close();
});

/** Attaches `vm console cg1` over `url`, types a command the guest's shell computes, and detaches with Ctrl-]. */
async function attach(url: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [CLI, 'vm', 'console', 'cg1', '-c', url], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('latin1');
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const ended = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await expect.poll(() => err, { timeout: 30_000 }).toContain('Connected to the console of "cg1"');
    const n = 6 + Math.floor(Math.random() * 90);
    child.stdin.write(`echo VESSEL-$((${n}*7))-OK\n`);
    // The shell computes it: an echo of the typed line alone would show the expression, not the product.
    await expect.poll(() => out, { timeout: 30_000 }).toContain(`VESSEL-${n * 7}-OK`);
    child.stdin.write(Buffer.from([0x1d]));
    return { code: await ended, out, err };
  } finally {
    child.kill();
  }
}

describe.each([
  ['CIM-XML', () => cim],
  ['WS-Man', () => wsman],
])('vessel vm console over %s', (_name, url) => {
  it('--log prints what the guest wrote to its serial port', async () => {
    await expect
      .poll(async () => (await runCli(['vm', 'console', 'cg1', '--log', '-c', url()])).stdout, {
        timeout: 120_000,
      })
      .toContain(guest.markers.ready);
    const r = await runCli(['vm', 'console', 'cg1', '--log', '-c', url()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(guest.markers.up);
  }, 150_000);

  it("attaches: the guest's output shows, a typed line reaches the guest's shell and its answer comes back", async () => {
    const r = await attach(url());
    expect(r.code, `stdout: ${r.out}\nstderr: ${r.err}`).toBe(0);
  }, 120_000);

  it('refuses a stopped system at once with the hint, and a reader', async () => {
    const r = await runCli(['vm', 'console', 'cg2', '-c', url()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot open the serial console of "cg2": it is stopped');
    expect(r.stderr).toContain('hint: Start it (vessel vm start cg2)');
    const reader = await runCli(['vm', 'console', 'cg1', '--log', '-c', url().replace('admin:', 'rita:')]);
    expect(reader.code).not.toBe(0);
    expect(reader.stderr).toMatch(/denied|not allowed|role/i);
  }, 60_000);
});

describe('vessel vm console over WS-Man when the guest stops', () => {
  it('ends on its own when the guest is powered off (exit 0), and the stopped system is then refused', async () => {
    const child = spawn(process.execPath, [CLI, 'vm', 'console', 'cg1', '-c', wsman], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const ended = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await expect.poll(() => err, { timeout: 30_000 }).toContain('Connected to the console of "cg1"');
      const stop = await runCli(['vm', 'stop', 'cg1', '--force', '--state', host.state]);
      expect(stop.code, stop.stderr).toBe(0);
      expect(await ended).toBe(0);
      expect(err).not.toContain('Error');
    } finally {
      child.kill();
    }
    const r = await runCli(['vm', 'console', 'cg1', '-c', wsman]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot open the serial console of "cg1": it is stopped');
  }, 90_000);
});
