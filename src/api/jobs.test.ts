import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { AnyJobInfoSchema, isFinalJobState, type JobInfo, JobQuerySchema, resultOf } from './jobs.js';

const base: JobInfo<string> = {
  id: 'j1',
  operation: 'define',
  owner: 'local',
  state: 'completed',
  percent: 100,
  createdAt: '2026-12-02T13:42:00.000Z',
  deleteOnCompletion: false,
  result: 'ok',
};

describe('resultOf()', () => {
  it("answers a completed job's result", () => {
    expect(resultOf(base)).toBe('ok');
  });

  it("throws a failed job's error as the ApiError it was", () => {
    const job = {
      ...base,
      state: 'failed' as const,
      error: { code: 'VM_EXISTS' as const, message: 'taken' },
    };
    expect(() => resultOf(job)).toThrow(ApiError);
    expect(() => resultOf(job)).toThrow(expect.objectContaining({ code: 'VM_EXISTS', message: 'taken' }));
  });

  it('throws CANCELLED for a cancelled job without an error, INVALID_STATE for one still running', () => {
    expect(() => resultOf({ ...base, state: 'cancelled' })).toThrow(
      expect.objectContaining({ code: 'CANCELLED' }),
    );
    expect(() => resultOf({ ...base, state: 'running' })).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
    expect(() => resultOf({ ...base, state: 'queued' })).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });
});

describe('job schemas', () => {
  it('accept a job as JSON carries it and refuse malformed ones', () => {
    expect(Value.Check(AnyJobInfoSchema, JSON.parse(JSON.stringify(base)))).toBe(true);
    expect(Value.Check(AnyJobInfoSchema, { ...base, state: 'done' })).toBe(false);
    expect(Value.Check(AnyJobInfoSchema, { ...base, percent: 101 })).toBe(false);
    expect(Value.Check(AnyJobInfoSchema, { ...base, operation: 'format-disk' })).toBe(false);
    expect(Value.Check(AnyJobInfoSchema, { ...base, createdAt: 'now' })).toBe(false);
    expect(Value.Check(AnyJobInfoSchema, { ...base, id: '../etc' })).toBe(false);
  });

  it('bound job queries', () => {
    expect(Value.Check(JobQuerySchema, { states: ['running'], limit: 10 })).toBe(true);
    expect(Value.Check(JobQuerySchema, { limit: 0 })).toBe(false);
    expect(Value.Check(JobQuerySchema, { limit: 1e9 })).toBe(false);
    expect(Value.Check(JobQuerySchema, { sort: 'id' })).toBe(false);
  });

  it('know which states are final', () => {
    expect(
      ['queued', 'running', 'completed', 'failed', 'cancelled'].map((s) => isFinalJobState(s as never)),
    ).toEqual([false, false, true, true, true]);
  });
});
