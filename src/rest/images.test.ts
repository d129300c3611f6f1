import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomImageBytes } from '../../test/helpers/random-image.js';
import { call } from './contract.case.test.js';
import { rawRequest, settledListing } from './raw.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// Pool images over REST on a real host (test:///default): streamed PUT with digests, GET with Range, DELETE, and
// every way an upload can go wrong leaving nothing in the pool's folder. Answers are checked against the OpenAPI
// document by `call`.

const ADMIN = ['admin', 'secret'] as const;
const OPER = ['oper', 'op-pass'] as const;
const READER = ['reader', 'rd-pass'] as const;
const LIMIT = 4 << 20;
const OCTETS = { 'Content-Type': 'application/octet-stream' };

let h: RestTestHost;
let dir: string;
const bytes = randomImageBytes(300_000);
const sha = createHash('sha256').update(bytes).digest();

beforeAll(async () => {
  h = await startRestTestHost({
    // A streamed upload cannot be retried: on a loaded machine the client could send one on a kept-alive connection
    // just as the server's 5 s idle limit closes it (a 408 and "other side closed"). The idle limit has its own
    // tests (src/wbem/http); here connections stay open.
    limits: { keepAliveTimeoutMs: 120_000 },
    users: [
      ['admin', 'admin', 'secret'],
      ['oper', 'operator', 'op-pass'],
      ['reader', 'reader', 'rd-pass'],
    ],
    uploads: { maxBytes: BigInt(LIMIT), idleMs: 2000 },
  });
  dir = (await h.api.pools.get('default')).path ?? '';
  // The contract's validators are compiled at the first call (seconds on a busy machine, the event loop held):
  // done here, not between an upload and the request that reuses its kept-alive connection.
  await call(h.restUrl, READER, 'GET', '/pools/default/images');
});
afterAll(async () => {
  await h?.close();
});

const put = (
  name: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
  user: readonly [string, string] = ADMIN,
) =>
  call(h.restUrl, user, 'PUT', `/pools/default/images/${name}`, {
    raw: body,
    headers: { ...OCTETS, ...headers },
  });

