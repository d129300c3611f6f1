import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, NO_CIM_PORTS } from '../../test/helpers/cli.js';
import type { Api, ApiEvent, ByteChannel, SystemSummary } from '../api/index.js';
import { ensureTestGuest, pidAlive, runDirFor, type TestGuest } from '../hypervisor/index.js';
import { buildDefinition } from '../model/index.js';
import { connectHostApi } from './socket/index.js';

/**
 * Reliability with real QEMU (TCG) and the host as its own process, started by the built CLI: `kill -9` of the
 * host while systems run, adoption on restart (an adopted system keeps its VNC display), and QEMU killed under a
 * running system.
 */
const state = mkdtempSync(join(tmpdir(), 'vessel-adopt-'));
let guest: TestGuest;
const hosts: ChildProcess[] = [];

function startHost(...extra: string[]): {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const args = [
    CLI,
    'host',
    'serve',
    '--state',
    state,
    '--driver',
    'qemu:///embed?accel=tcg',
    ...NO_CIM_PORTS,
    ...extra,
  ];
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  hosts.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

type Connected = Api & { close(): Promise<void> };

/** A client of `host` once its socket answers, however long a loaded machine takes (the test's timeout bounds it). */
async function client(host: ReturnType<typeof startHost>): Promise<Connected> {
  for (;;) {
    try {
      return await connectHostApi({ stateDir: state });
    } catch {
      if (host.proc.exitCode !== null)
        throw new Error(`the host exited with ${host.proc.exitCode}: ${host.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const wait = { waitMs: Number.POSITIVE_INFINITY };
const stateEvents = async (c: Api) =>
  (await c.events.list({ types: ['system.state'], limit: 1000 })).filter(
    (e): e is Extract<ApiEvent, { type: 'system.state' }> => e.type === 'system.state',
  );
const systemNamed = async (c: Api, name: string): Promise<SystemSummary> =>
  (await c.systems.list()).find((x) => x.name === name)!;

/** The RFB version a display connection greets with (RFC 6143 §7.1.1); closes the channel. */
async function rfbVersion(ch: ByteChannel): Promise<string> {
  let got = Buffer.alloc(0);
  for await (const chunk of ch.input) {
    got = Buffer.concat([got, chunk]);
    if (got.length >= 12) break;
  }
  await ch.close();
  return got.subarray(0, 12).toString('latin1');
}

const qemuPid = (uuid: string) => Number(readFileSync(join(runDirFor(state), uuid, 'qemu.pid'), 'utf8'));

beforeAll(async () => {
  guest = await ensureTestGuest();
});
afterAll(() => {
  for (const h of hosts) h.kill('SIGKILL');
  // Stop any QEMU this test left behind, found by the pid files in this test's own run directory.
  const run = runDirFor(state);
  for (const d of existsSync(run) ? readdirSync(run) : []) {
    try {
      process.kill(Number(readFileSync(join(run, d, 'qemu.pid'), 'utf8')), 'SIGKILL');
    } catch {
      // not a system directory, or already gone
    }
  }
  rmSync(state, { recursive: true, force: true });
});

describe('host reliability with real QEMU', () => {
  it('adopts running systems after kill -9 of the host and records QEMU deaths with a reason', async () => {
    const first = startHost();
    let c = await client(first);
    await c.pools.add({ id: 'guest', path: dirname(guest.stayDisk) });
    const uuids: string[] = [];
    for (const name of ['adopt-a', 'adopt-b']) {
      const graphics = name === 'adopt-b' ? ('vnc' as const) : undefined;
      const def = buildDefinition({
        name,
        cpus: 1,
        memoryBytes: 128n << 20n,
        disks: [guest.stayDisk],
        ...(graphics ? { graphics } : {}),
      });
      const vm = await c.systems.define(def, wait);
      expect(vm.state).toBe('completed');
      uuids.push(vm.result!.uuid);
      expect((await c.systems.changeState(name, 'start', wait)).state).toBe('completed');
    }
    const before = await stateEvents(c);
    await c.close();
    const pids = uuids.map(qemuPid);

    first.proc.kill('SIGKILL');
    await first.exited;
    expect(pids.map(pidAlive)).toEqual([true, true]);

    const second = startHost();
    c = await client(second);
    const list = await c.systems.list();
    expect(list.map((v) => [v.name, v.state])).toEqual([
      ['adopt-a', 'running'],
      ['adopt-b', 'running'],
    ]);
    expect(list[0]!.reason.text).toBe(`adopted (QEMU pid ${pids[0]}, running)`);
    const after = await stateEvents(c);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((e) => [e.system, e.state, e.cause.kind])).toEqual([
      ['adopt-a', 'running', 'adoption'],
      ['adopt-b', 'running', 'adoption'],
    ]);

    // The adopted system keeps its display: the new host hands its QEMU a connection that speaks RFB.
    expect((await c.systems.get('adopt-b')).display).toEqual({ protocol: 'vnc' });
    expect((await c.systems.get('adopt-a')).display).toBeUndefined();
    expect(await rfbVersion(await c.consoles.open('adopt-b', 'vnc'))).toBe('RFB 003.008\n');

    // QEMU killed under an adopted system: stopped, with the reason, and the host carries on.
    process.kill(pids[0]!, 'SIGKILL');
    const dead = await until('adopt-a to stop', async () => {
      const v = await systemNamed(c, 'adopt-a');
      return v.state === 'stopped' ? v : undefined;
    });
    expect(dead.reason.text).toMatch(new RegExp(`^QEMU \\(pid ${pids[0]}\\) exited unexpectedly`));

    // Started again by this host, then killed: the exit status is known now.
    expect((await c.systems.changeState('adopt-a', 'start', wait)).state).toBe('completed');
    process.kill(qemuPid(uuids[0]!), 'SIGKILL');
    const killed = await until('adopt-a to stop again', async () => {
      const v = await systemNamed(c, 'adopt-a');
      return v.state === 'stopped' ? v : undefined;
    });
    expect(killed.reason.text).toBe('QEMU was killed by SIGKILL');
    expect((await systemNamed(c, 'adopt-b')).state).toBe('running');

    // SIGTERM stops the host cleanly and leaves adopt-b running; a host with --stop-vms stops it on SIGTERM.
    await c.close();
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('vessel host stopped');
    expect(pidAlive(pids[1]!)).toBe(true);
    const third = startHost('--stop-vms');
    c = await client(third);
    expect((await c.systems.list()).map((v) => v.state)).toEqual(['stopped', 'running']);
    await c.close();
    third.proc.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(pidAlive(pids[1]!)).toBe(false);
  }, 90_000);
});
