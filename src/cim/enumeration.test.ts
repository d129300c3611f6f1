import { afterEach, describe, expect, it, vi } from 'vitest';
import { EnumerationContexts } from './enumeration.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('EnumerationContexts (pull operations)', () => {
  it('hands out the items once, in order, and ends the context with the last piece', () => {
    const e = new EnumerationContexts<number>();
    const first = e.open('instances', 'root/x', 'u', [1, 2, 3, 4, 5], {
      maxObjectCount: 2,
      timeoutMs: 60_000,
    });
    expect(first).toMatchObject({ items: [1, 2], endOfSequence: false });
    expect(e.pull(first.context, 'instances', 'ROOT/X', 'u', 2)).toMatchObject({
      items: [3, 4],
      endOfSequence: false,
    });
    expect(e.pull(first.context, 'instances', 'root/x', 'u', 9)).toEqual({
      items: [5],
      endOfSequence: true,
      context: '',
    });
    expect(() => e.pull(first.context, 'instances', 'root/x', 'u', 1)).toThrow(/not valid/);
    expect(e.size).toBe(0);
  });

  it('answers an Open whose result fits at once without keeping a context', () => {
    const e = new EnumerationContexts<number>();
    expect(e.open('paths', 'ns', 'u', [1], { maxObjectCount: 5, timeoutMs: 1000 })).toEqual({
      items: [1],
      endOfSequence: true,
      context: '',
    });
    expect(e.size).toBe(0);
  });

  it('refuses another user, another namespace, another kind, and a context that expired', () => {
    vi.useFakeTimers();
    const e = new EnumerationContexts<number>();
    const o = e.open('instances', 'ns', 'u', [1, 2, 3], { maxObjectCount: 1, timeoutMs: 1000 });
    expect(() => e.pull(o.context, 'instances', 'ns', 'other', 1)).toThrow(
      expect.objectContaining({ code: 'CIM_ERR_INVALID_ENUMERATION_CONTEXT' }),
    );
    expect(() => e.pull(o.context, 'instances', 'ns2', 'u', 1)).toThrow(
      expect.objectContaining({ code: 'CIM_ERR_INVALID_ENUMERATION_CONTEXT' }),
    );
    expect(() => e.pull(o.context, 'paths', 'ns', 'u', 1)).toThrow(
      expect.objectContaining({ code: 'CIM_ERR_INVALID_ENUMERATION_CONTEXT' }),
    );
    vi.advanceTimersByTime(1500);
    expect(() => e.pull(o.context, 'instances', 'ns', 'u', 1)).toThrow(/expired/);
  });

  it('limits timeouts, counts and the number of open enumerations', () => {
    const e = new EnumerationContexts<number>({ maxOpen: 2, maxTimeoutS: 10, maxObjectCount: 3 });
    expect(() => e.timeoutMs(0)).toThrow(
      expect.objectContaining({ code: 'CIM_ERR_INVALID_OPERATION_TIMEOUT' }),
    );
    expect(() => e.timeoutMs(11)).toThrow(
      expect.objectContaining({ code: 'CIM_ERR_INVALID_OPERATION_TIMEOUT' }),
    );
    expect(e.maxCount(100, true)).toBe(3);
    expect(() => e.maxCount(undefined, true)).toThrow(
      expect.objectContaining({ code: 'CIM_ERR_INVALID_PARAMETER' }),
    );
    for (let i = 0; i < 2; i++) e.open('i', 'ns', 'u', [1, 2], { maxObjectCount: 1, timeoutMs: 1000 });
    expect(() => e.open('i', 'ns', 'u', [1, 2], { maxObjectCount: 1, timeoutMs: 1000 })).toThrow(
      expect.objectContaining({ code: 'CIM_ERR_SERVER_LIMITS_EXCEEDED' }),
    );
  });

  it('keeps one user from holding every context: others can still open theirs', () => {
    const e = new EnumerationContexts<number>({ maxOpen: 10, maxOpenPerUser: 3 });
    const open = (user: string) => () =>
      e.open('i', 'ns', user, [1, 2], { maxObjectCount: 1, timeoutMs: 60_000 });
    for (let i = 0; i < 3; i++) open('rita')();
    expect(open('rita')).toThrow(/User "rita" already has 3 enumerations open/);
    expect(open('alice')().context).not.toBe('');
    const first = open('bob')();
    expect(e.pull(first.context, 'i', 'ns', 'bob', 5).endOfSequence).toBe(true);
  });
});