describe('REST pool images', () => {
  it('PUT streams an image in with its SHA-256; GET gives it back whole, by range, and HEAD its length', async () => {
    const up = await put('disk.raw', bytes, { 'X-Content-SHA256': sha.toString('hex') });
    expect([up.status, up.json.name, up.json.sizeBytes]).toEqual([201, 'disk.raw', String(bytes.length)]);
    expect(up.headers.get('location')).toBe('/api/v1/pools/default/images/disk.raw');
    expect(await readFile(join(dir, 'disk.raw'))).toEqual(bytes);
    const listed = await call(h.restUrl, READER, 'GET', '/pools/default/images');
    expect(listed.json.items.map((i: { name: string }) => i.name)).toEqual(['disk.raw']);

    const all = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images/disk.raw');
    expect([all.status, all.headers.get('content-length')]).toEqual([200, String(bytes.length)]);
    expect(all.bytes.equals(bytes)).toBe(true);
    const etag = all.headers.get('etag') ?? '';
    expect(etag).toMatch(new RegExp(`^"${bytes.length}-[0-9]+"$`));
    const mid = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images/disk.raw', {
      headers: { Range: 'bytes=100000-100099', 'If-Range': etag },
    });
    expect([mid.status, mid.headers.get('content-range')]).toEqual([
      206,
      `bytes 100000-100099/${bytes.length}`,
    ]);
    expect(mid.bytes.equals(bytes.subarray(100_000, 100_100))).toBe(true);
    const stale = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images/disk.raw', {
      headers: { Range: 'bytes=100000-100099', 'If-Range': '"1-2"' },
    });
    expect([stale.status, stale.bytes.length]).toEqual([200, bytes.length]);
    const same = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images/disk.raw', {
      headers: { 'If-None-Match': etag },
    });
    expect([same.status, same.headers.get('etag')]).toEqual([304, etag]);
    const rest = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images/disk.raw', {
      headers: { Range: 'bytes=299990-' },
    });
    expect(rest.bytes.equals(bytes.subarray(299_990))).toBe(true);
    const tail = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images/disk.raw', {
      headers: { Range: 'bytes=-7' },
    });
    expect(tail.bytes.equals(bytes.subarray(-7))).toBe(true);
    const past = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images/disk.raw', {
      headers: { Range: `bytes=${bytes.length}-` },
    });
    expect([past.status, past.headers.get('content-range')]).toEqual([416, `bytes */${bytes.length}`]);
    const several = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images/disk.raw', {
      headers: { Range: 'bytes=0-1,5-6' },
    });
    expect(several.status).toBe(416);
    const head = await fetch(`${h.restUrl}/pools/default/images/disk.raw`, {
      method: 'HEAD',
      headers: { Authorization: `Basic ${Buffer.from(ADMIN.join(':')).toString('base64')}` },
    });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([
      200,
      String(bytes.length),
      '',
    ]);
  });

  it('accepts RFC 9530 Repr-Digest and RFC 3230 Digest; a name taken is 409', async () => {
    const b64 = sha.toString('base64');
    expect((await put('repr.raw', bytes, { 'Repr-Digest': `sha-512=:AAAA:, sha-256=:${b64}:` })).status).toBe(
      201,
    );
    expect((await put('digest.raw', bytes, { Digest: `SHA-256=${b64}` })).status).toBe(201);
    const again = await put('repr.raw', bytes);
    expect([again.status, again.json.code]).toEqual([409, 'ALREADY_EXISTS']);
    for (const name of ['repr.raw', 'digest.raw'])
      expect((await call(h.restUrl, ADMIN, 'DELETE', `/pools/default/images/${name}`)).status).toBe(204);
  });

  it('a wrong or malformed digest is a 400 and leaves nothing', async () => {
    const wrong = await put('bad.raw', bytes, { 'X-Content-SHA256': 'ab'.repeat(32) });
    expect([wrong.status, wrong.json.code]).toEqual([400, 'INVALID_ARGUMENT']);
    expect(wrong.json.detail).toContain('SHA-256');
    const malformed = await put('bad.raw', bytes, { 'X-Content-SHA256': 'xyz' });
    expect([malformed.status, malformed.json.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const short = await put('bad.raw', bytes, { 'Repr-Digest': 'sha-256=:AAAA:' });
    expect(short.status).toBe(400);
    const twoDigests = await put('bad.raw', bytes, {
      'X-Content-SHA256': sha.toString('hex'),
      Digest: `SHA-256=${Buffer.alloc(32).toString('base64')}`,
    });
    expect(twoDigests.status).toBe(400);
    expect(await settledListing(dir, ['disk.raw'])).toEqual(['disk.raw']);
  });

  it('refuses names that leave the pool or are not one file name, before reading the body', async () => {
    for (const name of ['..', '%2e%2e', '%2E%2e', '.', 'a%2Fb', '%2F..%2Fetc', 'x%00y', '%2e%2e%2fescape']) {
      const r = await rawRequest(h.restUrl, ADMIN, 'PUT', `/pools/default/images/${name}`, {
        headers: OCTETS,
        body: bytes.subarray(0, 1000),
      });
      expect(r !== 'cut' && [r.status, JSON.parse(r.text).code], name).toEqual([400, 'INVALID_ARGUMENT']);
      const g = await rawRequest(h.restUrl, ADMIN, 'GET', `/pools/default/images/${name}`);
      expect(g !== 'cut' && g.status, name).toBe(400);
    }
    const nested = await rawRequest(h.restUrl, ADMIN, 'PUT', '/pools/default/images/a/b', {
      headers: OCTETS,
    });
    expect(nested !== 'cut' && nested.status).toBe(404);
    const badPercent = await rawRequest(h.restUrl, ADMIN, 'PUT', '/pools/default/images/%zz', {
      headers: OCTETS,
    });
    expect(badPercent !== 'cut' && badPercent.status).toBe(400);
    const long = await put('n'.repeat(256), bytes.subarray(0, 10));
    expect(long.status).toBe(400);
    expect(await settledListing(dir, ['disk.raw'])).toEqual(['disk.raw']);
  });

  it('readers and operators may list but not upload, download or delete', async () => {
    for (const user of [READER, OPER]) {
      const up = await put('theirs.raw', bytes.subarray(0, 1000), {}, user);
      expect([up.status, up.json.code]).toEqual([403, 'ACCESS_DENIED']);
      const down = await call(h.restUrl, user, 'GET', '/pools/default/images/disk.raw');
      expect(down.status).toBe(403);
      const del = await call(h.restUrl, user, 'DELETE', '/pools/default/images/disk.raw');
      expect(del.status).toBe(403);
    }
    expect(await settledListing(dir, ['disk.raw'])).toEqual(['disk.raw']);
  });

  it('an upload over the limit is 413: announced (before a byte is read) or chunked (when it gets there)', async () => {
    const declared = await rawRequest(h.restUrl, ADMIN, 'PUT', '/pools/default/images/big.raw', {
      headers: { ...OCTETS, 'Content-Length': LIMIT + 1 },
      stallAfter: 1000,
      body: bytes,
    });
    expect(declared !== 'cut' && declared.status).toBe(413);
    async function* chunks() {
      for (let i = 0; i < 20; i++) yield randomBytes(256 << 10);
    }
    const chunked = await fetch(`${h.restUrl}/pools/default/images/big.raw`, {
      method: 'PUT',
      headers: { ...OCTETS, Authorization: `Basic ${Buffer.from(ADMIN.join(':')).toString('base64')}` },
      body: ReadableStreamFrom(chunks()),
      duplex: 'half',
    } as RequestInit).catch((e: Error) => e);
    // The server answers 413 and closes: the client sees the answer, or its body cut off under it.
    if (!(chunked instanceof Error)) expect(chunked.status).toBe(413);
    expect(await settledListing(dir, ['disk.raw'])).toEqual(['disk.raw']);
  });

  it("an upload over the pool's free space is 413 before a byte is read", async () => {
    const pool = await h.api.pools.get('default');
    const free = pool.capacityBytes - pool.usedBytes;
    const big = await rawRequest(h.restUrl, ADMIN, 'PUT', '/pools/default/images/huge.raw', {
      headers: { ...OCTETS, 'Content-Length': String(free + 1n) },
      stallAfter: 10,
      body: bytes,
    });
    expect(big !== 'cut' && [big.status, JSON.parse(big.text).code]).toEqual([413, 'LIMIT_EXCEEDED']);
    expect(big !== 'cut' && JSON.parse(big.text).detail).toMatch(/free space|upload limit/);
  });

  it('an upload cut in the middle, or stalled, leaves nothing behind', async () => {
    const cut = await rawRequest(h.restUrl, ADMIN, 'PUT', '/pools/default/images/cut.raw', {
      headers: { ...OCTETS, 'Content-Length': bytes.length },
      body: bytes,
      cutAfter: 150_000,
    });
    expect(cut).toBe('cut');
    expect(await settledListing(dir, ['disk.raw'])).toEqual(['disk.raw']);
    // Without the idle limit this request would hang past the test's timeout.
    const stalled = await rawRequest(h.restUrl, ADMIN, 'PUT', '/pools/default/images/stall.raw', {
      headers: { ...OCTETS, 'Content-Length': bytes.length },
      body: bytes,
      stallAfter: 150_000,
    }).catch((e: Error) => e);
    // The idle limit (2 s here) ends the connection; what the client reads then is no success.
    expect(stalled instanceof Error || (stalled !== 'cut' && stalled.status >= 400)).toBe(true);
    expect(await settledListing(dir, ['disk.raw'])).toEqual(['disk.raw']);
  });

  it('a body that is not application/octet-stream is 415; DELETE removes the image', async () => {
    const json = await call(h.restUrl, ADMIN, 'PUT', '/pools/default/images/j.raw', { body: { a: 1 } });
    expect(json.status).toBe(415);
    expect((await call(h.restUrl, ADMIN, 'DELETE', '/pools/default/images/disk.raw')).status).toBe(204);
    const gone = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images/disk.raw');
    expect([gone.status, gone.json.code]).toEqual([404, 'NOT_FOUND']);
    expect((await call(h.restUrl, ADMIN, 'DELETE', '/pools/default/images/disk.raw')).status).toBe(404);
    expect(await settledListing(dir, [])).toEqual([]);
  });
});

function ReadableStreamFrom(it: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  return ReadableStream.from(it);
}
