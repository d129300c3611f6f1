import { chownSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import type { Api, ApiEvent } from '../../api/index.js';
import { ApiError } from '../../api/index.js';
import { Host, openSession } from '../../host/index.js';
import { buildDefinition } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { ensureTestGuest } from '../guest.js';
import { openDriver } from '../registry.js';
import type { DriverEvent } from '../types.js';
import type { LibvirtDriver } from './driver.js';

/** libvirt's test driver: its one default domain, with a fixed UUID, running after every daemon start. */
const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof Error)) throw new Error('expected a failure');
  return e;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000): Promise<number> {
  const start = Date.now();
  while (!(await ok())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

describe.skipIf(!HAVE_LIBVIRTD)('libvirt driver: libvirtd killed (-9) and restarted', () => {
  let d: PrivateLibvirtd;
  beforeAll(async () => {
    d = await startLibvirtd();
    await import('../index.js'); // registers the libvirt: scheme
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('fails the call in flight with LIBVIRT_DISCONNECTED, reconnects, registers events again, re-reads state', async () => {
    const driver = (await openDriver(`libvirt:test:///default?socket=${d.socket}`)) as LibvirtDriver;
    const events: DriverEvent[] = [];
    driver.subscribe((e) => events.push(e));
    try {
      await driver.pause!(TEST_UUID);
      expect(await driver.getState(TEST_UUID)).toMatchObject({ state: 'paused' });
      // A call in flight: the daemon is stopped so it cannot answer, then killed as in a crash.
      process.kill(d.pid, 'SIGSTOP');
      const inFlight = failure(driver.getState(TEST_UUID));
      await new Promise((r) => setTimeout(r, 50));
      await d.kill('SIGKILL');
      const e = await inFlight;
      expect(e).toBeInstanceOf(HypervisorError);
      expect((e as HypervisorError).code).toBe('LIBVIRT_DISCONNECTED');
      expect(e.message).toMatch(/while DOMAIN_(LOOKUP_BY_UUID|GET_STATE) \(serial \d+\) was in flight/);
      // While libvirtd is away every call fails at once, with the same code; the driver keeps trying.
      const t0 = Date.now();
      expect(((await failure(driver.list())) as HypervisorError).code).toBe('LIBVIRT_DISCONNECTED');
      expect(Date.now() - t0).toBeLessThan(5000); // not the 30 s of a call left waiting
      await until('two reconnect attempts', () => driver.connectionStatus().attempts >= 2);
      expect(driver.connectionStatus()).toMatchObject({ connected: false, reconnects: 0 });
      await d.restart();
      const back = await until('the reconnect', () => driver.connectionStatus().connected);
      expect(back).toBeLessThan(6000); // the backoff is capped at 5 s
      expect(driver.connectionStatus()).toMatchObject({ connected: true, reconnects: 1, attempts: 0 });
      // The new daemon's test driver runs its domain again: read again and announced as the host's doing.
      await until('the re-read state', () => events.some((x) => x.state === 'running'));
      expect(events.at(-1)).toMatchObject({
        uuid: TEST_UUID,
        kind: 'state',
        state: 'running',
        cause: 'host',
        reason: expect.stringMatching(/read again after reconnecting to libvirtd/),
      });
      expect(await driver.getState(TEST_UUID)).toMatchObject({ state: 'running' });
      // Events flow on the new connection: virsh's pause reaches the driver.
      await d.virsh(d.testUri, 'suspend', 'test');
      await until('the event of virsh suspend', () => events.at(-1)?.state === 'paused');
      expect(events.at(-1)).toMatchObject({ uuid: TEST_UUID, state: 'paused', cause: 'host' });
    } finally {
      await driver.close();
    }
    // Closed: it no longer reconnects.
    expect(driver.connectionStatus().connected).toBe(false);
  }, 60_000);

  it('the host survives a kill -9 during a state change and reports the right state afterwards', async () => {
    const state = mkdtempSync(join(tmpdir(), 'vessel-libvirt-reconnect-'));
    const host = await Host.open({
      stateDir: state,
      driverUri: `libvirt:test:///default?socket=${d.socket}`,
    });
    const api: Api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
    try {
      expect((await api.systems.list()).find((s) => s.name === 'test')).toMatchObject({ state: 'running' });
      process.kill(d.pid, 'SIGSTOP');
      const job = api.systems.changeState('test', 'pause', { waitMs: Number.POSITIVE_INFINITY });
      await new Promise((r) => setTimeout(r, 100));
      await d.kill('SIGKILL');
      const info = await job.catch((e: unknown) => e);
      const err = info instanceof ApiError ? info.toInfo() : (info as { error?: unknown }).error;
      expect(err).toMatchObject({ code: 'HYPERVISOR_FAILED', detail: { code: 'LIBVIRT_DISCONNECTED' } });
      // While libvirtd is down: a clear error, and the host still answers.
      const down = await failure(api.systems.list());
      expect(down).toBeInstanceOf(ApiError);
      expect((down as ApiError).toInfo()).toMatchObject({
        code: 'HYPERVISOR_FAILED',
        detail: { code: 'LIBVIRT_DISCONNECTED' },
      });
      expect((await api.jobs.list()).length).toBeGreaterThan(0);
      await d.restart();
      await until('the host lists again', () =>
        api.systems.list().then(
          () => true,
          () => false,
        ),
      );
      expect((await api.systems.list()).find((s) => s.name === 'test')).toMatchObject({ state: 'running' });
      const seen: ApiEvent[] = [];
      const sub = await api.events.subscribe({ types: ['system.state'] }, (e) => seen.push(e));
      await d.virsh(d.testUri, 'suspend', 'test');
      await until('the host hears virsh', () => seen.some((e) => e.type === 'system.state'));
      expect(seen.at(-1)).toMatchObject({ system: 'test', state: 'paused', cause: { kind: 'host' } });
      await sub.close();
      const resumed = await api.systems.changeState('test', 'resume', { waitMs: Number.POSITIVE_INFINITY });
      expect(resumed.state).toBe('completed');
      expect((await d.virsh(d.testUri, 'domstate', 'test')).trim()).toBe('running');
    } finally {
      await api.close();
      await host.close();
      rmSync(state, { recursive: true, force: true });
    }
  }, 60_000);

  // libvirtd reattaches to its running QEMU in a thread of its own after the restart; on a loaded machine that
  // reattachment can time out, and libvirtd then ends the guest itself ("domain is not running", seen in full runs).
  // Either way the driver must report what libvirtd decided: running and stoppable, or stopped by the host.
  it('a QEMU guest keeps running through a kill -9 of libvirtd (or is ended by libvirtd itself); after the restart the driver reports its true state', {
    timeout: 120_000,
  }, async () => {
    const guest = await ensureTestGuest();
    const dir = mkdtempSync(join(tmpdir(), 'vessel-libvirt-reconnect-qemu-'));
    const disk = join(dir, 'stay.raw');
    copyFileSync(guest.stayDisk, disk);
    const owner = statSync(d.dir);
    chownSync(dir, owner.uid, owner.gid);
    chownSync(disk, owner.uid, owner.gid);
    const driver = (await openDriver(`libvirt:qemu:///session?socket=${d.socket}`)) as LibvirtDriver;
    const qemuUri = `qemu+unix:///session?socket=${d.socket}`;
    const events: DriverEvent[] = [];
    driver.subscribe((e) => events.push(e));
    let uuid: string | undefined;
    try {
      const def = buildDefinition({
        name: 'rq1',
        cpus: 1,
        memoryBytes: 128n << 20n,
        disks: [disk],
        nics: [],
      });
      uuid = (await driver.define(def)).uuid;
      await driver.start!(uuid);
      expect(await driver.getState(uuid)).toMatchObject({ state: 'running' });
      await d.kill('SIGKILL');
      expect(((await failure(driver.getState(uuid))) as HypervisorError).code).toBe('LIBVIRT_DISCONNECTED');
      await d.restart();
      await until('the reconnect', () => driver.connectionStatus().connected, 20_000);
      // A monitor command waits for libvirtd's reattachment to finish: after it, libvirtd's answer is final.
      const kept = await d.virsh(qemuUri, 'qemu-monitor-command', 'rq1', '{"execute":"query-status"}').then(
        () => true,
        () => false,
      );
      const domstate = (await d.virsh(qemuUri, 'domstate', 'rq1')).trim();
      expect(domstate, d.log().slice(-2000)).toBe(kept ? 'running' : 'shut off');
      if (kept) {
        // libvirtd found its QEMU again: the guest never stopped, so there is no state change to announce.
        expect(await driver.getState(uuid)).toMatchObject({ state: 'running' });
        expect(events.filter((e) => e.uuid === uuid).map((e) => e.state)).toEqual(['running']);
        await driver.powerOff!(uuid);
        await until('the stop event', () => events.at(-1)?.state === 'stopped');
        expect(events.at(-1)).toMatchObject({ uuid, state: 'stopped', cause: 'api' });
      } else {
        // libvirtd ended it: the driver says so, as the host's doing.
        await until('the stop event', () => events.at(-1)?.state === 'stopped');
        expect(events.at(-1)).toMatchObject({ uuid, state: 'stopped', cause: 'host' });
        expect(await driver.getState(uuid)).toMatchObject({ state: 'stopped' });
      }
      await driver.undefine!(uuid);
      uuid = undefined;
    } finally {
      // A failed attempt leaves nothing behind for the retry: the guest is stopped and its domain undefined.
      if (uuid && driver.connectionStatus().connected) {
        const id = uuid;
        await driver.powerOff!(id).catch(() => undefined);
        await driver.undefine!(id).catch(() => undefined);
      }
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
