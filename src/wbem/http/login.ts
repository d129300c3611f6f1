import type { IncomingMessage } from 'node:http';
import type { Role } from '../../api/index.js';
import type { UserStore } from '../../host/index.js';
import { peerKey } from './peer.js';
import type { LoginThrottle } from './throttle.js';

/** How a request proved who sent it. */
export type Credential = 'basic' | 'bearer' | 'cookie' | 'anonymous';

/** The outcome of authenticating a request. */
export type LoginResult =
  | { kind: 'user'; name: string; role: Role; via: Credential }
  /** No or wrong credentials: answer 401 with a challenge. */
  | { kind: 'unauthorized' }
  /** Not checked: answer with this status and `Retry-After`. */
  | { kind: 'refused'; status: 429 | 503; retryAfterS: number; message: string };

/** Password checks (scrypt, about 50 ms of a libuv thread each) at once and waiting, by default. */
export const DEFAULT_PASSWORD_CHECKS = { concurrent: 2, queued: 32 };

/**
 * Runs password checks a few at a time, so that a flood of wrong passwords neither takes every libuv thread (which
 * the host's file I/O needs too) nor queues without end: beyond `queued` waiting checks, {@link run} says no.
 *
 * @example
 * const checks = new CheckQueue(2, 32);
 * const r = await checks.run(() => users.authenticate(name, password)); // undefined: too busy
 */
