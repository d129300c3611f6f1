import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// Users and roles over REST: an admin adds, reads, changes and removes users; readers and operators are refused;
// the last admin stays; hostile names and bodies are refused with problems, within the contract.

const ADMIN = ['admin', 'secret'] as const;
const READER = ['rita', 'r3ad'] as const;
const OPERATOR = ['otto', '0per'] as const;
let h: RestTestHost;

beforeAll(async () => {
  h = await startRestTestHost({
    vms: 0,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
      ['otto', 'operator', '0per'],
    ],
    limits: { maxBodyBytes: 16 << 10 },
    // Wrong passwords are part of the test: no waits between them.
    login: { freeFailuresPerAddress: 1000, freeFailuresPerUser: 1000, maxFailuresPerSecond: 1000 },
  });
});
afterAll(async () => {
  await h?.close();
});

/** A connection that repeated its Basic header within the last second is taken at its word (src/wbem/http). */
const settle = () => new Promise((r) => setTimeout(r, 1100));
const names = async () => (await h.api.users.list()).map((u) => `${u.name}:${u.role}`).sort();
const as = (user: readonly [string, string]) => ({
  get: (path: string) => call(h.restUrl, user, 'GET', path),
  send: (method: string, path: string, body?: unknown) =>
    call(h.restUrl, user, method, path, body === undefined ? {} : { body }),
});

