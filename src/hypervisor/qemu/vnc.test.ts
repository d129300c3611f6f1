import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import { pngSize } from '../png.js';
import type { HypervisorDriver } from '../types.js';
import { parseDriverUri } from '../uri.js';
import type { QemuDriver } from './driver.js';
import { openQemuDriver } from './open.js';
import { listeningSockets } from './sockets.js';
import { vncOf } from './vnc.js';

// Real QEMU (TCG). A system with VNC graphics: its QEMU listens on no TCP port (every local user and every slirp
// guest reaches the host's loopback), the host still gets RFB, and a host that adopts it keeps its display; a
// QEMU an older Vessel started with VNC on 127.0.0.1 is adopted with its display too.

const state = mkdtempSync(join(tmpdir(), 'vessel-vnc-'));
const open = () =>
  openQemuDriver(parseDriverUri('qemu:///embed?accel=tcg'), { stateDir: state }) as Promise<QemuDriver>;
const drivers: HypervisorDriver[] = [];
afterAll(async () => {
  for (const d of drivers) await d.close({ stopAll: true }).catch(() => undefined);
  rmSync(state, { recursive: true, force: true });
});

const def = (name: string) => buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n, graphics: 'vnc' });

/** The first `n` bytes a socket sends. */
async function firstBytes(s: Socket | NodeJS.ReadableStream, n: number): Promise<string> {
  let buf = Buffer.alloc(0);
  for await (const chunk of s as AsyncIterable<Buffer>) {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length >= n) break;
  }
  return buf.subarray(0, n).toString('latin1');
}

/** The RFB version a new connection to a system's display greets with (RFC 6143 §7.1.1). */
async function banner(d: HypervisorDriver, uuid: string): Promise<string> {
  const display = await d.display!(uuid);
  expect(display?.protocol).toBe('vnc');
  const s = await display!.connect();
  try {
    return await firstBytes(s, 12);
  } finally {
    s.destroy();
  }
}

/** What happens when user `nobody` connects to each unix socket path: the error code, or 'connected'. */
async function connectAsNobody(paths: string[]): Promise<string[]> {
  const script = `
    const net = require('node:net');
    Promise.all(process.argv.slice(1).map((p) => new Promise((resolve) => {
      const s = net.connect(p);
      s.once('connect', () => { s.destroy(); resolve('connected'); });
      s.once('error', (e) => resolve(e.code));
    }))).then((r) => process.stdout.write(JSON.stringify(r)));`;
  const child = spawn(process.execPath, ['-e', script, ...paths], { uid: 65534, gid: 65534 });
  let out = '';
  child.stdout.on('data', (b) => {
    out += b;
  });
  await new Promise((resolve) => child.once('close', resolve));
  return JSON.parse(out) as string[];
}

