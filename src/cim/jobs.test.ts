import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../api/index.js';
import { jobInstance } from './jobs.js';

const job = (deleteOnCompletion: boolean): JobInfo => ({
  id: 'j1',
  operation: 'start',
  owner: 'alice',
  state: 'completed',
  percent: 100,
  createdAt: '2026-12-02T10:00:00.000Z',
  startedAt: '2026-12-02T10:00:01.000Z',
  finishedAt: '2026-12-02T10:00:03.000Z',
  deleteOnCompletion,
});

describe('jobInstance() TimeBeforeRemoval (CIM_Job.mof, CIM_ConcreteJob.mof)', () => {
  it('is the largest interval for a job kept until DeleteInstance, the class default of 5 minutes otherwise', () => {
    expect(jobInstance(job(false)).properties.TimeBeforeRemoval).toBe('99999999235959.999999:000');
    expect(jobInstance(job(true)).properties.TimeBeforeRemoval).toBe('00000000000500.000000:000');
    expect(
      jobInstance({ ...job(false), keepUntil: '2026-12-02T10:01:03.000Z' }).properties.TimeBeforeRemoval,
    ).toBe('00000000000100.000000:000');
  });
});