describe('REST users', () => {
  it('an admin adds a user who then logs in with its role, changes its role and removes it', async () => {
    const a = as(ADMIN);
    const made = await a.send('POST', '/users', { name: 'bob', role: 'operator', password: 'b0b pw' });
    expect([made.status, made.json, made.headers.get('location')]).toEqual([
      201,
      { name: 'bob', role: 'operator' },
      '/api/v1/users/bob',
    ]);
    expect((await as(['bob', 'b0b pw']).get('/session')).json).toMatchObject({
      user: 'bob',
      role: 'operator',
    });
    expect((await a.get('/users/bob')).json).toEqual({ name: 'bob', role: 'operator' });
    expect((await a.get('/users')).json.items).toContainEqual({ name: 'bob', role: 'operator' });

    const again = await a.send('POST', '/users', { name: 'bob', role: 'admin', password: 'other' });
    expect([again.status, again.json.code]).toEqual([409, 'ALREADY_EXISTS']);
    expect((await as(['bob', 'other']).get('/session')).status).toBe(401);

    const role = await a.send('PUT', '/users/bob/role', { role: 'reader' });
    expect([role.status, role.json]).toEqual([200, { name: 'bob', role: 'reader' }]);
    await settle();
    expect((await as(['bob', 'b0b pw']).get('/session')).json.role).toBe('reader');
    // A reader may not start anything now.
    expect(
      (await as(['bob', 'b0b pw']).send('POST', '/users', { name: 'x', role: 'admin', password: 'x' }))
        .status,
    ).toBe(403);

    expect((await a.send('DELETE', '/users/bob')).status).toBe(204);
    await settle();
    expect((await as(['bob', 'b0b pw']).get('/session')).status).toBe(401);
    const gone = await a.get('/users/bob');
    expect([gone.status, gone.json.code]).toEqual([404, 'NOT_FOUND']);
    expect((await a.send('DELETE', '/users/bob')).status).toBe(404);
    expect((await a.send('PUT', '/users/bob/role', { role: 'admin' })).status).toBe(404);
    expect((await a.send('PUT', '/users/bob/password', { password: 'x' })).status).toBe(404);
  });

  it('readers and operators get 403 problem details on every user route and change nothing', async () => {
    const before = await names();
    for (const who of [READER, OPERATOR]) {
      const u = as(who);
      for (const [method, path, body] of [
        ['GET', '/users', undefined],
        ['GET', '/users/admin', undefined],
        ['POST', '/users', { name: 'evil', role: 'admin', password: 'x' }],
        ['PUT', '/users/admin/role', { role: 'reader' }],
        ['PUT', `/users/${who[0]}/role`, { role: 'admin' }],
        ['PUT', '/users/admin/password', { password: 'owned' }],
        ['DELETE', '/users/admin', undefined],
      ] as const) {
        const r = await u.send(method, path, body);
        expect([r.status, r.json.code, r.headers.get('content-type')], `${who[0]} ${method} ${path}`).toEqual(
          [403, 'ACCESS_DENIED', 'application/problem+json'],
        );
      }
    }
    expect(await names()).toEqual(before);
    expect((await as(ADMIN).get('/session')).status).toBe(200);
  });

  it("a reset password works at once, the old one no more, and ends the user's browser sessions", async () => {
    const a = as(ADMIN);
    await a.send('POST', '/users', { name: 'carol', role: 'reader', password: 'first' });
    const login = await as(['carol', 'first']).send('POST', '/session');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const viaCookie = () => call(h.restUrl, undefined, 'GET', '/session', { headers: { Cookie: cookie } });
    expect((await viaCookie()).status).toBe(200);
    expect((await a.send('PUT', '/users/carol/password', { password: 'second' })).status).toBe(204);
    await settle();
    expect((await as(['carol', 'first']).get('/session')).status).toBe(401);
    expect((await as(['carol', 'second']).get('/session')).status).toBe(200);
    expect((await viaCookie()).status).toBe(401);
  });

  it('a browser session follows its user: demoted or removed through any transport, at once', async () => {
    await as(ADMIN).send('POST', '/users', { name: 'fay', role: 'admin', password: 'f' });
    const login = await as(['fay', 'f']).send('POST', '/session');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = login.json.csrfToken as string;
    const withCookie = (method: string, path: string, body?: unknown) =>
      call(h.restUrl, undefined, method, path, {
        headers: { Cookie: cookie, 'X-CSRF-Token': csrf },
        ...(body === undefined ? {} : { body }),
      });
    expect((await withCookie('GET', '/users')).status).toBe(200);
    // The change is made in process (as the CLI over the socket would), not through the REST routes.
    await h.api.users.setRole('fay', 'reader');
    expect((await withCookie('GET', '/session')).json.role).toBe('reader');
    const denied = await withCookie('POST', '/users', { name: 'sneaky', role: 'admin', password: 'x' });
    expect([denied.status, denied.json.code]).toEqual([403, 'ACCESS_DENIED']);
    // Made an admin again, the session has the role it logged in with (never more).
    await h.api.users.setRole('fay', 'admin');
    expect((await withCookie('GET', '/session')).json.role).toBe('admin');
    await h.api.users.remove('fay');
    expect((await withCookie('GET', '/session')).status).toBe(401);
    expect(await names()).not.toContain('sneaky:admin');
  });

  it('a user changes its own password with the old one, not with a wrong one nor by token', async () => {
    const a = as(ADMIN);
    await a.send('POST', '/users', { name: 'dave', role: 'reader', password: 'old pw' });
    const dave = as(['dave', 'old pw']);
    const wrong = await dave.send('PUT', '/session/password', { oldPassword: 'guess', password: 'new pw' });
    expect([wrong.status, wrong.json.code, wrong.json.detail]).toEqual([
      400,
      'INVALID_ARGUMENT',
      'The old password of dave is wrong',
    ]);
    const token = (await dave.send('POST', '/tokens', { role: 'reader' })).json.token as string;
    const byToken = await call(h.restUrl, undefined, 'PUT', '/session/password', {
      body: { oldPassword: 'old pw', password: 'token pw' },
      headers: { Authorization: `Bearer ${token}` },
    });
    expect([byToken.status, byToken.json.code]).toEqual([403, 'ACCESS_DENIED']);
    expect(
      (await dave.send('PUT', '/session/password', { oldPassword: 'old pw', password: 'new pw' })).status,
    ).toBe(204);
    await settle();
    expect((await dave.get('/session')).status).toBe(401);
    expect((await as(['dave', 'new pw']).get('/session')).json.role).toBe('reader');
    // Only its own: the body names no user, so a reader cannot reach another's password this way.
    const other = await as(['dave', 'new pw']).send('PUT', '/session/password', {
      oldPassword: 'new pw',
      password: 'x',
      user: 'admin',
    });
    expect([other.status, other.json.type]).toEqual([400, 'urn:vessel:problem:REST_INVALID_BODY']);
  });

  it('the last admin is neither removed nor demoted; with a second admin it may be', async () => {
    const a = as(ADMIN);
    const del = await a.send('DELETE', '/users/admin');
    expect([del.status, del.json.code, del.json.detail]).toEqual([
      409,
      'INVALID_STATE',
      'Cannot remove "admin": it is the last admin',
    ]);
    const demote = await a.send('PUT', '/users/admin/role', { role: 'operator' });
    expect([demote.status, demote.json.code]).toEqual([409, 'INVALID_STATE']);
    expect(await names()).toContain('admin:admin');
    await a.send('POST', '/users', { name: 'erin', role: 'admin', password: 'e' });
    expect((await a.send('PUT', '/users/erin/role', { role: 'operator' })).status).toBe(200);
    await a.send('PUT', '/users/erin/role', { role: 'admin' });
    expect((await as(['erin', 'e']).send('PUT', '/users/admin/role', { role: 'reader' })).status).toBe(200);
    expect((await as(['erin', 'e']).send('DELETE', '/users/erin')).status).toBe(409);
    expect((await as(['erin', 'e']).send('PUT', '/users/admin/role', { role: 'admin' })).status).toBe(200);
    expect((await a.send('DELETE', '/users/erin')).status).toBe(204);
  });
});

