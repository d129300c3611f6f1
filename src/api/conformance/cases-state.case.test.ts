import assert from 'node:assert/strict';
import { ALLOWED_FROM, ENDS_IN, type StateOperation, transitionRefusal } from '../operations.js';
import type { SystemState } from '../state.js';
import { change, define, expectRefusal, smallDefinition, UNTIL_DONE } from './helpers.case.test.js';
import type { ApiCase, CaseContext } from './types.case.test.js';

/** Cases of state changes: every supported operation, the refusals and their messages, shutdown timeouts. */

/** A path through the states that asks every operation; a group runs when the host supports all of it. */
const TOUR: readonly (readonly StateOperation[])[] = [
  ['start'],
  ['pause', 'resume'],
  ['reset'],
  ['reboot'],
  ['suspend', 'resume'],
  ['pause', 'powerOff'],
  ['start'],
  ['shutdown'],
  ['start', 'powerOff'],
];

async function refusalsIn(ctx: CaseContext, ref: string, state: SystemState): Promise<void> {
  const { api, caps } = ctx;
  for (const op of caps.operations) {
    if (ALLOWED_FROM[op].includes(state)) continue;
    const expected = transitionRefusal(ref, state, op);
    await expectRefusal(api, api.systems.changeState(ref, op, UNTIL_DONE), 'INVALID_STATE', expected);
  }
}

/** The cases of state changes. */
export const STATE_CASES: readonly ApiCase[] = [
  {
    id: 'state.operations',
    title: 'every supported operation ends in its state and is recorded as the requested one',
    async run({ api, caps, name }) {
      const n = name('ops');
      await define(api, smallDefinition(n));
      let state: SystemState = 'stopped';
      const asked = new Set<StateOperation>();
      for (const group of TOUR) {
        if (!group.every((op) => caps.operations.includes(op)) || !ALLOWED_FROM[group[0]!].includes(state))
          continue;
        for (const op of group) {
          const s = await change(api, n, op);
          assert.equal(s.state, ENDS_IN[op], `${op} ends ${ENDS_IN[op]}`);
          const now = await api.systems.get(n);
          assert.equal(now.state, ENDS_IN[op]);
          assert.equal(now.requested, op, `requested after ${op}`);
          assert.ok(now.reason.text.length > 0);
          state = now.state;
          asked.add(op);
        }
      }
      assert.deepEqual(
        [...caps.operations].filter((op) => !asked.has(op)),
        [],
        'every supported operation was asked',
      );
      for (const op of ['suspend'] as const) {
        if (caps.operations.includes(op)) continue;
        await expectRefusal(api, api.systems.changeState(n, op, UNTIL_DONE), 'NOT_SUPPORTED');
      }
    },
  },
  {
    id: 'state.refusals',
    title: 'operations the state does not allow are INVALID_STATE with the message users see',
    async run(ctx) {
      const { api, caps, name } = ctx;
      const n = name('refuse');
      await define(api, smallDefinition(n));
      await refusalsIn(ctx, n, 'stopped');
      await change(api, n, 'start');
      await refusalsIn(ctx, n, 'running');
      await expectRefusal(
        api,
        api.systems.undefine(n, UNTIL_DONE),
        'INVALID_STATE',
        transitionRefusal(n, 'running', 'undefine'),
      );
      if (caps.operations.includes('pause')) {
        await change(api, n, 'pause');
        await refusalsIn(ctx, n, 'paused');
      }
      await change(api, n, 'powerOff');
    },
  },
  {
    id: 'state.shutdown-timeout',
    title: 'a shutdown the guest ignores fails with TIMEOUT, or powers off when forced, saying so',
    needs: 'guestIgnoringShutdown',
    async run({ api, fixtures, name }) {
      const n = name('deaf');
      await define(api, fixtures.guestIgnoringShutdown!(smallDefinition(n)));
      await change(api, n, 'start');
      const soft = await api.systems.changeState(n, 'shutdown', {
        ...UNTIL_DONE,
        timeoutMs: 200,
        forceAfterTimeout: false,
      });
      assert.equal(soft.state, 'failed');
      assert.equal(soft.error?.code, 'TIMEOUT');
      assert.equal((await api.systems.get(n)).state, 'running');
      const forced = await api.systems.changeState(n, 'shutdown', { ...UNTIL_DONE, timeoutMs: 200 });
      assert.equal(forced.state, 'completed', forced.error?.message);
      const after = await api.systems.get(n);
      assert.equal(after.state, 'stopped');
      assert.equal(after.reason.code, 'forced-after-timeout');
    },
  },
];
