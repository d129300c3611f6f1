/** How failed logins are paced. */
export interface LoginLimits {
  /** Failed logins an address (or IPv6 /64) may make before it must wait between attempts (default 5). */
  freeFailuresPerAddress: number;
  /** Failed logins for one user name, from any address, before its checks are spaced out (default 10). */
  freeFailuresPerUser: number;
  /** The first wait after the free failures; each further failure doubles it (default 500 ms). */
  baseDelayMs: number;
  /** The longest wait an address gets between two attempts (default 60 s). */
  maxAddressDelayMs: number;
  /** The longest wait for one user name across addresses: pacing, kept short as anyone can cause it (10 s). */
  maxUserDelayMs: number;
  /** Failed logins per second on the whole server beyond which new checks get 503 (default 10). */
  maxFailuresPerSecond: number;
  /** How long a user and address pair stays trusted after a success (default 24 h). */
  trustMs: number;
  /** Counts are forgotten after this long without a failure (default 15 min). */
  forgetMs: number;
}

/** Default pacing of failed logins. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  freeFailuresPerAddress: 5,
  freeFailuresPerUser: 10,
  baseDelayMs: 500,
  maxAddressDelayMs: 60_000,
  maxUserDelayMs: 10_000,
  maxFailuresPerSecond: 10,
  trustMs: 24 * 3600_000,
  forgetMs: 15 * 60_000,
};

/** The answer to a login attempt before any password is checked. */
export type LoginAdmission =
  | {
      ok: true;
      /** The pair logged in before and has not failed since: no limit applies. */
      trusted: boolean;
      /** Records the result of the check. */
      done(success: boolean): void;
      /** Records that no password was checked after all. */
      cancel(): void;
    }
  | { ok: false; status: 429 | 503; retryAfterS: number; message: string };

interface Counter {
  failures: number;
  last: number;
  /** No attempt is checked before this time once the free failures are used up. */
  nextAt: number;
  inFlight: number;
}

interface Pair {
  lastSuccess: number;
  failedSince: boolean;
}

/**
 * Paces password guessing, counted across connections: each failed login counts against the client's address
 * (an IPv6 /64 as one), against the user name (whatever the address) and against the global rate. Once an address
 * or a user has used its free failures, the next attempt is checked only after a wait that doubles with each
 * further failure; attempts before then, and more than one at a time, are answered at once with `429` and
 * `Retry-After`, without checking any password, so a guesser gains nothing from parallel connections and holds no
 * connection while it waits. Past the global rate new checks get `503`. A success clears only its own user and
 * address pair, which then stays trusted: its later logins pass every limit as long as that pair does not fail,
 * so an attacker guessing from elsewhere does not lock a regular user out.
 *
 * @example
 * const a = throttle.admit('alice', '192.0.2.7');
 * if (a.ok) a.done(await users.authenticate('alice', password) !== undefined);
 */
export class LoginThrottle {
  private readonly counters = new Map<string, Counter>();
  private readonly pairs = new Map<string, Pair>();
  private windowStart = 0;
  private windowFailures = 0;
  private previousFailures = 0;
  private globalInFlight = 0;
  private pruneAt = PRUNE_FIRST_AT;
  readonly limits: LoginLimits;