describe('REST users: hostile input', () => {
  const raw = (method: string, path: string, text: string | Buffer) =>
    call(h.restUrl, ADMIN, method, path, { raw: text, headers: { 'Content-Type': 'application/json' } });

  it('malformed JSON, wrong types, unknown members and bad values are 400 naming the member', async () => {
    const before = await names();
    const bad = await raw('POST', '/users', '{"name": "x", "role": ');
    expect([bad.status, bad.json.type]).toEqual([400, 'urn:vessel:problem:REST_MALFORMED_JSON']);
    for (const [body, member] of [
      [{ name: 'x', role: 5, password: 'p' }, 'body/role'],
      [{ name: 'x', role: 'root', password: 'p' }, 'body/role'],
      [{ name: ['x'], role: 'reader', password: 'p' }, 'body/name'],
      [{ name: 'x', role: 'reader', password: 12345 }, 'body/password'],
      [{ name: 'x', role: 'reader', password: '' }, 'body/password'],
      [{ name: 'x', role: 'reader', password: 'p'.repeat(1025) }, 'body/password'],
      [{ name: 'x', role: 'reader' }, 'password'],
      [{ name: 'x', role: 'reader', password: 'p', hash: 'scrypt$1$1$1$AA==$AA==' }, 'hash'],
    ] as const) {
      const r = await as(ADMIN).send('POST', '/users', body);
      expect([r.status, r.json.type], JSON.stringify(body).slice(0, 60)).toEqual([
        400,
        'urn:vessel:problem:REST_INVALID_BODY',
      ]);
      expect(r.json.detail).toContain(member);
    }
    const role = await as(ADMIN).send('PUT', '/users/rita/role', { role: 'superuser' });
    expect([role.status, role.json.type]).toEqual([400, 'urn:vessel:problem:REST_INVALID_BODY']);
    expect((await raw('PUT', '/users/rita/role', '"admin"')).status).toBe(400);
    expect(await names()).toEqual(before);
  });

  it('names with path traversal, control characters or over 64 characters are refused, in a body or a path', async () => {
    const before = await names();
    for (const name of [
      '../admin',
      '..',
      'a/b',
      'a\u0000b',
      'a\nb',
      'a\u001bb',
      '.hidden',
      'x'.repeat(65),
      'ä',
      '',
    ]) {
      const r = await as(ADMIN).send('POST', '/users', { name, role: 'admin', password: 'p' });
      expect([r.status, r.json.type], JSON.stringify(name)).toEqual([
        400,
        'urn:vessel:problem:REST_INVALID_BODY',
      ]);
    }
    for (const path of ['..%2Fadmin', 'a%00b', 'a%0Ab', 'a%1Bb', `${'x'.repeat(65)}`, '%C3%A4']) {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['DELETE', '', undefined],
        ['PUT', '/role', { role: 'admin' }],
        ['PUT', '/password', { password: 'p' }],
      ] as const) {
        const r = await as(ADMIN).send(method, `/users/${path}${suffix}`, body);
        expect([r.status, r.json.code], `${method} ${path}${suffix}`).toEqual([400, 'INVALID_ARGUMENT']);
      }
    }
    expect(await names()).toEqual(before);
  });

  it('a body over the limit is 413 and adds no one', async () => {
    const before = await names();
    const r = await raw(
      'POST',
      '/users',
      JSON.stringify({ name: 'big', role: 'reader', password: 'p'.repeat(20_000) }),
    );
    expect([r.status, r.json.code]).toEqual([413, 'LIMIT_EXCEEDED']);
    expect(await names()).toEqual(before);
  });
});
