import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/cli.js';
import { smallOva } from '../host/api/fixtures.case.test.js';
import { call } from './contract.case.test.js';
import { rawRequest, settledListing } from './raw.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// Deployments, exports and artifacts over REST on a real host (test:///default): packages streamed in the body
// with their options in the query or named as a pool image in JSON, the plan of a dry run, jobs at Location, an
// export's artifact downloaded whole and by range; malformed options, roles, limits and cut uploads, with the
// host's upload area left empty. Answers are checked against the OpenAPI document by `call`.

const ADMIN = ['admin', 'secret'] as const;
const READER = ['reader', 'rd-pass'] as const;
const LIMIT = 4 << 20;
const TAR = { 'Content-Type': 'application/x-tar' };
const OVF = { 'Content-Type': 'application/ovf+xml' };

let h: RestTestHost;
let ova: Uint8Array;
let licensed: Buffer;
let uploads: string;

beforeAll(async () => {
  h = await startRestTestHost({
    // A streamed upload cannot be retried: on a loaded machine the client could send one on a kept-alive connection
    // just as the server's 5 s idle limit closes it (a 408 and "other side closed"). The idle limit has its own
    // tests (src/wbem/http); here connections stay open.
    limits: { keepAliveTimeoutMs: 120_000 },
    users: [
      ['admin', 'admin', 'secret'],
      ['reader', 'reader', 'rd-pass'],
    ],
    uploads: { maxBytes: BigInt(LIMIT), idleMs: 2000 },
  });
  ova = (await smallOva()).bytes;
  licensed = await readFile(join(ROOT, 'test/fixtures/deploy/licensed.ovf'));
  uploads = join(h.stateDir, 'uploads');
  // The contract's validators are compiled at the first call (seconds on a busy machine, the event loop held):
  // done here, not between two requests of a kept-alive connection.
  await call(h.restUrl, ADMIN, 'GET', '/pools/default/images');
});
afterAll(async () => {
  await h?.close();
});

