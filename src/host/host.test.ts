import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALLOWED_FROM, type TestDriver, type VmState } from '../hypervisor/index.js';
import { buildDefinition, type ResourceSetting, type VesselError } from '../model/index.js';
import { Host, type VmOperation } from './host.js';
import type { HostVmState } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-host-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const images = join(root, 'images');
mkdirSync(images);
const disk = join(images, 'disk.raw');
writeFileSync(disk, '');
let n = 0;
const open = async () => {
  const host = await Host.open({ stateDir: join(root, `s${n++}`), driverUri: 'test:///default' });
  host.pools.add('test', images);
  return host;
};
const def = (name: string) =>
  buildDefinition({ name, cpus: 1, memoryBytes: 128n << 20n, disks: [disk], nics: [{ network: 'user' }] });

/** A small deterministic random generator, so a failing sequence can be replayed. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** What a state change does from a state, by the lifecycle rules: the new state, or undefined when refused. */
function expected(state: VmState, op: VmOperation): VmState | undefined {
  if (op === 'stop') return state === 'stopped' ? undefined : 'stopped';
  if (!ALLOWED_FROM[op].includes(state)) return undefined;
  return op === 'pause' ? 'paused' : op === 'powerOff' ? 'stopped' : 'running';
}

const OPS: VmOperation[] = ['start', 'stop', 'powerOff', 'pause', 'resume', 'reset'];

async function hammer(host: Host, names: string[], count: number, seed: number) {
  const rand = rng(seed);
  const requests = Array.from({ length: count }, () => ({
    vm: names[Math.floor(rand() * names.length)]!,
    op: OPS[Math.floor(rand() * OPS.length)]!,
  }));
  // All requests are made at once; the lock serves each system's requests in the order they were made.
  const sim = new Map<string, VmState>(names.map((x) => [x, host.get(x).state as VmState]));
  const outcomes = await Promise.allSettled(requests.map((r) => host.change(r.vm, r.op).done));
  requests.forEach((r, i) => {
    const next = expected(sim.get(r.vm)!, r.op);
    const got = outcomes[i]!;
    if (next === undefined) {
      expect(got.status, `${i}: ${r.op} ${r.vm}`).toBe('rejected');
      expect(((got as PromiseRejectedResult).reason as VesselError).code).toBe('INVALID_STATE');
    } else {
      expect(got.status, `${i}: ${r.op} ${r.vm}`).toBe('fulfilled');
      sim.set(r.vm, next);
    }
  });
  for (const name of names) {
    const stored = host.get(name);
    expect(stored.state, name).toBe(sim.get(name));
    expect((await host.driver.getState(stored.uuid)).state).toBe(sim.get(name));
    // The recorded state events form a valid chain ending in the final state.
    const states = host.store.events({ uuid: stored.uuid, limit: 10_000 }).filter((e) => e.kind === 'state');
    expect(states.at(-1)?.state ?? 'stopped').toBe(sim.get(name));
  }
  const jobs = host.store.listJobs(10_000);
  expect(jobs.filter((j) => j.state === 'running')).toEqual([]);
  return outcomes;
}

