import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './throttle.js';

describe('LoginThrottle', () => {
  it('doubles the delay of each failure in a row from one peer, up to the cap, and a success resets it', async () => {
    const t = new LoginThrottle(1, 8);
    expect(t.delayFor('a')).toBe(1);
    for (let i = 0; i < 5; i++) await t.failed('a');
    expect(t.delayFor('a')).toBe(8);
    expect(t.delayFor('b')).toBe(1);
    t.succeeded('a');
    expect(t.delayFor('a')).toBe(1);
  });

  it('makes a failing peer wait', async () => {
    const t = new LoginThrottle(30, 1000);
    await t.failed('p');
    const t0 = Date.now();
    await t.failed('p');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });
});
