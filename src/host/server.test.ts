import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDirFor } from '../hypervisor/index.js';
import { buildDefinition, type VesselError } from '../model/index.js';
import { HostClient } from './client.js';
import { Host, type VmSummary } from './host.js';
import { hostSocketPath } from './paths.js';
import { serveHost } from './server.js';
import type { HostEvent } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-srv-'));
const images = join(root, 'images');
mkdirSync(images);
const disk = join(images, 'd.raw');
writeFileSync(disk, '');
const running: { host: Host; server: Server }[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const r of running) {
    r.server.close();
    await r.host.close();
  }
  for (const c of cleanups) c();
  rmSync(root, { recursive: true, force: true });
});

async function start(stateDir: string) {
  const host = await Host.open({ stateDir, driverUri: 'test:///default' });
  const server = await serveHost(host);
  running.push({ host, server });
  return { host, server };
}

/** Sends raw text on the host socket and returns everything the host answers before it closes or 500 ms pass. */
function raw(stateDir: string, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(hostSocketPath(stateDir));
    let out = '';
    s.on('data', (d) => {
      out += d.toString();
      if (out.includes('\n')) s.destroy();
    });
    s.on('close', () => resolve(out));
    s.on('connect', () => s.write(text));
    setTimeout(() => s.destroy(), 500);
  });
}

describe('the host socket API', () => {
  const state = join(root, 'a');

  it('says how to start a host when none is running', async () => {
    const e = (await HostClient.connect(join(root, 'nobody')).catch((x: unknown) => x)) as VesselError;
    expect(e.code).toBe('HOST_NOT_RUNNING');
    expect(e.hint).toBe(`Start one with: vessel host serve --state ${join(root, 'nobody')}`);
  });

  it('defines, changes and lists systems, and returns host errors with their codes', async () => {
    await start(state);
    const c = await HostClient.connect(state);
    await c.call('pool.add', { name: 'test', path: images });
    const def = buildDefinition({ name: 'api1', cpus: 1, memoryBytes: 1n << 27n, disks: [disk] });
    const vm = await c.call<VmSummary>('vm.define', { definition: def });
    expect(vm).toMatchObject({ name: 'api1', state: 'stopped' });
    const r = await c.call<{ job: string; vm: VmSummary }>('vm.change', { vm: 'api1', op: 'start' });
    expect(r.vm.state).toBe('running');
    expect(await c.call('job.get', { id: r.job })).toMatchObject({ state: 'completed' });
    const again = (await c
      .call('vm.change', { vm: 'api1', op: 'start' })
      .catch((x: unknown) => x)) as VesselError;
    expect([again.code, again.message]).toEqual([
      'INVALID_STATE',
      'Cannot start "api1": it is already running',
    ]);
    expect(await c.call('vm.list')).toEqual([
      { name: 'api1', uuid: vm.uuid, state: 'running', reason: 'started' },
    ]);
    const unknown = (await c.call('vm.get', { vm: 'nope' }).catch((x: unknown) => x)) as VesselError;
    expect(unknown.code).toBe('VM_NOT_FOUND');
    const badOp = (await c
      .call('vm.change', { vm: 'api1', op: 'explode' })
      .catch((x: unknown) => x)) as VesselError;
    expect(badOp.message).toBe(
      'Unknown operation "explode"; use start, stop, powerOff, pause, resume, reset',
    );
    c.close();
  });

  it('streams events to subscribers', async () => {
    const c = await HostClient.connect(state);
    const seen: HostEvent[] = [];
    await c.subscribe((e) => seen.push(e), 'api1');
    const other = await HostClient.connect(state);
    await other.call('vm.change', { vm: 'api1', op: 'pause' });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((e) => [e.name, e.state, e.cause])).toEqual([['api1', 'paused', 'api']]);
    other.close();
    c.close();
  });

  it('attaches to a live console: bytes go both ways (the test driver loops them back)', async () => {
    const c = await HostClient.connect(state);
    const sock = await c.attachConsole('api1');
    const echoed = new Promise<string>((resolve) => {
      let got = '';
      sock.on('data', (d: Buffer | string) => {
        got += d.toString();
        if (got.includes('\n')) resolve(got);
      });
    });
    sock.write('echo hello\n');
    expect(await echoed).toBe('echo hello\n');
    sock.destroy();
  });

  it('refuses a second host on the same state directory', async () => {
    const e = (await start(state).catch((x: unknown) => x)) as VesselError;
    expect(e.code).toBe('HOST_ALREADY_RUNNING');
  });

  it('answers malformed, hostile and oversized requests with an error and closes', async () => {
    expect(await raw(state, 'hello\n')).toContain(
      '"code":"HOST_PROTOCOL","message":"The request is not JSON: hello"',
    );
    expect(await raw(state, '[1]\n')).toContain('The request is not a JSON object');
    expect(await raw(state, '{"method":"vm.list"}\n')).toContain('The request has no id');
    expect(await raw(state, '{"id":1,"method":"vm.nuke"}\n')).toContain('Unknown method \\"vm.nuke\\"');
    expect(
      await raw(
        state,
        '{"id":1,"method":"vm.define","params":{"definition":{"system":{},"resources":[{"cimClass":"X"}]}}}\n',
      ),
    ).toContain('resources[0].cimClass is not a RASD class');
    expect(
      await raw(
        state,
        '{"id":1,"method":"vm.define","params":{"definition":{"system":{"ElementName":{"a":1}},"resources":[]}}}\n',
      ),
    ).toContain('system.ElementName must be a string or an array of strings');
    const big = await new Promise<string>((resolve) => {
      const s = connect(hostSocketPath(state));
      let out = '';
      s.on('data', (d) => {
        out += d.toString();
      });
      s.on('close', () => resolve(out));
      s.on('error', () => resolve(out));
      s.on('connect', () => {
        const chunk = 'x'.repeat(1 << 20);
        for (let i = 0; i < 17; i++) s.write(chunk);
      });
    });
    expect(big).toContain('A request is longer than 16777216 bytes');
    // The host still serves after all that.
    const c = await HostClient.connect(state);
    expect(await c.call<unknown[]>('vm.list')).toHaveLength(1);
    c.close();
  });

  it('works from a state directory too long for a unix socket path', async () => {
    const long = join(root, 'x'.repeat(60), 'y'.repeat(60), 'state');
    expect(join(long, 'run', 'host.sock').length).toBeGreaterThan(108);
    await start(long);
    expect(lstatSync(join(long, 'run')).isSymbolicLink()).toBe(true);
    expect(hostSocketPath(long).length).toBeLessThan(108);
    expect(existsSync(hostSocketPath(long))).toBe(true);
    const c = await HostClient.connect(long);
    expect((await c.call<{ stateDir: string }>('host.info')).stateDir).toBe(long);
    c.close();
    cleanups.push(() => rmSync(runDirFor(long), { recursive: true, force: true }));
  });
});