describe('Host lifecycle (test driver)', () => {
  it('records starting then running, with the job that did it', async () => {
    const host = await open();
    const vm = await host.define(def('web1'));
    const { job, done } = host.change('web1', 'start');
    expect(job).toMatchObject({ kind: 'vm.start', target: vm.uuid, state: 'running' });
    expect(await done).toMatchObject({ name: 'web1', state: 'running', reason: 'started' });
    expect(host.getJob(job.id)).toMatchObject({ state: 'completed', result: { state: 'running' } });
    const states = host.store.events({ uuid: vm.uuid }).map((e) => [e.kind, e.state, e.cause]);
    expect(states).toEqual([
      ['defined', 'stopped', 'api'],
      ['state', 'starting', 'api'],
      ['state', 'running', 'api'],
    ]);
    await host.close();
  });

  it('serialises 50 concurrent state changes on one system; each gets a correct answer', async () => {
    const host = await open();
    await host.define(def('one'));
    const outcomes = await hammer(host, ['one'], 50, 7);
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes.some((o) => o.status === 'rejected')).toBe(true);
    await host.close();
  });

  it('keeps 20 systems consistent under 50 concurrent state changes', async () => {
    const host = await open();
    const names = Array.from({ length: 20 }, (_, i) => `vm${i}`);
    for (const x of names) await host.define(def(x));
    await hammer(host, names, 50, 42);
    await hammer(host, names, 50, 43);
    await host.close();
  });

  it('refuses bad definitions and stores none of them', async () => {
    const host = await open();
    await host.define(def('dup'));
    const zero = buildDefinition({ name: 'zero', cpus: 1, memoryBytes: 0n });
    const ctl = def('ctl');
    ctl.resources.push({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: 'x', ResourceType: '20', ResourceSubType: 'weird' },
    });
    const missing = buildDefinition({
      name: 'missing',
      cpus: 1,
      memoryBytes: 1n << 27n,
      disks: [join(images, 'absent.raw')],
    });
    const nics = def('nics');
    for (let i = 0; i < 10_000; i++) {
      nics.resources.push({
        cimClass: 'CIM_ResourceAllocationSettingData',
        properties: { InstanceID: `n${i}`, ResourceType: '10' },
      } as ResourceSetting);
    }
    const codes: string[] = [];
    for (const d of [zero, ctl, missing, def('dup'), nics]) {
      codes.push(
        await host.define(d).then(
          () => 'accepted',
          (e: VesselError) => `${e.code}: ${e.message}`,
        ),
      );
    }
    expect(codes).toEqual([
      'DEFINITION_INVALID: Invalid definition "zero": Memory must be at least 1 MiB, got 0 bytes',
      'DEFINITION_INVALID: Invalid definition "ctl": Unknown controller: storage device "x" of subtype "weird"',
      `FILE_NOT_FOUND: Cannot define "missing": the image of drive "4" does not exist: ${join(images, 'absent.raw')}`,
      'VM_EXISTS: Cannot define "dup": a virtual system with that name exists',
      'DEFINITION_INVALID: Invalid definition "nics": 10001 network adapters; this host attaches at most 28',
    ]);
    expect((await host.list()).map((v) => v.name)).toEqual(['dup']);
    await host.close();
  });

  it('records why a system stopped when its process dies, and keeps working', async () => {
    const host = await open();
    const vm = await host.define(def('crash'));
    await host.change('crash', 'start').done;
    (host.driver as TestDriver).simulateCrash(vm.uuid, 'QEMU was killed by SIGKILL');
    expect(host.get('crash')).toMatchObject({ state: 'stopped', reason: 'QEMU was killed by SIGKILL' });
    expect(host.store.events({ uuid: vm.uuid }).at(-1)).toMatchObject({
      cause: 'process-exit',
      state: 'stopped',
    });
    expect(await host.change('crash', 'start').done).toMatchObject({ state: 'running' });
    await host.close();
  });

  it('keeps the inventory across a restart; the test driver runs nothing across it', async () => {
    const stateDir = join(root, 'restart');
    const a = await Host.open({ stateDir, driverUri: 'test:///default' });
    a.pools.add('test', images);
    await a.define(def('keep'));
    await a.define(def('run'));
    await a.change('run', 'start').done;
    await a.close();
    const b = await Host.open({ stateDir, driverUri: 'test:///default' });
    expect((await b.list()).map((v) => [v.name, v.state, v.reason])).toEqual([
      ['keep', 'stopped', 'defined'],
      ['run', 'stopped', 'the driver kept nothing running across the restart'],
    ]);
    expect(await b.change('run', 'start').done).toMatchObject({ state: 'running' });
    await b.close();
  });

  it('stops a paused system by powering it off, and undefines only stopped systems', async () => {
    const host = await open();
    await host.define(def('p'));
    await host.change('p', 'start').done;
    await host.change('p', 'pause').done;
    const undef = await host.undefine('p').catch((e: VesselError) => e.message);
    expect(undef).toBe('Cannot undefine "p": it is paused; stop it first');
    expect(await host.change('p', 'stop').done).toMatchObject({ state: 'stopped', reason: 'powered off' });
    await host.undefine('p');
    expect(await host.list()).toEqual([]);
    const states: HostVmState[] = [];
    host.subscribe((e) => states.push(e.state as HostVmState));
    await host.define(def('q'));
    expect(states).toEqual(['stopped']);
    await host.close();
  });
});
