import { describe, expect, it } from 'vitest';
import { RestError } from './errors.js';
import { EventStreams } from './event-streams.js';

function refusal(fn: () => unknown): RestError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RestError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('EventStreams', () => {
  it('bounds streams per user (429) and in total (503), and frees a slot once', () => {
    const s = new EventStreams({ maxPerUser: 2, maxTotal: 3 });
    const a1 = s.admit('alice');
    s.admit('alice');
    expect(refusal(() => s.admit('alice')).code).toBe('REST_TOO_MANY_STREAMS');
    expect(refusal(() => s.admit('alice')).httpStatus).toBe(429);
    s.admit('bob');
    const full = refusal(() => s.admit('carol'));
    expect([full.code, full.httpStatus]).toEqual(['REST_BUSY', 503]);
    a1.release();
    a1.release(); // twice is once
    expect(s.size).toBe(2);
    s.admit('carol');
    expect(refusal(() => s.admit('alice')).code).toBe('REST_BUSY');
  });

  it('stops every stream once, and admits none after', () => {
    const s = new EventStreams();
    const stopped: string[] = [];
    for (const u of ['a', 'b']) {
      const slot = s.admit(u);
      slot.onStop(() => {
        stopped.push(u);
        slot.release();
      });
    }
    s.stopAll();
    expect(stopped).toEqual(['a', 'b']);
    expect(s.size).toBe(0);
    expect(refusal(() => s.admit('a')).code).toBe('REST_BUSY');
  });
});
