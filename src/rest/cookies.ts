import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../api/index.js';
import { cookieValue } from '../wbem/index.js';

/** The name of the REST edge's session cookie. */
export const SESSION_COOKIE = 'vessel_session';

/** How long a browser session lasts: idle, and at most, ms. */
export const SESSION_LIMITS = { idleMs: 30 * 60_000, maxMs: 12 * 3600_000, maxSessions: 1000 };

/** One browser session. */
export interface CookieSession {
  id: string;
  user: string;
  role: Role;
  /** The token a change must carry in `X-CSRF-Token` (the double-submit check against cross-site requests). */
  csrf: string;
  created: number;
  seen: number;
}

const ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * The browser sessions of the REST edge: made by `POST /api/v1/session` with a password, named by a random cookie
 * (`HttpOnly; SameSite=Strict`, `Secure` over TLS) and each with its own CSRF token; kept in memory (a restart logs
 * browsers out), ended by logout, after 30 idle minutes or 12 hours, and the oldest first beyond 1,000.
 *
 * @example
 * const s = sessions.open('alice', 'reader');
 * sessions.lookup(s.id); // { name: 'alice', role: 'reader' }
 */
export class CookieSessions {
  private readonly byId = new Map<string, CookieSession>();

  constructor(
    private readonly limits = SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session for a user who just proved a password. */
  open(user: string, role: Role): CookieSession {
    if (this.byId.size >= this.limits.maxSessions) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
    const t = this.now();
    const s: CookieSession = {
      id: randomBytes(32).toString('base64url'),
      user,
      role,
      csrf: randomBytes(32).toString('base64url'),
      created: t,
      seen: t,
    };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session a cookie value names (its idle time restarts), or undefined. */
  get(id: string): CookieSession | undefined {
    if (!ID.test(id)) return undefined;
    const s = this.byId.get(id);
    if (s === undefined) return undefined;
    const t = this.now();
    if (t - s.seen > this.limits.idleMs || t - s.created > this.limits.maxMs) {
      this.byId.delete(id);
      return undefined;
    }
    s.seen = t;
    // Kept in order of use, so the first is the one to drop when full.
    this.byId.delete(id);
    this.byId.set(id, s);
    return s;
  }

  /** Who the session a cookie value names stands for (the shared server's cookie lookup). */
  lookup(id: string): { name: string; role: Role } | undefined {
    const s = this.get(id);
    return s === undefined ? undefined : { name: s.user, role: s.role };
  }

  /** True when `token` is the CSRF token of session `id` (compared in constant time). */
  csrfMatches(id: string, token: string | undefined): boolean {
    const s = this.get(id);
    if (s === undefined || token === undefined) return false;
    const a = Buffer.from(s.csrf);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Ends a session. */
  close(id: string): void {
    this.byId.delete(id);
  }

  /** Ends every session of `user` (after its removal, a role or password change) but `except`. */
  closeUser(user: string, except?: string): void {
    for (const [id, s] of this.byId) if (s.user === user && id !== except) this.byId.delete(id);
  }
}

/**
 * The Set-Cookie header of a session (or of its end, `id` undefined).
 *
 * @example
 * setCookie(s.id, true); // 'vessel_session=...; Path=/; HttpOnly; SameSite=Strict; Secure'
 */
export function setCookie(id: string | undefined, secure: boolean): string {
  const base = `${SESSION_COOKIE}=${id ?? ''}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  return id === undefined ? `${base}; Max-Age=0` : base;
}

/** The session cookie's value in a Cookie header, or undefined. */
export function sessionIdOf(cookie: string | undefined): string | undefined {
  return cookieValue(cookie, SESSION_COOKIE);
}
