import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS_FILE } from '../host/index.js';
import { call, type RestReply } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// Browser sessions (cookie + CSRF token) and bearer tokens against a real host's REST edge, every answer checked
// against the OpenAPI document; and the attacks on them: forged and stale cookies, changes without or with a wrong
// CSRF token, guessed, revoked, expired and orphaned tokens, and tokens used to make tokens.

const ADMIN = ['admin', 'secret'] as const;
const READER = ['rd', 'rd-pw'] as const;
const OPERATOR = ['op', 'op-pw'] as const;

let h: RestTestHost;
beforeAll(async () => {
  h = await startRestTestHost({
    vms: 2,
    users: [
      ['admin', 'admin', 'secret'],
      ['rd', 'reader', 'rd-pw'],
      ['op', 'operator', 'op-pw'],
      ['gone', 'operator', 'gone-pw'],
    ],
    // Generous: the failures here are the cases themselves; the last case meets the throttle on a host of its own.
    login: { freeFailuresPerAddress: 1000, freeFailuresPerUser: 1000, maxFailuresPerSecond: 1000 },
  });
});
afterAll(async () => {
  await h?.close();
});

function cookieOf(r: RestReply): string {
  const set = r.headers.get('set-cookie') ?? '';
  return set.split(';')[0] ?? '';
}

async function login(user: readonly [string, string]): Promise<{ cookie: string; csrf: string }> {
  const r = await call(h.restUrl, user, 'POST', '/session');
  expect(r.status).toBe(201);
  return { cookie: cookieOf(r), csrf: r.json.csrfToken as string };
}