  constructor(
    limits: Partial<LoginLimits> = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /** Decides whether a login attempt of `user` from `peer` is checked now; when it is, `done` records the result. */
  admit(user: string, peer: string): LoginAdmission {
    const now = this.now();
    const pairKey = `${user}\0${peer}`;
    const pair = this.pairs.get(pairKey);
    const trusted = pair !== undefined && !pair.failedSince && now - pair.lastSuccess < this.limits.trustMs;
    if (trusted)
      return {
        ok: true,
        trusted,
        done: (success) => this.settle(user, peer, success, false),
        cancel: () => undefined,
      };
    const l = this.limits;
    if (this.recentFailures(now) + this.globalInFlight >= l.maxFailuresPerSecond)
      return {
        ok: false,
        status: 503,
        retryAfterS: 1,
        message: 'The server is refusing logins for a moment after many failed ones',
      };
    const wait = this.waitAt(user, peer, now);
    if (wait > 0)
      return {
        ok: false,
        status: 429,
        retryAfterS: Math.max(1, Math.ceil(wait / 1000)),
        message: 'Too many failed logins; wait before the next attempt',
      };
    this.counter(`a\0${peer}`, now).inFlight++;
    this.counter(`u\0${user}`, now).inFlight++;
    this.globalInFlight++;
    return {
      ok: true,
      trusted,
      done: (success) => this.settle(user, peer, success, true),
      cancel: () => this.settle(user, peer, undefined, true),
    };
  }

  /** The wait (ms) before an attempt of `user` from `peer` would be checked; 0 when it would be now. */
  waitFor(user: string, peer: string): number {
    return this.waitAt(user, peer, this.now());
  }

  /** Looks without recording anything, so that refused attempts cost no memory. */
  private waitAt(user: string, peer: string, now: number): number {
    const l = this.limits;
    const address = this.live(`a\0${peer}`, now);
    const name = this.live(`u\0${user}`, now);
    return Math.max(
      address ? blocked(address, l.freeFailuresPerAddress, now) : 0,
      name ? blocked(name, l.freeFailuresPerUser, now) : 0,
    );
  }

  private settle(user: string, peer: string, success: boolean | undefined, counted: boolean): void {
    const now = this.now();
    const address = this.counter(`a\0${peer}`, now);
    const name = this.counter(`u\0${user}`, now);
    if (counted) {
      address.inFlight--;
      name.inFlight--;
      this.globalInFlight--;
    }
    if (success === undefined) return;
    const pairKey = `${user}\0${peer}`;
    if (success) {
      this.pairs.set(pairKey, { lastSuccess: now, failedSince: false });
      return;
    }
    const pair = this.pairs.get(pairKey);
    if (pair) pair.failedSince = true;
    const l = this.limits;
    fail(address, now, l.freeFailuresPerAddress, l.baseDelayMs, l.maxAddressDelayMs);
    fail(name, now, l.freeFailuresPerUser, l.baseDelayMs, l.maxUserDelayMs);
    this.countFailure(now);
    if (this.counters.size + this.pairs.size > this.pruneAt) {
      this.prune(now);
      this.pruneAt = Math.min(
        MAX_ENTRIES,
        Math.max(PRUNE_FIRST_AT, 2 * (this.counters.size + this.pairs.size)),
      );
    }
  }

  /** The counter of `key` when it holds something still remembered. */
  private live(key: string, now: number): Counter | undefined {
    const c = this.counters.get(key);
    return c && (c.inFlight > 0 || now - c.last < this.limits.forgetMs) ? c : undefined;
  }

  private counter(key: string, now: number): Counter {
    let c = this.live(key, now);
    if (!c) {
      c = { failures: 0, last: now, nextAt: 0, inFlight: 0 };
      this.counters.set(key, c);
    }
    return c;
  }

  /** Failures in the last second, from two one-second buckets weighted by their overlap. */
  private recentFailures(now: number): number {
    this.roll(now);
    const weight = 1 - (now - this.windowStart) / 1000;
    return this.windowFailures + this.previousFailures * Math.max(0, weight);
  }

  private countFailure(now: number): void {
    this.roll(now);
    this.windowFailures++;
  }

  private roll(now: number): void {
    const elapsed = now - this.windowStart;
    if (elapsed < 1000) return;
    this.previousFailures = elapsed < 2000 ? this.windowFailures : 0;
    this.windowFailures = 0;
    this.windowStart = now - (elapsed % 1000);
  }

  /** Drops counts and pairs nobody needs any more; when still too many, the oldest (a flood of addresses). */
  private prune(now: number): void {
    for (const [k, c] of this.counters)
      if (c.inFlight === 0 && now - c.last >= this.limits.forgetMs) this.counters.delete(k);
    for (const [k, p] of this.pairs) if (now - p.lastSuccess >= this.limits.trustMs) this.pairs.delete(k);
    for (const map of [this.counters, this.pairs] as Map<string, Counter | Pair>[]) {
      for (const [k, v] of map) {
        if (map.size <= PRUNE_DOWN_TO) break;
        if (!('inFlight' in v) || v.inFlight === 0) map.delete(k);
      }
    }
  }
}

/** Remembered counters and pairs before a prune, and the most kept: a flood of addresses costs bounded memory. */
const PRUNE_FIRST_AT = 10_000;
const MAX_ENTRIES = 50_000;
const PRUNE_DOWN_TO = 40_000;

/** How long an attempt must still wait under this counter (ms); positive while another check is running. */
function blocked(c: Counter, free: number, now: number): number {
  if (c.failures + c.inFlight < free) return 0;
  if (c.inFlight > 0) return Math.max(1000, c.nextAt - now);
  return Math.max(0, c.nextAt - now);
}

function fail(c: Counter, now: number, free: number, baseMs: number, maxMs: number): void {
  c.failures++;
  c.last = now;
  // The free failures cost nothing; the next attempt then waits baseMs, and each failure after doubles the wait.
  const over = c.failures - free;
  if (over >= 0) c.nextAt = now + Math.min(maxMs, baseMs * 2 ** over);
}
