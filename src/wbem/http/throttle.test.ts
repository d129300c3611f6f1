import { describe, expect, it } from 'vitest';
import { type LoginAdmission, LoginThrottle } from './throttle.js';

/** A throttle on a clock the test moves. */
function throttle(limits: ConstructorParameters<typeof LoginThrottle>[0] = {}) {
  const clock = { now: 1_000_000 };
  return { t: new LoginThrottle(limits, () => clock.now), clock };
}

function attempt(t: LoginThrottle, user: string, peer: string, success: boolean): LoginAdmission {
  const a = t.admit(user, peer);
  if (a.ok) a.done(success);
  return a;
}

describe('LoginThrottle', () => {
  it('lets an address fail its free attempts, then makes it wait a doubling delay, up to the cap', () => {
    const { t, clock } = throttle({ freeFailuresPerAddress: 3, baseDelayMs: 100, maxAddressDelayMs: 400 });
    for (let i = 0; i < 3; i++) expect(attempt(t, `u${i}`, 'A', false).ok).toBe(true);
    const refused = t.admit('u9', 'A');
    expect(refused).toMatchObject({ ok: false, status: 429, retryAfterS: 1 });
    expect(t.waitFor('u9', 'A')).toBe(100);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      clock.now += t.waitFor('x', 'A');
      expect(attempt(t, 'x', 'A', false).ok).toBe(true);
      waits.push(t.waitFor('x', 'A'));
    }
    expect(waits).toEqual([200, 400, 400, 400]);
    expect(t.waitFor('x', 'B')).toBe(0);
  });

  it('counts parallel attempts: once the free ones are taken, one check at a time per address', () => {
    const { t } = throttle({ freeFailuresPerAddress: 2 });
    const first = t.admit('a', 'A');
    const second = t.admit('b', 'A');
    expect(first.ok && second.ok).toBe(true);
    expect(t.admit('c', 'A')).toMatchObject({ ok: false, status: 429 });
    if (first.ok) first.cancel();
    expect(t.admit('c', 'A').ok).toBe(true);
  });

  it('is not reset by the success of another user, and a success clears only its own pair', () => {
    const { t, clock } = throttle({ freeFailuresPerAddress: 3, baseDelayMs: 1000 });
    attempt(t, 'admin', 'A', false);
    attempt(t, 'admin', 'A', false);
    expect(attempt(t, 'rita', 'A', true).ok).toBe(true);
    attempt(t, 'admin', 'A', false);
    expect(t.admit('admin', 'A')).toMatchObject({ ok: false, status: 429 });
    // rita's pair is trusted now: it passes although its address has to wait.
    expect(t.admit('rita', 'A')).toMatchObject({ ok: true, trusted: true });
    // A failure of the trusted pair ends its trust.
    attempt(t, 'rita', 'A', false);
    expect(t.admit('rita', 'A').ok).toBe(false);
    clock.now += 15 * 60_000;
    expect(t.admit('rita', 'A').ok).toBe(true);
  });

  it('paces one user name guessed from many addresses, while its trusted pair still gets in', () => {
    const { t } = throttle({ freeFailuresPerUser: 4, maxFailuresPerSecond: 1000 });
    expect(attempt(t, 'admin', 'home', true).ok).toBe(true);
    for (let i = 0; i < 4; i++) expect(attempt(t, 'admin', `bot${i}`, false).ok).toBe(true);
    expect(t.admit('admin', 'bot99')).toMatchObject({ ok: false, status: 429 });
    expect(t.admit('admin', 'elsewhere')).toMatchObject({ ok: false, status: 429 });
    expect(t.admit('admin', 'home')).toMatchObject({ ok: true, trusted: true });
  });

  it('refuses new checks with 503 beyond the global rate of failures, and lets them in a second later', () => {
    const { t, clock } = throttle({ maxFailuresPerSecond: 5 });
    for (let i = 0; i < 5; i++) expect(attempt(t, `u${i}`, `p${i}`, false).ok).toBe(true);
    expect(t.admit('u', 'fresh')).toMatchObject({ ok: false, status: 503, retryAfterS: 1 });
    clock.now += 2000;
    expect(t.admit('u', 'fresh').ok).toBe(true);
  });

  it('stays bounded in memory under a flood of addresses and names', () => {
    const { t, clock } = throttle({ maxFailuresPerSecond: 1e9 });
    for (let i = 0; i < 120_000; i++) {
      attempt(t, `user${i}`, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, false);
      clock.now += 0.01;
    }
    const size = (t as unknown as { counters: Map<string, unknown> }).counters.size;
    expect(size).toBeLessThanOrEqual(50_002);
  });
});
