import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/index.js';
import { RestApi } from './client/api.js';
import { type CallOptions, call } from './contract.case.test.js';
import { metadataEtag } from './routes-metadata.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// A system's metadata (GET, PUT and DELETE of a key, ETag/If-Match) and its raw statistics over REST, on a real
// host (test:///default), every answer checked against the OpenAPI document; with each role, hostile keys and
// malformed or oversized bodies; and the same through the REST client.

const ADMIN = ['admin', 'secret'] as const;
const OPER = ['oper', 'op-pass'] as const;
const READER = ['reader', 'rd-pass'] as const;
type User = readonly [string, string];

let h: RestTestHost;
beforeAll(async () => {
  h = await startRestTestHost({
    vms: 2,
    users: [
      ['admin', 'admin', 'secret'],
      ['oper', 'operator', 'op-pass'],
      ['reader', 'reader', 'rd-pass'],
    ],
    limits: { maxBodyBytes: 256 << 10 },
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const meta = (key: string) => `/systems/vm1/metadata/${encodeURIComponent(key)}`;
const put = (user: User, key: string, value: unknown, o: CallOptions = {}) =>
  call(h.restUrl, user, 'PUT', meta(key), { body: { value }, ...o });
const read = async () => (await h.api.systems.metadata('vm1')) as Record<string, string>;

describe('REST metadata', () => {
  it('reads {} with an ETag, sets and removes a key (admins), each answer the map and its new ETag', async () => {
    const empty = await call(h.restUrl, READER, 'GET', '/systems/vm1/metadata');
    expect([empty.status, empty.json, empty.headers.get('etag')]).toEqual([200, {}, `"${metadataEtag({})}"`]);
    const set = await put(ADMIN, 'app.role', 'web');
    expect([set.status, set.json]).toEqual([200, { 'app.role': 'web' }]);
    expect(set.headers.get('etag')).toBe(`"${metadataEtag({ 'app.role': 'web' })}"`);
    const same = await call(h.restUrl, READER, 'GET', '/systems/vm1/metadata', {
      headers: { 'If-None-Match': set.headers.get('etag') ?? '' },
    });
    expect(same.status).toBe(304);
    const del = await call(h.restUrl, ADMIN, 'DELETE', meta('app.role'));
    expect([del.status, del.json, del.headers.get('etag')]).toEqual([200, {}, empty.headers.get('etag')]);
    // A key that is not there: nothing to remove, the same map.
    const again = await call(h.restUrl, ADMIN, 'DELETE', meta('app.role'));
    expect([again.status, again.json]).toEqual([200, {}]);
    expect(await read()).toEqual({});
  });

  it('refuses readers and operators a change (403, nothing changed); both may read', async () => {
    for (const user of [READER, OPER]) {
      const r = await put(user, 'k', 'v');
      expect([r.status, r.json.code]).toEqual([403, 'ACCESS_DENIED']);
      const d = await call(h.restUrl, user, 'DELETE', meta('k'));
      expect(d.status).toBe(403);
      expect((await call(h.restUrl, user, 'GET', '/systems/vm1/metadata')).status).toBe(200);
    }
    expect(await read()).toEqual({});
  });

  it('If-Match: a stale ETag is 412 and changes nothing; the current one passes; a malformed one is 400', async () => {
    const first = await put(ADMIN, 'a', '1');
    const tag = first.headers.get('etag') ?? '';
    const second = await put(ADMIN, 'b', '2', { headers: { 'If-Match': tag } });
    expect(second.status).toBe(200);
    const stale = await put(ADMIN, 'c', '3', { headers: { 'If-Match': tag } });
    expect([stale.status, stale.json.code]).toEqual([412, 'CONFLICT']);
    const staleDel = await call(h.restUrl, ADMIN, 'DELETE', meta('a'), { headers: { 'If-Match': tag } });
    expect(staleDel.status).toBe(412);
    const bad = await put(ADMIN, 'c', '3', { headers: { 'If-Match': 'no-quotes' } });
    expect([bad.status, bad.json.detail]).toEqual([400, 'If-Match must be one quoted entity tag']);
    expect(await read()).toEqual({ a: '1', b: '2' });
    // Two changes from the same ETag at once: one is made, the other is stale.
    const now = second.headers.get('etag') ?? '';
    const both = await Promise.all(['x', 'y'].map((k) => put(ADMIN, k, k, { headers: { 'If-Match': now } })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 412]);
    expect(Object.keys(await read()).length).toBe(3);
    for (const k of Object.keys(await read())) await h.api.systems.setMetadata('vm1', k, undefined);
  });

  it('carries hostile keys as they are (slashes, dots, %, quotes, newlines, non-ASCII) and reads them back', async () => {
    const keys = [
      'a/b',
      '../../etc/passwd',
      '%2e%2e',
      'x?y#z',
      'key "quoted"',
      'line\nbreak',
      'ключ ✓',
      '...',
    ];
    for (const k of keys) expect((await put(ADMIN, k, `v:${k}`)).status, k).toBe(200);
    expect(await read()).toEqual(Object.fromEntries(keys.map((k) => [k, `v:${k}`])));
    for (const k of keys) expect((await call(h.restUrl, ADMIN, 'DELETE', meta(k))).status, k).toBe(200);
    expect(await read()).toEqual({});
  });

  it('refuses a key over 256 characters, a value over 64 Ki, wrong types and bad JSON (400), a huge body (413)', async () => {
    const long = await put(ADMIN, 'k'.repeat(257), 'v');
    expect([long.status, long.json.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const big = await put(ADMIN, 'k', 'v'.repeat(65_537));
    expect([big.status, big.json.errors?.[0]?.pointer]).toEqual([400, '/value']);
    for (const body of [{ value: 1 }, {}, { value: 'v', extra: true }, ['v'], 'v', null]) {
      const r = await call(h.restUrl, ADMIN, 'PUT', meta('k'), { body });
      expect([r.status, r.json.code], JSON.stringify(body)).toEqual([400, 'INVALID_ARGUMENT']);
    }
    const json = { 'Content-Type': 'application/json' };
    const broken = await call(h.restUrl, ADMIN, 'PUT', meta('k'), { raw: '{"value": "v', headers: json });
    expect([broken.status, broken.json.type]).toEqual([400, 'urn:vessel:problem:REST_MALFORMED_JSON']);
    const huge = await call(h.restUrl, ADMIN, 'PUT', meta('k'), {
      raw: `{"value":"${'v'.repeat(300 << 10)}"}`,
      headers: json,
    });
    expect([huge.status, huge.json.code]).toEqual([413, 'LIMIT_EXCEEDED']);
    const plain = await call(h.restUrl, ADMIN, 'PUT', meta('k'), {
      raw: '{"value":"v"}',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    expect(await read()).toEqual({});
  });

  it('answers 404 for an unknown system, read or changed', async () => {
    for (const [method, path] of [
      ['GET', '/systems/ghost/metadata'],
      ['PUT', '/systems/ghost/metadata/k'],
      ['DELETE', '/systems/ghost/metadata/k'],
    ] as const) {
      const r = await call(h.restUrl, ADMIN, method, path, method === 'PUT' ? { body: { value: 'v' } } : {});
      expect([r.status, r.json.code], `${method} ${path}`).toEqual([404, 'VM_NOT_FOUND']);
    }
  });
});

describe('REST statistics', () => {
  it('answers a running system’s counters (sizes as decimal strings) to a reader; a stopped one is 409', async () => {
    const stopped = await call(h.restUrl, READER, 'GET', '/systems/vm2/stats');
    expect([stopped.status, stopped.json.code]).toEqual([409, 'INVALID_STATE']);
    await h.api.systems.changeState('vm2', 'start', { waitMs: Number.POSITIVE_INFINITY });
    const r = await call(h.restUrl, READER, 'GET', '/systems/vm2/stats');
    expect(r.status).toBe(200);
    const local = await h.api.systems.stats('vm2');
    expect(r.json.memoryBytes).toBe(String(local.memoryBytes));
    expect(r.json.disks.map((d: { instanceId: string }) => d.instanceId)).toEqual(
      local.disks.map((d) => d.instanceId),
    );
    expect((await call(h.restUrl, READER, 'GET', '/systems/ghost/stats')).status).toBe(404);
    await h.api.systems.changeState('vm2', 'powerOff', { waitMs: Number.POSITIVE_INFINITY });
  });
});

describe('the REST client', () => {
  const client = () =>
    new RestApi({ url: new URL(h.restUrl.replace(/\/api\/v1$/, '/')), user: 'admin', password: 'secret' });

  it('sets, reads and removes metadata and reads statistics as the host answers them', async () => {
    const api = client();
    try {
      await api.systems.setMetadata('vm1', 'a/b c', 'v1');
      expect(await api.systems.metadata('vm1')).toEqual(await read());
      expect(await api.systems.metadata('vm1')).toEqual({ 'a/b c': 'v1' });
      await api.systems.setMetadata('vm1', 'a/b c', undefined);
      expect(await read()).toEqual({});
      await h.api.systems.changeState('vm2', 'start', { waitMs: Number.POSITIVE_INFINITY });
      const st = await api.systems.stats('vm2');
      expect(typeof st.memoryBytes).toBe('bigint');
      expect(st.memoryBytes).toBe((await h.api.systems.stats('vm2')).memoryBytes);
      await h.api.systems.changeState('vm2', 'powerOff', { waitMs: Number.POSITIVE_INFINITY });
    } finally {
      await api.close();
    }
  });

  it('refuses "." and ".." as keys (a URL path drops them) and an empty key, before sending', async () => {
    const api = client();
    try {
      for (const key of ['.', '..', '']) {
        const e = await api.systems.setMetadata('vm1', key, 'v').catch((x: unknown) => x);
        expect(e, key).toBeInstanceOf(ApiError);
        expect((e as ApiError).code, key).toBe('INVALID_ARGUMENT');
      }
      expect(await read()).toEqual({});
    } finally {
      await api.close();
    }
  });
});
