import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/index.js';
import { buildDefinition } from '../model/index.js';
import { RestApi } from './client/api.js';
import { call } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// Defining and removing networks, adding and removing storage pools over REST (admins), on a real host
// (test:///default), every answer checked against the OpenAPI document: each role, hostile names and paths,
// malformed and oversized bodies, and what the host does with a pool folder named by a remote caller.

const ADMIN = ['admin', 'secret'] as const;
const OPER = ['oper', 'op-pass'] as const;
const READER = ['reader', 'rd-pass'] as const;

let h: RestTestHost;
let dir: string;
beforeAll(async () => {
  h = await startRestTestHost({
    vms: 0,
    users: [
      ['admin', 'admin', 'secret'],
      ['oper', 'operator', 'op-pass'],
      ['reader', 'reader', 'rd-pass'],
    ],
    limits: { maxBodyBytes: 64 << 10 },
  });
  dir = mkdtempSync(join(tmpdir(), 'vessel-rest-manage-'));
}, 60_000);
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = async () => (await h.api.networks.list()).map((n) => n.name);
const pools = async () => (await h.api.pools.list()).map((p) => p.id);
const json = { 'Content-Type': 'application/json' };

describe('REST networks', () => {
  it('an admin defines a network (201, Location), reads it, is refused a second one (409), removes it (204)', async () => {
    const net = { name: 'lan', mode: 'bridge', bridge: 'br0' };
    const r = await call(h.restUrl, ADMIN, 'POST', '/networks', { body: net });
    expect([r.status, r.json, r.headers.get('location')]).toEqual([201, net, '/api/v1/networks/lan']);
    expect((await call(h.restUrl, READER, 'GET', '/networks/lan')).json).toEqual(net);
    const twice = await call(h.restUrl, ADMIN, 'POST', '/networks', { body: net });
    expect([twice.status, twice.json.code]).toEqual([409, 'ALREADY_EXISTS']);
    const fwd = { name: 'nat', mode: 'user', hostForwards: ['tcp:127.0.0.1:2222-:22'] };
    expect((await call(h.restUrl, ADMIN, 'POST', '/networks', { body: fwd })).json).toEqual(fwd);
    for (const n of ['lan', 'nat']) {
      const d = await call(h.restUrl, ADMIN, 'DELETE', `/networks/${n}`);
      expect([d.status, d.text]).toEqual([204, '']);
    }
    const gone = await call(h.restUrl, ADMIN, 'DELETE', '/networks/lan');
    expect([gone.status, gone.json.code]).toEqual([404, 'NOT_FOUND']);
    expect(await names()).toEqual(['user']);
  });

  it('refuses readers and operators (403) and changes nothing', async () => {
    for (const user of [READER, OPER]) {
      const r = await call(h.restUrl, user, 'POST', '/networks', { body: { name: 'x', mode: 'none' } });
      expect([r.status, r.json.code]).toEqual([403, 'ACCESS_DENIED']);
      expect((await call(h.restUrl, user, 'DELETE', '/networks/user')).status).toBe(403);
    }
    expect(await names()).toEqual(['user']);
  });

  it('refuses hostile names, bridges and forwards, wrong types and bad JSON (400), a huge body (413)', async () => {
    const bodies = [
      { name: '../etc', mode: 'none' },
      { name: 'a/b', mode: 'none' },
      { name: 'x'.repeat(65), mode: 'none' },
      { name: '', mode: 'none' },
      { name: 'b', mode: 'bridge', bridge: 'br0;reboot' },
      { name: 'b', mode: 'bridge' },
      { name: 'b', mode: 'tap' },
      { name: 'b', mode: 'none', extra: 1 },
      { name: 'u', mode: 'user', hostForwards: ['x'.repeat(129)] },
      { name: 'u', mode: 'user', hostForwards: Array(257).fill('tcp:127.0.0.1:1-:1') },
      { name: 1, mode: 'none' },
      [],
    ];
    for (const body of bodies) {
      const r = await call(h.restUrl, ADMIN, 'POST', '/networks', { body });
      expect([r.status, r.json.code], JSON.stringify(body).slice(0, 80)).toEqual([400, 'INVALID_ARGUMENT']);
    }
    // A forward that would listen beyond the loopback is the driver's refusal, naming the rule's form.
    const open = await call(h.restUrl, ADMIN, 'POST', '/networks', {
      body: { name: 'u', mode: 'user', hostForwards: ['tcp:0.0.0.0:2222-:22'] },
    });
    expect(open.status).toBeGreaterThanOrEqual(400);
    expect(open.status).toBeLessThan(500);
    expect(open.json.detail).toContain('loopback only');
    const broken = await call(h.restUrl, ADMIN, 'POST', '/networks', { raw: '{"name":', headers: json });
    expect(broken.json.type).toBe('urn:vessel:problem:REST_MALFORMED_JSON');
    const huge = await call(h.restUrl, ADMIN, 'POST', '/networks', {
      raw: JSON.stringify({ name: 'h', mode: 'user', hostForwards: Array(5000).fill('tcp:127.0.0.1:1-:1') }),
      headers: json,
    });
    expect(huge.status).toBe(413);
    expect(await names()).toEqual(['user']);
  });

  it('keeps a network a system uses (409 naming it) and the built-in one; a hostile name is refused (400)', async () => {
    await h.api.networks.define({ name: 'lab', mode: 'none' });
    await h.api.systems.define(
      buildDefinition({ name: 'n1', cpus: 1, memoryBytes: 64n << 20n, nics: [{ network: 'lab' }] }),
      { waitMs: Number.POSITIVE_INFINITY },
    );
    const busy = await call(h.restUrl, ADMIN, 'DELETE', '/networks/lab');
    expect([busy.status, busy.json.code, busy.json.detail]).toEqual([
      409,
      'INVALID_STATE',
      'Cannot remove the network "lab": in use by "n1"',
    ]);
    await h.api.systems.undefine('n1', { waitMs: Number.POSITIVE_INFINITY });
    expect((await call(h.restUrl, ADMIN, 'DELETE', '/networks/lab')).status).toBe(204);
    const builtin = await call(h.restUrl, ADMIN, 'DELETE', '/networks/user');
    expect([builtin.status, builtin.json.detail]).toEqual([409, expect.stringContaining('built in')]);
    for (const n of ['..%2F..%2Fetc', '%00', encodeURIComponent('x'.repeat(300))]) {
      const r = await call(h.restUrl, ADMIN, 'DELETE', `/networks/${n}`);
      expect([r.status, r.json.code], n).toEqual([400, 'INVALID_ARGUMENT']);
    }
    expect(await names()).toEqual(['user']);
  });
});