describe('the VNC display of a QEMU system', () => {
  it('listens on no TCP port, is out of other users reach, and reaches the host as RFB, also once adopted', async () => {
    const d = await open();
    drivers.push(d);
    const { uuid } = await d.define(def('vnc1'));
    const definition = await d.getDefinition(uuid);
    await d.start(uuid);
    const run = d.runPaths(uuid);
    const pid = Number(readFileSync(run.pidFile, 'utf8'));
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(argv[argv.indexOf('-vnc') + 1]).toBe('none');

    const listens = listeningSockets(pid);
    expect(listens.tcp).toEqual([]);
    // Its only listeners are the three the host bound for it in the private run folder (QMP, descriptors, serial).
    expect(listens.unix).toHaveLength(3);
    for (const p of listens.unix) expect(p.startsWith(`${run.dir}/`)).toBe(true);
    expect(lstatSync(run.dir).mode & 0o777).toBe(0o700);

    // Two connections at once, each a pair whose other end went to QEMU: both greet with RFB.
    expect(await Promise.all([banner(d, uuid), banner(d, uuid)])).toEqual(['RFB 003.008\n', 'RFB 003.008\n']);
    // The one-shot listeners that made the pairs are gone.
    expect(readdirSync(run.dir).filter((f) => f.startsWith('vnc'))).toEqual([]);

    // Another user reaches none of the system's sockets.
    const sockets = readdirSync(run.dir)
      .map((f) => join(run.dir, f))
      .filter((p) => lstatSync(p).isSocket());
    expect(sockets.length).toBeGreaterThanOrEqual(3);
    expect(await connectAsNobody(sockets)).toEqual(sockets.map(() => 'EACCES'));

    const png = await d.screenshot(uuid);
    expect(pngSize(png)?.width).toBeGreaterThan(0);

    // The host restarts: its QEMU keeps running, the next driver adopts it with its display.
    await d.close();
    const next = await open();
    drivers.push(next);
    await next.define(definition);
    expect(await next.adopt(uuid)).toMatchObject({ state: 'running' });
    expect(await banner(next, uuid)).toBe('RFB 003.008\n');
    await next.powerOff(uuid);
    expect(await next.display(uuid)).toBeUndefined();
    await expect(banner(next, uuid)).rejects.toThrow();
  }, 120_000);

  it('a system without VNC graphics has no display and no VNC server', async () => {
    const d = await open();
    drivers.push(d);
    const { uuid } = await d.define(buildDefinition({ name: 'plain1', cpus: 1, memoryBytes: 64n << 20n }));
    await d.start(uuid);
    const pid = Number(readFileSync(d.runPaths(uuid).pidFile, 'utf8'));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).not.toContain('-vnc');
    expect(await d.display(uuid)).toBeUndefined();
    await d.powerOff(uuid);
  }, 60_000);

  it('adopts a QEMU that an older Vessel started with VNC on the loopback, and keeps reaching it there', async () => {
    const d = await open();
    drivers.push(d);
    const { uuid } = await d.define(def('oldvnc'));
    const run = d.runPaths(uuid);
    mkdirSync(run.dir, { recursive: true, mode: 0o700 });
    // What an older Vessel ran: QMP on a socket, VNC on 127.0.0.1 from display 0 up to 99.
    const qemu = spawn(
      'qemu-system-x86_64',
      ['-uuid', uuid, '-machine', 'pc', '-m', '64', '-S', '-device', 'VGA', '-display', 'none'].concat([
        '-vnc',
        '127.0.0.1:0,to=99',
        '-qmp',
        `unix:${run.qmpSocket},server=on,wait=off`,
      ]),
      { stdio: 'ignore', detached: true },
    );
    try {
      writeFileSync(run.pidFile, `${qemu.pid}\n`);
      // However long QEMU takes to start on a loaded machine (expect.poll's limit is the suite's 15 s).
      await expect.poll(() => qemu.exitCode === null && readdirSync(run.dir).includes('qmp.sock')).toBe(true);
      // Positive control of the listener check: this QEMU listens on a loopback TCP port.
      await expect.poll(() => listeningSockets(qemu.pid!).tcp.length).toBe(1);
      const tcp = listeningSockets(qemu.pid!).tcp;
      expect(tcp[0]).toMatchObject({ address: '0100007F' }); // 127.0.0.1
      expect(tcp[0]!.port).toBeGreaterThanOrEqual(5900);
      expect(await d.adopt(uuid)).toMatchObject({ state: 'paused' });
      expect(await banner(d, uuid)).toBe('RFB 003.008\n');
      await d.powerOff(uuid);
    } finally {
      qemu.kill('SIGKILL');
    }
  }, 60_000);
});

describe('vncOf()', () => {
  /** A QMP peer that answers query-vnc with `answer` (or fails when it is an Error). */
  const peer = (answer: unknown) => ({
    execute: async <T>(command: string): Promise<T> => {
      expect(command).toBe('query-vnc');
      if (answer instanceof Error) throw answer;
      return answer as T;
    },
  });
  it('keeps only what an older Vessel ran on TCP (127.0.0.1, ports 5900 to 5999), else the private display', async () => {
    const tcp = { enabled: true, host: '127.0.0.1', family: 'ipv4', service: '5907', auth: 'none' };
    expect(await vncOf(peer(tcp), true)).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 5907 });
    expect(await vncOf(peer({ enabled: false }), true)).toEqual({ kind: 'private' });
    expect(await vncOf(peer(new Error('QMP_CLOSED')), true)).toEqual({ kind: 'private' });
    expect(await vncOf(peer({ enabled: false }), false)).toBeUndefined();
    // A QEMU that names another address or port (one that lies, or was started by hand) is not connected to.
    for (const other of [
      { ...tcp, service: '6000' },
      { ...tcp, service: '5899' },
      { ...tcp, service: '22' },
      { ...tcp, service: '5900x' },
      { ...tcp, host: '0.0.0.0' },
      { ...tcp, host: '10.0.2.2' },
      { ...tcp, host: '::1', family: 'ipv6' },
    ])
      expect(await vncOf(peer(other), true)).toBeUndefined();
  });
});
