import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition, type VirtualSystemDefinition } from '../model/index.js';
import {
  type DriverEvent,
  ensureTestGuest,
  type HypervisorDriver,
  HypervisorError,
  openDriver,
  requireOperation,
} from './index.js';

/**
 * The driver conformance suite: the same behaviour asked of every driver. It runs on test:/// always and on
 * qemu:/// with a real TCG guest (the "stay" guest, which runs a shell and powers off on the ACPI button). The
 * QEMU run boots the guest three times (start, reset, start again), about 25 s in all.
 */
interface Subject {
  uri: string;
  disk: string;
  /** Waits until the guest has printed its ready marker `count` times in all. */
  waitReady(d: HypervisorDriver, uuid: string, count: number): Promise<void>;
  guestTimeoutMs: number;
  cleanup?: () => void;
}

async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function failure(p: Promise<unknown> | (() => unknown)): Promise<HypervisorError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof HypervisorError) return e;
    throw e;
  }
  throw new Error('expected a HypervisorError');
}

function conformance(label: string, subject: () => Promise<Subject>) {
  describe(`driver conformance: ${label}`, () => {
    let s: Subject;
    let d: HypervisorDriver;
    let state: string;
    const events: DriverEvent[] = [];
    const def = (name: string, disk = s.disk): VirtualSystemDefinition =>
      buildDefinition({
        name,
        cpus: 1,
        memoryBytes: 128n << 20n,
        disks: [disk],
        nics: [{ network: 'user' }],
      });

    beforeAll(async () => {
      state = mkdtempSync(join(tmpdir(), 'vessel-conf-'));
      s = await subject();
      d = await openDriver(s.uri, { stateDir: state });
      d.subscribe((e) => events.push(e));
    });
    afterAll(async () => {
      await d?.close({ stopAll: true });
      rmSync(state, { recursive: true, force: true });
      if (s?.cleanup) s.cleanup();
    });

    it('defines with a new UUID, lists, and looks up by name and UUID', async () => {
      const info = await d.define(def('conf-a'));
      expect(info).toMatchObject({ name: 'conf-a', state: 'stopped' });
      expect(info.uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(d.lookup('conf-a')?.uuid).toBe(info.uuid);
      expect(d.lookup(info.uuid.toUpperCase())?.name).toBe('conf-a');
      expect(d.list().map((x) => x.name)).toContain('conf-a');
      expect(d.getDefinition(info.uuid).system.VirtualSystemIdentifier).toBe(info.uuid);
      expect((await d.info()).vmCount).toBe(d.list().length);
    });

    it('refuses a duplicate name, a missing disk, zero memory and unknown systems', async () => {
      expect((await failure(d.define(def('conf-a')))).code).toBe('VM_EXISTS');
      const missing = await failure(d.define(def('conf-m', join(state, 'nope.raw'))));
      expect([missing.code, missing.message]).toEqual([
        'FILE_NOT_FOUND',
        `Cannot define "conf-m": the image of drive "4" does not exist: ${join(state, 'nope.raw')}`,
      ]);
      const zero = buildDefinition({ name: 'conf-z', cpus: 1, memoryBytes: 0n });
      expect((await failure(d.define(zero))).code).toBe('DEFINITION_INVALID');
      expect((await failure(() => d.getState('no-such-vm'))).code).toBe('VM_NOT_FOUND');
      expect(d.lookup('conf-m')).toBeUndefined();
    });

    it('refuses operations that do not apply to a stopped system, saying why', async () => {
      const uuid = d.lookup('conf-a')!.uuid;
      for (const op of ['pause', 'resume', 'shutdown', 'reset'] as const) {
        const e = await failure(requireOperation(d, op)(uuid));
        expect(e.code).toBe('INVALID_STATE');
      }
      expect((await failure(requireOperation(d, 'pause')(uuid))).message).toBe(
        'Cannot pause "conf-a": it is stopped',
      );
    });

    it('runs the whole lifecycle with events, console and statistics', async () => {
      const uuid = d.lookup('conf-a')!.uuid;
      events.length = 0;
      await requireOperation(d, 'start')(uuid);
      expect(d.getState(uuid).state).toBe('running');
      expect((await failure(requireOperation(d, 'start')(uuid))).message).toBe(
        'Cannot start "conf-a": it is already running',
      );
      expect((await failure(requireOperation(d, 'undefine')(uuid))).message).toBe(
        'Cannot undefine "conf-a": it is running; stop it first',
      );
      await s.waitReady(d, uuid, 1);
      const stats = await requireOperation(d, 'stats')(uuid);
      expect(stats.memoryBytes).toBe(128n << 20n);
      expect(stats.cpuTimeNs).toBeGreaterThanOrEqual(0n);

      await requireOperation(d, 'pause')(uuid);
      expect(d.getState(uuid).state).toBe('paused');
      expect((await failure(requireOperation(d, 'pause')(uuid))).message).toBe(
        'Cannot pause "conf-a": it is already paused',
      );
      await requireOperation(d, 'resume')(uuid);
      expect(d.getState(uuid).state).toBe('running');

      await requireOperation(d, 'reset')(uuid);
      await s.waitReady(d, uuid, 2);
      await requireOperation(d, 'shutdown')(uuid);
      const stopped = await until(
        'the guest to power off',
        () => {
          const st = d.getState(uuid);
          return st.state === 'stopped' ? st : undefined;
        },
        s.guestTimeoutMs,
      );
      expect(stopped.reason).toMatch(/^guest powered off/);

      await requireOperation(d, 'start')(uuid);
      await requireOperation(d, 'powerOff')(uuid);
      expect(d.getState(uuid)).toMatchObject({ state: 'stopped', reason: 'powered off' });

      const states = events.filter((e) => e.kind === 'state').map((e) => [e.state, e.cause]);
      expect(states).toEqual([
        ['running', 'api'],
        ['paused', 'api'],
        ['running', 'api'],
        ['stopped', 'guest'],
        ['running', 'api'],
        ['stopped', 'api'],
      ]);
      expect(events.some((e) => e.kind === 'reset')).toBe(true);
    }, 120_000);

    it('modifies a stopped system, then undefines it', async () => {
      const uuid = d.lookup('conf-a')!.uuid;
      const next = d.getDefinition(uuid);
      next.system.Description = 'changed';
      await requireOperation(d, 'modify')(uuid, next);
      expect(d.getDefinition(uuid).system.Description).toBe('changed');
      await requireOperation(d, 'undefine')(uuid);
      expect(d.lookup(uuid)).toBeUndefined();
      expect((await failure(requireOperation(d, 'start')(uuid))).code).toBe('VM_NOT_FOUND');
    });
  });
}

conformance('test:///default', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-conf-disk-'));
  writeFileSync(join(dir, 'disk.raw'), '');
  return {
    uri: 'test:///default',
    disk: join(dir, 'disk.raw'),
    guestTimeoutMs: 1000,
    waitReady: async () => undefined,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

conformance('qemu:///embed (TCG, real guest)', async () => {
  const guest = await ensureTestGuest();
  return {
    uri: 'qemu:///embed?accel=tcg',
    disk: guest.stayDisk,
    guestTimeoutMs: 30_000,
    waitReady: async (d, uuid, count) => {
      const con = await requireOperation(d, 'console')(uuid);
      await until(
        `${guest.markers.ready} x${count}`,
        async () => (await con.readLog()).split(guest.markers.ready).length - 1 >= count || undefined,
        60_000,
      );
    },
  };
});