describe('REST storage pools', () => {
  it('refuses every remote caller a pool folder (403), an existing one or not, saying nothing of which exists', async () => {
    const real = join(dir, 'iso');
    mkdirSync(real);
    const before = readFileSync(join(h.stateDir, 'pools.json'), 'utf8');
    const answers = [];
    for (const path of [real, join(dir, 'nonexistent'), '/etc', '/']) {
      const r = await call(h.restUrl, ADMIN, 'POST', '/pools', { body: { id: 'p1', path } });
      expect([r.status, r.json.code], path).toEqual([403, 'ACCESS_DENIED']);
      answers.push(r.text);
    }
    expect(new Set(answers).size).toBe(1);
    expect(JSON.parse(answers[0] ?? '{}').hint).toBe('Add it on the host: vessel pool add NAME DIR');
    for (const user of [READER, OPER]) {
      const r = await call(h.restUrl, user, 'POST', '/pools', { body: { id: 'p1', path: real } });
      expect([r.status, r.json.detail]).toEqual([403, expect.stringContaining('admin')]);
    }
    expect(readFileSync(join(h.stateDir, 'pools.json'), 'utf8')).toBe(before);
    expect(await pools()).toEqual(['default']);
  });

  it('refuses a relative path, hostile ids, wrong types and bad JSON before the host (400), a huge body (413)', async () => {
    const bodies = [
      { id: 'p1', path: 'images' },
      { id: 'p1', path: './images' },
      { id: 'p1', path: '' },
      { id: 'p1', path: `/${'a'.repeat(4096)}` },
      { id: '../etc', path: '/srv' },
      { id: 'a/b', path: '/srv' },
      { id: '', path: '/srv' },
      { id: 'p1', path: '/srv', allowDevices: 'yes' },
      { id: 'p1', path: '/srv', extra: true },
      { id: 'p1' },
    ];
    for (const body of bodies) {
      const r = await call(h.restUrl, ADMIN, 'POST', '/pools', { body });
      expect([r.status, r.json.code], JSON.stringify(body).slice(0, 60)).toEqual([400, 'INVALID_ARGUMENT']);
    }
    const rel = await call(h.restUrl, ADMIN, 'POST', '/pools', { body: { id: 'p1', path: 'images' } });
    expect(rel.json.errors?.[0]?.pointer).toBe('/path');
    const broken = await call(h.restUrl, ADMIN, 'POST', '/pools', {
      raw: '{"id":"p1","path":"/',
      headers: json,
    });
    expect(broken.json.type).toBe('urn:vessel:problem:REST_MALFORMED_JSON');
    const huge = await call(h.restUrl, ADMIN, 'POST', '/pools', {
      raw: JSON.stringify({ id: 'p1', path: `/${'a'.repeat(70 << 10)}` }),
      headers: json,
    });
    expect(huge.status).toBe(413);
    expect(await pools()).toEqual(['default']);
  });

  it('an admin removes a pool the host added (204; its folder stays), not while a system uses an image in it (409)', async () => {
    const folder = join(dir, 'extra');
    mkdirSync(folder);
    await h.api.pools.add({ id: 'extra', path: folder });
    const disk = join(folder, 'd.raw');
    writeFileSync(disk, Buffer.alloc(1 << 20));
    await h.api.systems.define(
      buildDefinition({ name: 'p1', cpus: 1, memoryBytes: 64n << 20n, disks: [disk] }),
      {
        waitMs: Number.POSITIVE_INFINITY,
      },
    );
    for (const user of [READER, OPER])
      expect((await call(h.restUrl, user, 'DELETE', '/pools/extra')).status).toBe(403);
    const busy = await call(h.restUrl, ADMIN, 'DELETE', '/pools/extra');
    expect([busy.status, busy.json.code, busy.json.detail]).toEqual([
      409,
      'INVALID_STATE',
      expect.stringContaining('"p1"'),
    ]);
    await h.api.systems.undefine('p1', { waitMs: Number.POSITIVE_INFINITY });
    expect((await call(h.restUrl, ADMIN, 'DELETE', '/pools/extra')).status).toBe(204);
    expect(readFileSync(disk).length).toBe(1 << 20);
    const gone = await call(h.restUrl, ADMIN, 'DELETE', '/pools/extra');
    expect([gone.status, gone.json.code]).toEqual([404, 'NOT_FOUND']);
    expect(await pools()).toEqual(['default']);
  });
});

describe('the REST client', () => {
  it('defines and removes networks, removes pools, and gets the host’s refusal of a pool folder', async () => {
    const api = new RestApi({
      url: new URL(h.restUrl.replace(/\/api\/v1$/, '/')),
      user: 'admin',
      password: 'secret',
    });
    try {
      expect(await api.networks.define({ name: 'c1', mode: 'none' })).toEqual({ name: 'c1', mode: 'none' });
      expect(await names()).toEqual(['user', 'c1']);
      await api.networks.remove('c1');
      expect(await names()).toEqual(['user']);
      const e = await api.pools.add({ id: 'p2', path: dir }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe('ACCESS_DENIED');
      await h.api.pools.add({ id: 'p3', path: dir });
      await api.pools.remove('p3');
      expect(await pools()).toEqual(['default']);
    } finally {
      await api.close();
    }
  });
});