/** Follows a 202's Location until the job ends. */
async function ended(location: string | null) {
  expect(location).toMatch(/^\/api\/v1\/jobs\//);
  const r = await call(h.restUrl, ADMIN, 'GET', `${location?.slice('/api/v1'.length)}?wait=60`);
  expect(r.status).toBe(200);
  return r.json;
}

const LICENSED_PROPS = [
  'property=hostname=web7',
  'property=owner=ops',
  'property=admin_password=correct-horse',
].join('&');

describe('POST /deployments', () => {
  it('?dryRun=true answers the plan of a streamed OVF: properties, EULAs, networks, hardware', async () => {
    const r = await call(h.restUrl, ADMIN, 'POST', '/deployments?dryRun=true&fileName=licensed.ovf', {
      raw: licensed,
      headers: OVF,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json.systems[0].name).toBe('appliance');
    expect(r.json.eulas[0]).toContain('LICENSE AGREEMENT');
    const keys = r.json.properties.map((p: { key: string; required: boolean }) => `${p.key}:${p.required}`);
    expect(keys).toContain('owner:true');
    expect(keys).toContain('hostname:false');
    expect(await h.api.systems.list()).toEqual([]);
  });

  it('a streamed package is a job at Location; the EULA must be accepted, the properties given in the query', async () => {
    const refused = await call(h.restUrl, ADMIN, 'POST', `/deployments?name=lic1&${LICENSED_PROPS}`, {
      raw: licensed,
      headers: OVF,
    });
    expect(refused.status).toBe(202);
    const failed = await ended(refused.headers.get('location'));
    expect([failed.state, failed.error.code]).toEqual(['failed', 'DEPLOY_EULA']);
    const ok = await call(
      h.restUrl,
      ADMIN,
      'POST',
      `/deployments?name=lic1&acceptEula=true&${LICENSED_PROPS}`,
      {
        raw: licensed,
        headers: { ...OVF, Prefer: 'wait=60' },
      },
    );
    expect([ok.status, ok.json.state], ok.text).toEqual([200, 'completed']);
    expect(ok.json.result.systems[0].name).toBe('lic1');
    const missing = await call(h.restUrl, ADMIN, 'POST', '/deployments?name=lic2&acceptEula=true', {
      raw: licensed,
      headers: { ...OVF, Prefer: 'wait=60' },
    });
    expect([missing.status, missing.json.code]).toEqual([422, 'DEPLOY_PROPERTY']);
    expect(missing.json.job).toMatch(/./);
  });

  it('an OVA streamed as application/x-tar deploys (chunked, no Content-Length)', async () => {
    const r = await fetch(`${h.restUrl}/deployments?name=small1&fileName=small.ova`, {
      method: 'POST',
      headers: { ...TAR, Authorization: `Basic ${Buffer.from(ADMIN.join(':')).toString('base64')}` },
      body: ReadableStream.from([ova.subarray(0, 5000), ova.subarray(5000)]),
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(202);
    const job = await ended(r.headers.get('location'));
    expect([job.state, job.result?.systems[0]?.name, job.result?.manifest]).toEqual([
      'completed',
      'small1',
      true,
    ]);
  });

  it('a JSON body deploys a pool image, with the options in the body', async () => {
    const up = await call(h.restUrl, ADMIN, 'PUT', '/pools/default/images/small.ova', {
      raw: ova,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(up.status).toBe(201);
    const source = { kind: 'pool', pool: 'default', image: 'small.ova' };
    const plan = await call(h.restUrl, ADMIN, 'POST', '/deployments?dryRun=1', { body: { source } });
    expect([plan.status, plan.json.systems[0].name]).toEqual([200, 'small']);
    const r = await call(h.restUrl, ADMIN, 'POST', '/deployments', {
      body: { source, options: { name: 'frompool' } },
    });
    expect(r.status).toBe(202);
    expect((await ended(r.headers.get('location'))).state).toBe('completed');
    expect((await h.api.systems.get('frompool')).name).toBe('frompool');
    const missing = await call(h.restUrl, ADMIN, 'POST', '/deployments', {
      body: { source: { ...source, image: 'none.ova' } },
    });
    expect([missing.status, missing.json.code]).toEqual([404, 'NOT_FOUND']);
    const outside = await call(h.restUrl, ADMIN, 'POST', '/deployments', {
      body: { source: { ...source, image: '../../etc/passwd' } },
    });
    expect(outside.status).toBe(400);
    const hostPath = await call(h.restUrl, ADMIN, 'POST', '/deployments', {
      body: { source: { kind: 'hostPath', path: '/etc/passwd' } },
    });
    expect(hostPath.status).toBe(400);
  });

  it('malformed options are 400 naming the place, a wrong media type 415; nothing is deployed', async () => {
    const before = (await h.api.systems.list()).length;
    const json = (raw: string) =>
      call(h.restUrl, ADMIN, 'POST', '/deployments', {
        raw,
        headers: { 'Content-Type': 'application/json' },
      });
    const bad = [
      await json('{"source":'),
      await json(
        '{"source":{"kind":"pool","pool":"default","image":"small.ova"},"options":{"powerOn":"yes"}}',
      ),
      await json('{"source":{"kind":"pool","pool":"default","image":"small.ova"},"extra":1}'),
      await json(
        '{"source":{"kind":"pool","pool":"default","image":"small.ova"},"options":{"__proto__":{}}}',
      ),
      await json('[1,2]'),
      await call(h.restUrl, ADMIN, 'POST', '/deployments?name=x', {
        body: { source: { kind: 'pool', pool: 'default', image: 'small.ova' } },
      }),
      await call(h.restUrl, ADMIN, 'POST', '/deployments?powerOn=yes', { raw: ova, headers: TAR }),
      await call(h.restUrl, ADMIN, 'POST', '/deployments?property=noequals', { raw: ova, headers: TAR }),
      await call(h.restUrl, ADMIN, 'POST', '/deployments?property=a=1&property=a=2', {
        raw: ova,
        headers: TAR,
      }),
      await call(h.restUrl, ADMIN, 'POST', '/deployments?fileName=small.ovf', { raw: ova, headers: TAR }),
      await call(h.restUrl, ADMIN, 'POST', '/deployments?fileName=..%2Fx.ova', { raw: ova, headers: TAR }),
      await call(h.restUrl, ADMIN, 'POST', '/deployments?bogus=1', { raw: ova, headers: TAR }),
    ];
    for (const r of bad) expect([r.status, r.json.code], r.text).toEqual([400, 'INVALID_ARGUMENT']);
    const media = await call(h.restUrl, ADMIN, 'POST', '/deployments', {
      raw: ova,
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(media.status).toBe(415);
    const junk = await call(h.restUrl, ADMIN, 'POST', '/deployments?fileName=junk.ova', {
      raw: new Uint8Array(2048).fill(7),
      headers: { ...TAR, Prefer: 'wait=30' },
    });
    expect([junk.status, junk.json.code]).toEqual([422, 'DEPLOY_PACKAGE']);
    expect((await h.api.systems.list()).length).toBe(before);
    expect(await settledListing(uploads, [])).toEqual([]);
  });

  it('a reader may not deploy; over the limit is 413; a cut or stalled upload leaves nothing staged', async () => {
    const reader = await call(h.restUrl, READER, 'POST', '/deployments', { raw: ova, headers: TAR });
    expect([reader.status, reader.json.code]).toEqual([403, 'ACCESS_DENIED']);
    const plan = await call(h.restUrl, READER, 'POST', '/deployments?dryRun=true', {
      raw: ova,
      headers: TAR,
    });
    expect(plan.status).toBe(403);
    const big = await rawRequest(h.restUrl, ADMIN, 'POST', '/deployments', {
      headers: { ...TAR, 'Content-Length': LIMIT + 1 },
      body: ova,
      stallAfter: 100,
    });
    expect(big !== 'cut' && big.status).toBe(413);
    const cut = await rawRequest(h.restUrl, ADMIN, 'POST', '/deployments', {
      headers: { ...TAR, 'Content-Length': ova.length },
      body: ova,
      cutAfter: Math.floor(ova.length / 2),
    });
    expect(cut).toBe('cut');
    const stalled = await rawRequest(h.restUrl, ADMIN, 'POST', '/deployments', {
      headers: { ...TAR, 'Content-Length': ova.length },
      body: ova,
      stallAfter: Math.floor(ova.length / 2),
    }).catch((e: Error) => e);
    expect(stalled instanceof Error || (stalled !== 'cut' && stalled.status >= 400)).toBe(true);
    expect(await settledListing(uploads, [])).toEqual([]);
  });
});

describe('POST /systems/{id}/export and /artifacts', () => {
  it('exports to an artifact that downloads whole and by range, then is deleted', async () => {
    const r = await call(h.restUrl, ADMIN, 'POST', '/systems/small1/export', { body: {} });
    expect(r.status).toBe(202);
    const job = await ended(r.headers.get('location'));
    expect([job.state, job.result.destination.kind, job.result.format]).toEqual([
      'completed',
      'artifact',
      'ova',
    ]);
    const id = job.result.artifact as string;
    const info = await call(h.restUrl, ADMIN, 'GET', `/artifacts/${id}`);
    expect([info.status, info.json.job, info.headers.get('etag')]).toEqual([
      200,
      job.id,
      `"${info.json.sha256}"`,
    ]);
    const whole = await call(h.restUrl, ADMIN, 'GET', `/artifacts/${id}/content`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(info.json.sizeBytes);
    expect(whole.headers.get('content-disposition')).toBe(`attachment; filename="${info.json.fileName}"`);
    expect(createHash('sha256').update(whole.bytes).digest('hex')).toBe(info.json.sha256);
    expect(whole.bytes.subarray(0, 100).toString('latin1')).toMatch(/\.ovf\0/);
    const etag = info.headers.get('etag') ?? '';
    const part = await call(h.restUrl, ADMIN, 'GET', `/artifacts/${id}/content`, {
      headers: { Range: 'bytes=1000-', 'If-Range': etag },
    });
    expect([part.status, part.headers.get('content-range')]).toEqual([
      206,
      `bytes 1000-${whole.bytes.length - 1}/${whole.bytes.length}`,
    ]);
    expect(part.bytes.equals(whole.bytes.subarray(1000))).toBe(true);
    const stale = await call(h.restUrl, ADMIN, 'GET', `/artifacts/${id}/content`, {
      headers: { Range: 'bytes=1000-', 'If-Range': '"old"' },
    });
    expect([stale.status, stale.bytes.length]).toEqual([200, whole.bytes.length]);
    const same = await call(h.restUrl, ADMIN, 'GET', `/artifacts/${id}/content`, {
      headers: { 'If-None-Match': etag },
    });
    expect(same.status).toBe(304);
    const past = await call(h.restUrl, ADMIN, 'GET', `/artifacts/${id}/content`, {
      headers: { Range: `bytes=${whole.bytes.length}-` },
    });
    expect(past.status).toBe(416);
    for (const path of [`/artifacts/${id}`, `/artifacts/${id}/content`])
      expect((await call(h.restUrl, READER, 'GET', path)).status).toBe(403);
    expect((await call(h.restUrl, READER, 'DELETE', `/artifacts/${id}`)).status).toBe(403);
    expect((await call(h.restUrl, ADMIN, 'DELETE', `/artifacts/${id}`)).status).toBe(204);
    expect((await call(h.restUrl, ADMIN, 'GET', `/artifacts/${id}`)).status).toBe(404);
    expect((await call(h.restUrl, ADMIN, 'GET', '/artifacts/..%2F..%2Fusers.json/content')).status).toBe(400);
  });

  it('refuses a host path, an OVF folder, a reader and malformed options', async () => {
    const hostPath = await call(h.restUrl, ADMIN, 'POST', '/systems/small1/export', {
      body: { destination: { kind: 'hostPath', path: '/tmp/x.ova' } },
      headers: { Prefer: 'wait=30' },
    });
    expect([hostPath.status, hostPath.json.code]).toEqual([403, 'ACCESS_DENIED']);
    const ovf = await call(h.restUrl, ADMIN, 'POST', '/systems/small1/export', { body: { format: 'ovf' } });
    expect(ovf.status).toBe(400);
    const reader = await call(h.restUrl, READER, 'POST', '/systems/small1/export', { body: {} });
    expect(reader.status).toBe(403);
    for (const body of [{ level: 12 }, { manifest: 'md5' }, { waitMs: 5 }, { target: 1 }])
      expect((await call(h.restUrl, ADMIN, 'POST', '/systems/small1/export', { body })).status).toBe(400);
    const ghost = await call(h.restUrl, ADMIN, 'POST', '/systems/ghost/export', { body: {} });
    expect(ghost.status).toBe(404);
  });
});
