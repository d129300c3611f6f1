import { expect } from 'vitest';
import { requireOperation } from '../../operations.js';
import type { DriverEvent, DriverOperation } from '../../types.js';
import type { DriverCase } from '../types.case.test.js';
import { cleanup, failure, guestDef, until } from './helpers.case.test.js';

const LIFECYCLE: readonly DriverOperation[] = ['start', 'shutdown', 'powerOff', 'pause', 'resume', 'reset'];

/** State changes: refusals that say why, the whole lifecycle with its events, and the console of a stopped system. */
export const lifecycleCases: DriverCase[] = [
  {
    id: 'transitions.stopped',
    title: 'refuses operations that do not apply to a stopped system, saying why',
    requires: (_caps, entry) =>
      ['pause', 'resume', 'shutdown', 'reset'].some((op) => entry.includes(op as DriverOperation)),
    needs: 'one of pause, resume, shutdown, reset',
    async run(t) {
      const d = t.driver;
      const { uuid } = await d.define(guestDef(t, 'conf-t'));
      for (const op of ['pause', 'resume', 'shutdown', 'reset'] as const) {
        if (d[op] === undefined) continue;
        const e = await failure(requireOperation(d, op)(uuid));
        expect([op, e.code]).toEqual([op, 'INVALID_STATE']);
      }
      if (d.pause)
        expect((await failure(d.pause(uuid))).message).toBe('Cannot pause "conf-t": it is stopped');
      await cleanup(t, uuid);
    },
  },
  {
    id: 'lifecycle.events',
    title: 'runs the whole lifecycle with events, console and statistics',
    requires: (caps, entry) =>
      LIFECYCLE.every((op) => entry.includes(op)) &&
      ['start', 'shutdown', 'powerOff', 'pause', 'resume', 'reset'].every((op) =>
        (caps.operations as readonly string[]).includes(op),
      ),
    needs: 'start, shutdown, power off, pause, resume and reset',
    timeoutMs: 180_000,
    async run(t) {
      const d = t.driver;
      const events: DriverEvent[] = [];
      const off = d.subscribe((e) => events.push(e));
      const { uuid } = await d.define(guestDef(t, 'conf-l'));
      try {
        await requireOperation(d, 'start')(uuid);
        expect((await d.getState(uuid)).state).toBe('running');
        expect((await failure(requireOperation(d, 'start')(uuid))).message).toBe(
          'Cannot start "conf-l": it is already running',
        );
        if (d.undefine)
          expect((await failure(d.undefine(uuid))).message).toBe(
            'Cannot undefine "conf-l": it is running; stop it first',
          );
        await t.options.guest.waitReady(d, uuid, 1);
        if (d.stats) {
          const stats = await d.stats(uuid);
          expect(stats.memoryBytes).toBe(128n << 20n);
          expect(stats.cpuTimeNs).toBeGreaterThanOrEqual(0n);
        }
        await requireOperation(d, 'pause')(uuid);
        expect((await d.getState(uuid)).state).toBe('paused');
        expect((await failure(requireOperation(d, 'pause')(uuid))).message).toBe(
          'Cannot pause "conf-l": it is already paused',
        );
        await requireOperation(d, 'resume')(uuid);
        expect((await d.getState(uuid)).state).toBe('running');
        await requireOperation(d, 'reset')(uuid);
        await t.options.guest.waitReady(d, uuid, 2);
        await requireOperation(d, 'shutdown')(uuid);
        const stopped = await until(
          'the guest to power off',
          async () => {
            const st = await d.getState(uuid);
            return st.state === 'stopped' ? st : undefined;
          },
          t.options.guest.shutdownTimeoutMs,
        );
        expect(stopped.reason).toMatch(/^guest powered off/);
        await requireOperation(d, 'start')(uuid);
        await requireOperation(d, 'powerOff')(uuid);
        expect(await d.getState(uuid)).toMatchObject({ state: 'stopped', reason: 'powered off' });
        const states = events
          .filter((e) => e.uuid === uuid && e.kind === 'state')
          .map((e) => [e.state, e.cause]);
        expect(states).toEqual([
          ['running', 'api'],
          ['paused', 'api'],
          ['running', 'api'],
          ['stopped', 'guest'],
          ['running', 'api'],
          ['stopped', 'api'],
        ]);
        expect(events.some((e) => e.uuid === uuid && e.kind === 'reset')).toBe(true);
      } finally {
        off();
        await cleanup(t, uuid);
      }
    },
  },
  {
    id: 'console.stopped',
    title: 'reads the console log of a system that never ran, and refuses to attach to it',
    requires: (_caps, entry) => entry.includes('console'),
    needs: 'the console entry point',
    async run(t) {
      const d = t.driver;
      const { uuid } = await d.define(guestDef(t, 'conf-c'));
      const con = await requireOperation(d, 'console')(uuid);
      expect(await con.readLog()).toBe('');
      if (con.attach) {
        const e = await failure(con.attach());
        expect([e.code, e.message]).toEqual([
          'INVALID_STATE',
          'Cannot attach to the console of "conf-c": it is stopped',
        ]);
      }
      expect((await failure(requireOperation(d, 'console')('no-such-vm'))).code).toBe('VM_NOT_FOUND');
      await cleanup(t, uuid);
    },
  },
  {
    id: 'console.screenshot',
    title: "takes a PNG of a running system's display; refuses a stopped one, saying why",
    requires: (_caps, entry) =>
      ['screenshot', 'start', 'powerOff'].every((op) => entry.includes(op as DriverOperation)),
    needs: 'the screenshot, start and power-off entry points',
    timeoutMs: 120_000,
    async run(t) {
      const d = t.driver;
      const { uuid } = await d.define(guestDef(t, 'conf-s', t.options.guest.disk, 'vga'));
      try {
        const shot = requireOperation(d, 'screenshot');
        expect((await failure(shot(uuid))).message).toBe(
          'Cannot take a screenshot of "conf-s": it is stopped',
        );
        await requireOperation(d, 'start')(uuid);
        const png = Buffer.from(await shot(uuid));
        expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        expect(png.toString('latin1', 12, 16)).toBe('IHDR');
        expect(png.readUInt32BE(16) * png.readUInt32BE(20)).toBeGreaterThan(0);
        await requireOperation(d, 'powerOff')(uuid);
        expect((await failure(shot(uuid))).code).toBe('INVALID_STATE');
      } finally {
        await cleanup(t, uuid);
      }
    },
  },
];
