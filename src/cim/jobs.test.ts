import { describe, expect, it, vi } from 'vitest';
import { CimError } from './errors.js';
import { JobState, JobStore } from './jobs.js';

const spec = { name: 'x', method: 'M', owner: 'u', affected: [] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('JobStore', () => {
  it('returns a result that comes within the sync window, and a running job for one that does not', async () => {
    const jobs = new JobStore();
    expect(await jobs.run(spec, 1000, async () => 42)).toEqual({ done: true, value: 42 });
    const slow = await jobs.run(spec, 5, async () => sleep(40));
    expect(slow.done).toBe(false);
    if (slow.done) return;
    expect(jobs.get(slow.job.id)?.state).toBe(JobState.Running);
    await sleep(60);
    expect(jobs.get(slow.job.id)).toMatchObject({ state: JobState.Completed });
  });

  it('throws an error that comes within the window; a job that fails records the CIM status and message', async () => {
    const jobs = new JobStore(60_000, 10, (e) =>
      e instanceof CimError ? e : new CimError('CIM_ERR_NOT_FOUND', String(e)),
    );
    await expect(
      jobs.run(spec, 1000, async () => Promise.reject(new CimError('CIM_ERR_FAILED', 'boom'))),
    ).rejects.toThrow('boom');
    const r = await jobs.run(spec, -1, async () => {
      await sleep(5);
      throw new Error('gone');
    });
    if (r.done) throw new Error('expected a job');
    await sleep(20);
    expect(jobs.get(r.job.id)).toMatchObject({
      state: JobState.Exception,
      error: { status: 'CIM_ERR_NOT_FOUND', message: 'Error: gone' },
    });
  });

  it('forgets finished jobs after keepMs and refuses more than max jobs', async () => {
    vi.useFakeTimers();
    try {
      const jobs = new JobStore(1000, 2);
      const a = jobs.create(spec);
      jobs.create(spec);
      expect(() => jobs.create(spec)).toThrow(
        expect.objectContaining({ code: 'CIM_ERR_SERVER_LIMITS_EXCEEDED' }),
      );
      jobs.finish(a.id);
      vi.advanceTimersByTime(1500);
      expect(jobs.get(a.id)).toBeUndefined();
      expect(jobs.list()).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
