import { expect } from 'vitest';
import { requireOperation } from '../../operations.js';
import type { DriverCase } from '../types.case.test.js';
import { guestDef } from './helpers.case.test.js';

/** A running system outlives its driver, and the next driver on the same state adopts it. */
export const adoptCases: DriverCase[] = [
  {
    id: 'adopt.after-close',
    title: 'a system keeps running when its driver closes, and a new driver adopts it',
    requires: (caps, entry) => caps.features.adoption && entry.includes('adopt') && entry.includes('start'),
    needs: 'adoption of running systems by a new driver',
    timeoutMs: 120_000,
    async run(t) {
      const first = await t.open();
      const { uuid } = await first.define(guestDef(t, 'conf-adopt'));
      const def = await first.getDefinition(uuid);
      await requireOperation(first, 'start')(uuid);
      await t.options.guest.waitReady(first, uuid, 1);
      await first.close(); // without stopAll: the system keeps running
      const next = await t.open();
      await next.define(def); // what a host whose store is the master does at start
      const adopted = await requireOperation(next, 'adopt')(uuid);
      expect(adopted).toMatchObject({ uuid, state: 'running' });
      expect(adopted.reason).toMatch(/adopted/);
      await requireOperation(next, 'powerOff')(uuid);
      expect((await next.getState(uuid)).state).toBe('stopped');
      await requireOperation(next, 'undefine')(uuid);
    },
  },
];