describe('REST browser sessions', () => {
  it('a password opens a session whose cookie is HttpOnly and SameSite=Strict', async () => {
    const r = await call(h.restUrl, OPERATOR, 'POST', '/session');
    expect(r.status).toBe(201);
    const set = r.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^vessel_session=[A-Za-z0-9_-]{43}; /);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Path=/');
    expect(set).not.toContain('Secure'); // plain HTTP on loopback; over TLS it is Secure (below)
    expect(r.json).toMatchObject({ user: 'op', role: 'operator', via: 'cookie' });
    expect(r.json.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('the cookie alone reads; GET /session tells who and gives the CSRF token again', async () => {
    const s = await login(OPERATOR);
    const list = await call(h.restUrl, undefined, 'GET', '/systems', { headers: { Cookie: s.cookie } });
    expect(list.status).toBe(200);
    const me = await call(h.restUrl, undefined, 'GET', '/session', { headers: { Cookie: s.cookie } });
    expect(me.json).toEqual({ user: 'op', role: 'operator', via: 'cookie', csrfToken: s.csrf });
  });

  it('a change with the cookie needs the matching X-CSRF-Token', async () => {
    const s = await login(OPERATOR);
    const path = '/systems/vm1/state';
    const body = { state: 'running' };
    const none = await call(h.restUrl, undefined, 'POST', path, { body, headers: { Cookie: s.cookie } });
    expect([none.status, none.json.code]).toEqual([403, 'ACCESS_DENIED']);
    expect(none.json.detail).toContain('X-CSRF-Token');
    const other = await login(OPERATOR);
    const wrong = await call(h.restUrl, undefined, 'POST', path, {
      body,
      headers: { Cookie: s.cookie, 'X-CSRF-Token': other.csrf },
    });
    expect(wrong.status).toBe(403);
    expect((await h.api.systems.get('vm1')).state).toBe('stopped');
    const right = await call(h.restUrl, undefined, 'POST', path, {
      body,
      headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
    });
    expect([200, 202]).toContain(right.status);
    expect((await h.api.systems.get('vm1')).state).toBe('running');
  });

  it('logout ends the session; forged, stale and oversized cookies are no credentials', async () => {
    const s = await login(READER);
    const out = await call(h.restUrl, undefined, 'DELETE', '/session', {
      headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    for (const cookie of [
      s.cookie,
      `vessel_session=${'A'.repeat(43)}`,
      'vessel_session=../../etc/passwd',
      `vessel_session=${'x'.repeat(9000)}`,
      'vessel_session=',
    ]) {
      const r = await call(h.restUrl, undefined, 'GET', '/systems', { headers: { Cookie: cookie } });
      expect(r.status, cookie.slice(0, 40)).toBe(401);
      expect(r.json.code).toBe('AUTH_FAILED');
    }
  });

  it('a session is opened only with a password, not with a cookie or a token', async () => {
    const s = await login(READER);
    const again = await call(h.restUrl, undefined, 'POST', '/session', {
      headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
    });
    expect([again.status, again.json.code]).toEqual([403, 'ACCESS_DENIED']);
    const wrong = await call(h.restUrl, ['rd', 'nope'], 'POST', '/session');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('Basic credentials win over a cookie sent with them', async () => {
    const s = await login(READER);
    const r = await call(h.restUrl, ADMIN, 'GET', '/session', { headers: { Cookie: s.cookie } });
    expect(r.json).toMatchObject({ user: 'admin', via: 'basic' });
    expect(r.json.csrfToken).toBeUndefined();
  });
});

describe('REST bearer tokens', () => {
  async function bearer(token: string, method: string, path: string, body?: unknown): Promise<RestReply> {
    return call(h.restUrl, undefined, method, path, {
      headers: { Authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body }),
    });
  }

  it('a reader token reads and is refused changes; the file keeps no secret and is private', async () => {
    const made = await call(h.restUrl, OPERATOR, 'POST', '/tokens', {
      body: { role: 'reader', label: 'grafana' },
    });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ user: 'op', role: 'reader', label: 'grafana' });
    const token = made.json.token as string;
    expect(token).toMatch(/^vsl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect((await bearer(token, 'GET', '/systems')).status).toBe(200);
    const change = await bearer(token, 'POST', '/systems/vm2/state', { state: 'running' });
    expect([change.status, change.json.code]).toEqual([403, 'ACCESS_DENIED']);
    const file = join(h.stateDir, TOKENS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The secret is everything after `vsl_<id>_`; base64url may itself contain '_'.
    expect(readFileSync(file, 'utf8')).not.toContain(token.slice('vsl_0123456789abcdef_'.length));
    // No Set-Cookie and no CSRF for a token: it is not a browser session.
    expect((await bearer(token, 'GET', '/session')).json).toEqual({
      user: 'op',
      role: 'reader',
      via: 'bearer',
    });
  });

  it('a token cannot outrank its maker, and only an admin makes tokens for others', async () => {
    const up = await call(h.restUrl, OPERATOR, 'POST', '/tokens', { body: { role: 'admin' } });
    expect([up.status, up.json.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const other = await call(h.restUrl, OPERATOR, 'POST', '/tokens', {
      body: { role: 'reader', user: 'rd' },
    });
    expect([other.status, other.json.code]).toEqual([403, 'ACCESS_DENIED']);
    const byAdmin = await call(h.restUrl, ADMIN, 'POST', '/tokens', { body: { role: 'reader', user: 'rd' } });
    expect(byAdmin.json).toMatchObject({ user: 'rd', role: 'reader' });
    const tooHigh = await call(h.restUrl, ADMIN, 'POST', '/tokens', {
      body: { role: 'operator', user: 'rd' },
    });
    expect(tooHigh.status).toBe(400);
    const ghost = await call(h.restUrl, ADMIN, 'POST', '/tokens', {
      body: { role: 'reader', user: 'ghost' },
    });
    expect([ghost.status, ghost.json.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('a token cannot make, list or revoke tokens', async () => {
    const { json } = await call(h.restUrl, OPERATOR, 'POST', '/tokens', { body: { role: 'operator' } });
    const token = json.token as string;
    for (const [method, path, body] of [
      ['POST', '/tokens', { role: 'reader' }],
      ['GET', '/tokens', undefined],
      ['DELETE', `/tokens/${json.id}`, undefined],
    ] as const) {
      const r = await bearer(token, method, path, body);
      expect([r.status, r.json.code], `${method} ${path}`).toEqual([403, 'ACCESS_DENIED']);
    }
  });

  it('revoked, expired, orphaned and malformed tokens are refused', async () => {
    const mk = async (user: readonly [string, string]) =>
      (await call(h.restUrl, user, 'POST', '/tokens', { body: { role: 'reader' } })).json as {
        id: string;
        token: string;
      };
    const revoked = await mk(OPERATOR);
    const listed = await call(h.restUrl, OPERATOR, 'GET', '/tokens');
    expect(listed.json.items.map((t: { id: string }) => t.id)).toContain(revoked.id);
    expect(JSON.stringify(listed.json)).not.toContain(revoked.token);
    // A reader cannot revoke another user's token; the operator revokes its own.
    expect((await call(h.restUrl, READER, 'DELETE', `/tokens/${revoked.id}`)).status).toBe(404);
    expect((await call(h.restUrl, OPERATOR, 'DELETE', `/tokens/${revoked.id}`)).status).toBe(204);
    expect((await bearer(revoked.token, 'GET', '/systems')).status).toBe(401);

    const expired = await mk(OPERATOR);
    const file = join(h.stateDir, TOKENS_FILE);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { tokens: { id: string; expires?: string }[] };
    for (const t of data.tokens) if (t.id === expired.id) t.expires = '2020-01-01T00:00:00.000Z';
    writeFileSync(file, JSON.stringify(data), { mode: 0o600 });
    // The store looks at the file at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await bearer(expired.token, 'GET', '/systems')).status).toBe(401);

    const orphan = await mk(['gone', 'gone-pw']);
    expect((await bearer(orphan.token, 'GET', '/systems')).status).toBe(200);
    await h.api.users.remove('gone');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await bearer(orphan.token, 'GET', '/systems')).status).toBe(401);

    const good = await mk(READER);
    const secret = good.token.slice(-43);
    for (const bad of [
      `${good.token.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`,
      good.token.replace(good.id, '0123456789abcdef'),
      'vsl_',
      `vsl_${'0'.repeat(16)}_${'A'.repeat(43)}`,
      'x'.repeat(300),
    ]) {
      const r = await bearer(bad, 'GET', '/systems');
      expect(r.status, bad.slice(0, 30)).toBe(401);
    }
  });

  it('guessing tokens meets the login throttle (default limits)', async () => {
    const g = await startRestTestHost({ vms: 0 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const token = `vsl_${'1'.repeat(16)}_${String(i).padStart(43, 'x')}`;
        const r = await call(g.restUrl, undefined, 'GET', '/systems', {
          headers: { Authorization: `Bearer ${token}` },
        });
        statuses.push(r.status);
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toContain(429);
    } finally {
      await g.close();
    }
  });
});