export class CheckQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrent: number,
    private readonly queued: number,
  ) {}

  /** Runs `fn` when a turn comes, or returns `{ busy: true }` at once when too many wait. */
  async run<T>(fn: () => Promise<T>): Promise<{ busy: false; value: T } | { busy: true }> {
    if (this.running >= this.concurrent) {
      if (this.waiting.length >= this.queued) return { busy: true };
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return { busy: false, value: await fn() };
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** How long a connection's verified credentials are taken without asking the users file again, ms. */
export const VERIFIED_LOGIN_MS = 1000;

/**
 * The credentials each connection last logged in with, by the exact Authorization header, for a short while
 * ({@link VERIFIED_LOGIN_MS}, as long as the users file goes unread between two looks at it): a keep-alive client
 * sends the same header with every request, and checking it again each time (decoding, hashing, the throttle) is
 * most of what authentication costs. Only successes are kept, and a different header on the connection is checked
 * in full.
 *
 * @example
 * const verified = new VerifiedLogins();
 * await authenticateRequest(req, users, throttle, checks, undefined, verified);
 */
export class VerifiedLogins {
  private readonly byConnection = new WeakMap<
    object,
    { header: string; who: { name: string; role: Role }; until: number }
  >();

  constructor(private readonly ttlMs = VERIFIED_LOGIN_MS) {}

  /** Who logged in on `connection` with exactly `header` within the last moment, if anyone. */
  get(connection: object, header: string): { name: string; role: Role } | undefined {
    const v = this.byConnection.get(connection);
    return v !== undefined && v.header === header && performance.now() < v.until ? v.who : undefined;
  }

  /** Records a successful login of `connection` with `header`. */
  set(connection: object, header: string, who: { name: string; role: Role }): void {
    this.byConnection.set(connection, { header, who, until: performance.now() + this.ttlMs });
  }
}

/** The longest user name looked at (the users file allows 64 characters). */
const MAX_NAME = 64;

/** Who a bearer token or a session cookie stands for, as a route's server is told to look them up. */
export interface CredentialLookups {
  /** The user a bearer token (`Authorization: Bearer ...`) acts as, or undefined when it is not valid. */
  bearer?: ((token: string) => Promise<{ name: string; role: Role } | undefined>) | undefined;
  /** The session cookie's name and the user a value of it stands for (undefined: no such live session). */
  cookie?: { name: string; lookup(value: string): { name: string; role: Role } | undefined } | undefined;
}

/**
 * The value of cookie `name` in a Cookie header (RFC 6265 §5.4), or undefined.
 *
 * @example
 * cookieValue('a=1; vessel_session=xyz', 'vessel_session'); // 'xyz'
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The longest bearer token looked at. */
const MAX_TOKEN = 256;

/**
 * Authenticates a request by a bearer token or a session cookie when `lookups` offers them, else by Basic
 * credentials ({@link authenticateRequest}). A wrong token counts as a failed login of its address under the same
 * throttle as a wrong password; a cookie that names no live session is as no credentials (401).
 *
 * @example
 * await authenticate(req, users, throttle, checks, undefined, verified, { bearer: (t) => tokens.verify(t) });
 */
export async function authenticate(
  req: IncomingMessage,
  users: UserStore,
  throttle: LoginThrottle,
  checks: CheckQueue,
  anonymousRole: Role | undefined,
  verified: VerifiedLogins,
  lookups: CredentialLookups,
): Promise<LoginResult> {
  const h = req.headers.authorization;
  if (h !== undefined && lookups.bearer !== undefined && /^Bearer\s/i.test(h)) {
    const token = h.slice(6).trim();
    const peer = peerKey(req.socket.remoteAddress);
    const admission = throttle.admit('\0bearer', peer);
    if (!admission.ok) return { kind: 'refused', ...admission };
    const who = token.length <= MAX_TOKEN ? await lookups.bearer(token) : undefined;
    admission.done(who !== undefined);
    return who === undefined ? { kind: 'unauthorized' } : { kind: 'user', ...who, via: 'bearer' };
  }
  if (h === undefined && lookups.cookie !== undefined) {
    const value = cookieValue(req.headers.cookie, lookups.cookie.name);
    if (value !== undefined) {
      const who = lookups.cookie.lookup(value);
      return who === undefined ? { kind: 'unauthorized' } : { kind: 'user', ...who, via: 'cookie' };
    }
  }
  return authenticateRequest(req, users, throttle, checks, anonymousRole, verified);
}

/**
 * Authenticates a request by its Basic credentials (RFC 7617) under the login throttle and the password-check queue:
 * an attempt the throttle holds back is refused without a password check; a user and address pair that logged in
 * before and has not failed since skips the queue (its credentials are normally in the users file's cache). With
 * `verified`, a connection that repeats the header it logged in with a moment ago is taken at its word.
 */
export async function authenticateRequest(
  req: IncomingMessage,
  users: UserStore,
  throttle: LoginThrottle,
  checks: CheckQueue,
  anonymousRole: Role | undefined,
  verified?: VerifiedLogins,
): Promise<LoginResult> {
  const h = req.headers.authorization;
  if (h === undefined)
    return anonymousRole
      ? { kind: 'user', name: 'anonymous', role: anonymousRole, via: 'anonymous' }
      : { kind: 'unauthorized' };
  const known = verified?.get(req.socket, h);
  if (known) return { kind: 'user', ...known, via: 'basic' };
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const name = colon > 0 ? decoded.slice(0, colon) : '';
  const peer = peerKey(req.socket.remoteAddress);
  const admission = throttle.admit(name.slice(0, MAX_NAME), peer);
  if (!admission.ok) return { kind: 'refused', ...admission };
  if (name === '' || name.length > MAX_NAME) {
    admission.done(false);
    return { kind: 'unauthorized' };
  }
  const password = decoded.slice(colon + 1);
  const check = () => users.authenticate(name, password);
  let who: { name: string; role: Role } | undefined;
  try {
    if (admission.trusted) who = await check();
    else {
      const r = await checks.run(check);
      if (r.busy) {
        admission.cancel();
        return {
          kind: 'refused',
          status: 503,
          retryAfterS: 1,
          message: 'The server is checking too many passwords at once',
        };
      }
      who = r.value;
    }
  } catch (e) {
    admission.done(false);
    throw e;
  }
  admission.done(who !== undefined);
  if (who === undefined) return { kind: 'unauthorized' };
  verified?.set(req.socket, h, who);
  return { kind: 'user', ...who, via: 'basic' };
}
