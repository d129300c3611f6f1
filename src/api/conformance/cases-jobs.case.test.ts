import assert from 'node:assert/strict';
import type { ApiEvent } from '../events.js';
import { isFinalJobState, resultOf } from '../jobs.js';
import { change, define, expectRefusal, smallDefinition, UNTIL_DONE, until } from './helpers.case.test.js';
import type { ApiCase } from './types.case.test.js';

/** Cases of jobs and events: waiting, progress, cancel, supersede, numbered events replayed without a gap. */

/** The cases of jobs and events. */
export const JOB_CASES: readonly ApiCase[] = [
  {
    id: 'jobs.wait',
    title: 'a job returned at once can be waited for, read and listed; progress only rises',
    async run({ api, name }) {
      const n = name('wait');
      const job = await api.systems.define(smallDefinition(n), { waitMs: 0 });
      assert.equal(job.operation, 'define');
      assert.ok(job.percent >= 0 && job.percent <= 100);
      const seen: number[] = [job.percent];
      const done = (await api.jobs.wait(job.id, { onProgress: (p) => seen.push(p.percent) })) as typeof job;
      assert.equal(done.state, 'completed', done.error?.message);
      assert.equal(done.percent, 100);
      seen.push(done.percent);
      for (let i = 1; i < seen.length; i++)
        assert.ok(seen[i]! >= seen[i - 1]!, `progress fell: ${seen.join(', ')}`);
      assert.equal(resultOf(done).name, n);
      const again = await api.jobs.get(job.id);
      assert.equal(again.state, 'completed');
      assert.deepEqual(again.result, done.result);
      assert.ok((await api.jobs.list()).some((j) => j.id === job.id));
      assert.ok((await api.jobs.list({ states: ['completed'] })).every((j) => j.state === 'completed'));
      const finished = await api.systems.changeState(done.result!.uuid, 'start', UNTIL_DONE);
      assert.ok(isFinalJobState(finished.state), 'waitMs Infinity answers a job that has ended');
    },
  },
  {
    id: 'jobs.cancel',
    title: 'a running job can be cancelled; finished jobs are answered as they are and can be deleted',
    needs: 'guestIgnoringShutdown',
    async run({ api, fixtures, name }) {
      const n = name('cancel');
      const defined = await api.systems.define(
        fixtures.guestIgnoringShutdown!(smallDefinition(n)),
        UNTIL_DONE,
      );
      await change(api, n, 'start');
      const pending = await api.systems.changeState(n, 'shutdown', {
        waitMs: 0,
        timeoutMs: 600_000,
        forceAfterTimeout: false,
      });
      assert.ok(!isFinalJobState(pending.state), `the shutdown is pending, not ${pending.state}`);
      await expectRefusal(api, api.jobs.delete(pending.id), 'INVALID_STATE');
      await api.jobs.cancel(pending.id);
      const cancelled = await api.jobs.wait(pending.id);
      assert.equal(cancelled.state, 'cancelled');
      assert.equal(cancelled.error?.code, 'CANCELLED');
      assert.equal(
        (await api.systems.get(n)).state,
        'running',
        'a cancelled shutdown leaves the system running',
      );
      const unchanged = await api.jobs.cancel(defined.id);
      assert.equal(unchanged.state, 'completed', 'cancelling a finished job changes nothing');
      await api.jobs.delete(pending.id);
      await expectRefusal(api, api.jobs.get(pending.id), 'NOT_FOUND');
      await expectRefusal(api, api.jobs.cancel('no-such-job'), 'NOT_FOUND');
      await change(api, n, 'powerOff');
    },
  },
  {
    id: 'jobs.supersede',
    title: 'a power-off ends a pending shutdown, whose job is then cancelled',
    needs: 'guestIgnoringShutdown',
    async run({ api, fixtures, name }) {
      const n = name('supersede');
      await define(api, fixtures.guestIgnoringShutdown!(smallDefinition(n)));
      await change(api, n, 'start');
      const pending = await api.systems.changeState(n, 'shutdown', {
        waitMs: 0,
        timeoutMs: 600_000,
        forceAfterTimeout: false,
      });
      const off = await change(api, n, 'powerOff');
      assert.equal(off.state, 'stopped');
      assert.equal((await api.systems.get(n)).reason.code, 'powered-off');
      const superseded = await api.jobs.wait(pending.id);
      assert.equal(superseded.state, 'cancelled');
    },
  },
  {
    id: 'events.replay',
    title: 'events are numbered, name the job that caused them, and replay after a seq without gap or repeat',
    requires: (caps) => caps.features.events,
    probe: (api) => api.events.list({ limit: 1 }),
    async run({ api, name }) {
      const n = name('events');
      const last = (await api.events.list()).at(-1)?.seq ?? 0;
      const live: ApiEvent[] = [];
      const sub = await api.events.subscribe({ after: last }, (e) => live.push(e));
      const s = await define(api, smallDefinition(n));
      const start = await api.systems.changeState(n, 'start', UNTIL_DONE);
      await change(api, n, 'powerOff');
      const mine = () => live.filter((e) => 'uuid' in e && e.uuid === s.uuid);
      await until('the stopped event', () =>
        mine().find((e) => e.type === 'system.state' && e.state === 'stopped'),
      );
      for (let i = 1; i < live.length; i++) assert.ok(live[i]!.seq > live[i - 1]!.seq, 'seq rises');
      assert.ok(mine().some((e) => e.type === 'system.defined'));
      const running = mine().find((e) => e.type === 'system.state' && e.state === 'running');
      assert.ok(
        running?.type === 'system.state' && running.cause.kind === 'api' && running.cause.job === start.id,
      );
      const listed = await api.events.list({ after: last });
      assert.deepEqual(
        listed.map((e) => e.seq).slice(0, live.length),
        live.map((e) => e.seq),
        'list and subscribe agree',
      );
      await sub.close();
      await sub.ended;
      const first = live[0]!.seq;
      const replayed: ApiEvent[] = [];
      const again = await api.events.subscribe({ after: first }, (e) => replayed.push(e));
      const lastSeq = live.at(-1)!.seq;
      await until('the replay', () => (replayed.some((e) => e.seq === lastSeq) ? true : undefined));
      assert.deepEqual(
        replayed.slice(0, live.length - 1).map((e) => e.seq),
        live.slice(1).map((e) => e.seq),
      );
      await again.close();
    },
  },
];
