import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../model/index.js';
import { call, OPENAPI_FILE } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// Every route with each role on a real host (test:///default), through real HTTP; every answer is checked against
// the checked-in OpenAPI document by `call`.

const ADMIN = ['admin', 'secret'] as const;
const OPER = ['oper', 'op-pass'] as const;
const READER = ['reader', 'rd-pass'] as const;

let h: RestTestHost;
const get = (user: readonly [string, string] | undefined, path: string) => call(h.restUrl, user, 'GET', path);

beforeAll(async () => {
  h = await startRestTestHost({
    vms: 3,
    users: [
      ['admin', 'admin', 'secret'],
      ['oper', 'operator', 'op-pass'],
      ['reader', 'reader', 'rd-pass'],
    ],
  });
});
afterAll(async () => {
  await h?.close();
});

describe('REST reads', () => {
  it('GET /host: info and capabilities, through the rest transport', async () => {
    const r = await get(READER, '/host');
    expect(r.status).toBe(200);
    expect(r.json.info.transport).toBe('rest');
    expect(r.json.info.systemCount).toBe(3);
    expect(r.json.info.local).toBeUndefined();
    expect(r.json.capabilities.driver.uri).toBe('test:///default');
  });

  it('GET /systems pages by name with next and Link', async () => {
    const a = await get(READER, '/systems?limit=2');
    expect(a.status).toBe(200);
    expect(a.json.items.map((s: { name: string }) => s.name)).toEqual(['vm1', 'vm2']);
    expect(a.json.next).toBe('vm2');
    expect(a.headers.get('link')).toBe('</api/v1/systems?limit=2&after=vm2>; rel="next"');
    const b = await get(READER, `/systems?limit=2&after=${a.json.next}`);
    expect(b.json.items.map((s: { name: string }) => s.name)).toEqual(['vm3']);
    expect(b.json.next).toBeUndefined();
    const d = await get(READER, '/systems?detail=true&state=stopped&state=running');
    expect(d.json.items).toHaveLength(3);
    expect(d.json.items[0].definition.resources.length).toBeGreaterThan(0);
  });

  it('GET /systems/{id} by name and by UUID, with its etag as ETag', async () => {
    const r = await get(READER, '/systems/vm1');
    expect(r.status).toBe(200);
    expect(r.json.name).toBe('vm1');
    expect(r.headers.get('etag')).toBe(`"${r.json.etag}"`);
    const same = await call(h.restUrl, READER, 'GET', '/systems/vm1', {
      headers: { 'If-None-Match': r.headers.get('etag') ?? '' },
    });
    expect([same.status, same.text, same.headers.get('etag')]).toEqual([304, '', r.headers.get('etag')]);
    const other = await call(h.restUrl, READER, 'GET', '/systems/vm1', {
      headers: { 'If-None-Match': '"old"' },
    });
    expect(other.status).toBe(200);
    const byUuid = await get(READER, `/systems/${r.json.uuid}`);
    expect(byUuid.json.name).toBe('vm1');
    expect(r.json.definition.system.ElementName).toBe('vm1');
  });

  it('HEAD is GET without the body', async () => {
    const auth = `Basic ${Buffer.from(READER.join(':')).toString('base64')}`;
    const r = await fetch(`${h.restUrl}/systems/vm1`, { method: 'HEAD', headers: { Authorization: auth } });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
    expect(await r.text()).toBe('');
  });

  it('GET /systems/{id}/settings and /resources[/{rid}] are the DMTF properties', async () => {
    const s = await get(READER, '/systems/vm2/settings');
    expect(s.json.ElementName).toBe('vm2');
    const list = await get(READER, '/systems/vm2/resources');
    expect(list.headers.get('etag')).toBe(s.headers.get('etag'));
    const disk = list.json.items.find(
      (x: { properties: { ResourceType: string } }) =>
        x.properties.ResourceType === '31' || x.properties.ResourceType === '17',
    );
    expect(disk).toBeDefined();
    const one = await get(READER, `/systems/vm2/resources/${encodeURIComponent(disk.properties.InstanceID)}`);
    expect(one.json).toEqual(disk);
    const none = await get(READER, '/systems/vm2/resources/no-such');
    expect([none.status, none.json.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('GET /networks, /pools, /jobs', async () => {
    const pools = await get(READER, '/pools');
    expect(pools.json.items.length).toBeGreaterThan(0);
    const pool = pools.json.items[0].id;
    expect((await get(READER, `/pools/${pool}`)).json.id).toBe(pool);
    const images = await get(READER, `/pools/${pool}/images`);
    expect(images.json.items.map((i: { name: string }) => i.name)).toContain('vm1.qcow2');
    const nets = await get(READER, '/networks');
    if (nets.json.items.length > 0)
      expect((await get(READER, `/networks/${nets.json.items[0].name}`)).json.name).toBe(
        nets.json.items[0].name,
      );
    const jobs = await get(READER, '/jobs?limit=5');
    expect(jobs.json.items.length).toBeGreaterThan(0);
    expect((await get(READER, `/jobs/${jobs.json.items[0].id}`)).json.id).toBe(jobs.json.items[0].id);
  });

  it('GET /users: the users and roles for an admin, never a password; 403 for the others', async () => {
    const r = await get(ADMIN, '/users');
    expect(r.status).toBe(200);
    expect(r.json.items).toEqual(
      expect.arrayContaining([
        { name: 'admin', role: 'admin' },
        { name: 'oper', role: 'operator' },
        { name: 'reader', role: 'reader' },
      ]),
    );
    expect(JSON.stringify(r.json)).not.toMatch(/secret|op-pass|rd-pass|hash|scrypt/);
    for (const who of [OPER, READER]) {
      const refused = await get(who, '/users');
      expect(refused.status).toBe(403);
      expect(refused.json.code).toBe('ACCESS_DENIED');
    }
    expect((await get(undefined, '/users')).status).toBe(401);
  });

  it('GET /openapi.json is the checked-in document', async () => {
    const r = await get(undefined, '/openapi.json');
    expect(r.status).toBe(401);
    const doc = await get(READER, '/openapi.json');
    expect(doc.json).toEqual(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
  });

  it('a missing system is a 404 problem with the Api code', async () => {
    const r = await get(READER, '/systems/nope');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.json).toMatchObject({
      status: 404,
      code: 'VM_NOT_FOUND',
      type: 'urn:vessel:problem:VM_NOT_FOUND',
    });
  });
});

describe('REST changes and roles', () => {
  it('a reader may read but not change: 403 ACCESS_DENIED naming the role', async () => {
    for (const [method, path, body] of [
      ['POST', '/systems/vm1/state', { state: 'running' }],
      ['DELETE', '/systems/vm3', undefined],
      ['PUT', '/systems/vm3/settings', { Description: 'x' }],
      ['POST', '/systems', { system: { ElementName: 'r1' }, resources: [] }],
    ] as const) {
      const r = await call(h.restUrl, READER, method, path, body === undefined ? {} : { body });
      expect([r.status, r.json.code], `${method} ${path}`).toEqual([403, 'ACCESS_DENIED']);
      expect(r.json.detail).toContain('reader');
    }
  });

  it('an operator changes states, and the change is seen through the Api', async () => {
    const r = await call(h.restUrl, OPER, 'POST', '/systems/vm1/state', { body: { state: 'running' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ state: 'completed', operation: 'start' });
    expect((await h.api.systems.get('vm1')).state).toBe('running');
    const p = await call(h.restUrl, OPER, 'POST', '/systems/vm1/state', { body: { state: 'paused' } });
    expect(p.json.operation).toBe('pause');
    const back = await call(h.restUrl, OPER, 'POST', '/systems/vm1/state', { body: { state: 'running' } });
    expect(back.json.operation).toBe('resume');
    const again = await call(h.restUrl, OPER, 'POST', '/systems/vm1/state', { body: { state: 'running' } });
    expect([again.status, again.json.code]).toEqual([409, 'INVALID_STATE']);
    const off = await call(h.restUrl, OPER, 'POST', '/systems/vm1/state', { body: { state: 'stopped' } });
    expect(off.json.operation).toBe('powerOff');
    expect((await h.api.systems.get('vm1')).state).toBe('stopped');
    const del = await call(h.restUrl, OPER, 'DELETE', '/systems/vm1');
    expect([del.status, del.json.code]).toEqual([403, 'ACCESS_DENIED']);
  });

  it('Prefer: respond-async answers 202 with the job at Location; ?wait= waits for it', async () => {
    const r = await call(h.restUrl, OPER, 'POST', '/systems/vm2/state', {
      body: { state: 'running' },
      headers: { Prefer: 'respond-async' },
    });
    expect(r.status).toBe(202);
    const location = r.headers.get('location') ?? '';
    expect(location).toBe(`/api/v1/jobs/${r.json.id}`);
    const done = await get(READER, `${location.slice('/api/v1'.length)}?wait=10`);
    expect(done.json.state).toBe('completed');
    expect((await h.api.systems.get('vm2')).state).toBe('running');
    const cancel = await call(h.restUrl, OPER, 'POST', `/jobs/${r.json.id}/cancel`);
    expect(cancel.json.state).toBe('completed');
    expect((await call(h.restUrl, READER, 'DELETE', `/jobs/${r.json.id}`)).status).toBe(403);
    expect((await call(h.restUrl, OPER, 'DELETE', `/jobs/${r.json.id}`)).status).toBe(204);
    expect((await get(READER, `/jobs/${r.json.id}`)).status).toBe(404);
    await h.api.systems.changeState('vm2', 'powerOff', { waitMs: Number.POSITIVE_INFINITY });
  });

  it('an admin defines, edits with If-Match (412 when stale) and destroys', async () => {
    const image = await h.image('rest1.qcow2');
    const def = buildDefinition({
      name: 'rest1',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: [image],
      nics: [],
    });
    const made = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: def });
    expect(made.status).toBe(201);
    expect(made.headers.get('location')).toBe(`/api/v1/systems/${made.json.result.uuid}`);
    const again = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: def });
    expect([again.status, again.json.code]).toEqual([409, 'VM_EXISTS']);

    const s = await get(ADMIN, '/systems/rest1/settings');
    const etag = s.headers.get('etag') ?? '';
    const ok = await call(h.restUrl, ADMIN, 'PUT', '/systems/rest1/settings', {
      body: { Description: 'set through REST' },
      headers: { 'If-Match': etag },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).not.toBe(etag);
    expect((await h.api.systems.get('rest1')).definition.system.Description).toBe('set through REST');
    const stale = await call(h.restUrl, ADMIN, 'PUT', '/systems/rest1/settings', {
      body: { Description: 'lost update' },
      headers: { 'If-Match': etag },
    });
    expect([stale.status, stale.json.code]).toEqual([412, 'CONFLICT']);
    const bad = await call(h.restUrl, ADMIN, 'PUT', '/systems/rest1/settings', {
      body: { Description: 'x' },
      headers: { 'If-Match': 'unquoted' },
    });
    expect(bad.status).toBe(400);

    const nic = {
      cimClass: 'CIM_EthernetPortAllocationSettingData',
      properties: { ResourceType: '10', Connection: ['user'] },
    };
    const added = await call(h.restUrl, ADMIN, 'POST', '/systems/rest1/resources', { body: [nic] });
    expect(added.status).toBe(201);
    const rid = added.json.result.instanceIds[0];
    expect(added.headers.get('location')).toBe(`/api/v1/systems/rest1/resources/${encodeURIComponent(rid)}`);
    const changed = await call(
      h.restUrl,
      ADMIN,
      'PUT',
      `/systems/rest1/resources/${encodeURIComponent(rid)}`,
      {
        body: { ElementName: 'second nic' },
      },
    );
    expect(changed.status).toBe(200);
    const got = await get(ADMIN, `/systems/rest1/resources/${encodeURIComponent(rid)}`);
    expect(got.json.properties.ElementName).toBe('second nic');
    const removed = await call(
      h.restUrl,
      ADMIN,
      'DELETE',
      `/systems/rest1/resources/${encodeURIComponent(rid)}`,
    );
    expect(removed.status).toBe(200);
    expect((await get(ADMIN, `/systems/rest1/resources/${encodeURIComponent(rid)}`)).status).toBe(404);

    const gone = await call(h.restUrl, ADMIN, 'DELETE', '/systems/rest1?keepDisks=true');
    expect(gone.status).toBe(200);
    expect((await get(ADMIN, '/systems/rest1')).status).toBe(404);
  });

  it('an invalid definition is a 4xx problem, not a 500', async () => {
    const r = await call(h.restUrl, ADMIN, 'POST', '/systems', {
      body: {
        system: { ElementName: 'bad' },
        resources: [
          {
            cimClass: 'CIM_ResourceAllocationSettingData',
            properties: { ResourceType: '4', VirtualQuantity: 'lots' },
          },
        ],
      },
    });
    expect([r.status, r.json.code]).toEqual([422, 'DEFINITION_INVALID']);
    expect(r.json.detail).toContain('VirtualQuantity');
  });
});
