import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/index.js';
import { HostJobs } from './jobs.js';
import { type HostEvent, Store } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runner() {
  const store = new Store(join(dir, `${Math.random().toString(16).slice(2)}.db`));
  const recorded: { kind: string; percent: number; state: string }[] = [];
  const jobs = new HostJobs(store, (kind, job) => {
    recorded.push({ kind, percent: job.percent, state: job.state });
    return {} as HostEvent;
  });
  return { store, jobs, recorded };
}

const spec = { kind: 'vm.test', operation: 'modify' as const, owner: 'alice' };

describe('HostJobs', () => {
  it('keeps progress rising, tells waiters and records one event per change', async () => {
    const { store, jobs, recorded } = runner();
    let go!: () => void;
    const gate = new Promise<void>((r) => {
      go = r;
    });
    const { job, done } = jobs.run(spec, async (c) => {
      c.progress(40, 'disk 1 of 2');
      c.progress(20); // lower: ignored
      c.progress(40); // same: no event
      await gate;
      c.progress(80, 'disk 2 of 2');
      return 'ok';
    });
    expect(jobs.get(job.id)).toMatchObject({ state: 'running', percent: 40, phase: 'disk 1 of 2' });
    const timedOut = await jobs.wait(job.id, 10);
    expect(timedOut.state).toBe('running');
    const seen: number[] = [];
    const waiting = jobs.wait(job.id, Number.POSITIVE_INFINITY, (p) => seen.push(p.percent));
    go();
    expect(await done).toBe('ok');
    expect(await waiting).toMatchObject({ state: 'completed', percent: 100, result: 'ok' });
    expect(seen).toEqual([80]);
    expect(recorded.map((r) => `${r.kind} ${r.percent} ${r.state}`)).toEqual([
      'job.progress 40 running',
      'job.progress 80 running',
      'job.finished 100 completed',
    ]);
    store.close();
  });

  it('cancels through the signal; a job that ignores it completes; ended jobs stay as they are', async () => {
    const { store, jobs } = runner();
    const a = jobs.run(
      spec,
      (c) => new Promise((_, reject) => c.signal.addEventListener('abort', () => reject(c.signal.reason))),
    );
    expect(() => jobs.delete(a.job.id)).toThrow(/it is running/);
    jobs.cancel(a.job.id, 'enough');
    await expect(a.done).rejects.toThrow('enough');
    expect(jobs.get(a.job.id)).toMatchObject({
      state: 'cancelled',
      error: { code: 'CANCELLED', message: 'enough' },
    });
    const b = jobs.run(spec, async () => 'done anyway');
    jobs.cancel(b.job.id);
    await b.done;
    expect(jobs.cancel(b.job.id).state).toBe('completed');
    const c = jobs.run(spec, async () => {
      throw new ApiError('TIMEOUT', 'too slow');
    });
    await expect(c.done).rejects.toThrow('too slow');
    expect(jobs.get(c.job.id)).toMatchObject({ state: 'failed', error: { code: 'TIMEOUT' } });
    jobs.delete(c.job.id);
    expect(() => jobs.get(c.job.id)).toThrow(/No job/);
    store.close();
  });
});
