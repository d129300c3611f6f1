import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomImageBytes } from '../../../test/helpers/random-image.js';
import { hostApiFactory } from '../../wbem/index.js';
import { serveRest } from '../serve.js';
import { type RestTestHost, startRestTestHost } from '../test-host.js';
import { RestApi } from './api.js';

// Pool images through RestApi (the Api over /api/v1): upload with a digest, download, delete; refusals come back
// as the Api's codes; and a transfer far larger than what either side may hold goes through in bounded memory
// (client and server share this process, so buffering on either side would show in its heap and RSS).

let h: RestTestHost;
let admin: RestApi;
let reader: RestApi;
let dir: string;

beforeAll(async () => {
  h = await startRestTestHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['reader', 'reader', 'rd-pass'],
    ],
  });
  const url = new URL(h.restUrl.replace(/\/api\/v1$/, '/'));
  admin = new RestApi({ url, user: 'admin', password: 'secret' });
  reader = new RestApi({ url, user: 'reader', password: 'rd-pass' });
  dir = (await h.api.pools.get('default')).path ?? '';
});
afterAll(async () => {
  await admin?.close();
  await reader?.close();
  await h?.close();
});

/** `count` chunks of 1 MiB, each filled with its index: a stream that is never whole in memory. */
async function* generated(count: number) {
  for (let i = 0; i < count; i++) yield new Uint8Array(1 << 20).fill(i & 0xff);
}

async function* once(bytes: Uint8Array) {
  yield bytes;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code ?? 'no code',
  );
}

describe('RestApi pool images', () => {
  it('uploads with a SHA-256, lists, downloads the same bytes and deletes', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const image = await admin.pools.upload('default', 'a.raw', once(bytes), { sha256, sizeBytes: 70_000n });
    expect([image.name, image.sizeBytes, image.format]).toEqual(['a.raw', 70_000n, 'raw']);
    expect((await reader.pools.images('default')).map((i) => i.name)).toEqual(['a.raw']);
    const back: Buffer[] = [];
    for await (const c of await admin.pools.download('default', 'a.raw')) back.push(Buffer.from(c));
    expect(Buffer.concat(back).equals(Buffer.from(bytes))).toBe(true);
    expect(await refusal(admin.pools.upload('default', 'a.raw', once(bytes)))).toBe('ALREADY_EXISTS');
    expect(
      await refusal(admin.pools.upload('default', 'b.raw', once(bytes), { sha256: '0'.repeat(64) })),
    ).toBe('INVALID_ARGUMENT');
    expect(await refusal(admin.pools.upload('default', 'c.raw', once(bytes), { sizeBytes: 5n }))).not.toBe(
      'resolved',
    );
    for (const name of ['..', '.', 'a/b', 'x\0y'])
      expect(await refusal(admin.pools.upload('default', name, once(bytes))), name).toBe('INVALID_ARGUMENT');
    // "%2e%2e" as a name is those six characters (sent as %252e%252e), a plain file of the pool.
    expect((await admin.pools.upload('default', '%2e%2e', once(bytes))).name).toBe('%2e%2e');
    expect((await stat(join(dir, '%2e%2e'))).size).toBe(70_000);
    await admin.pools.deleteImage('default', '%2e%2e');
    expect(await refusal(admin.pools.download('default', '..'))).toBe('INVALID_ARGUMENT');
    expect(await refusal(admin.pools.deleteImage('default', '..'))).toBe('INVALID_ARGUMENT');
    expect(await refusal(reader.pools.upload('default', 'r.raw', generated(64)))).toBe('ACCESS_DENIED');
    expect(await refusal(reader.pools.download('default', 'a.raw'))).toBe('ACCESS_DENIED');
    expect(await refusal(admin.pools.download('default', 'none.raw'))).toBe('NOT_FOUND');
    await admin.pools.deleteImage('default', 'a.raw');
    expect(await refusal(admin.pools.deleteImage('default', 'a.raw'))).toBe('NOT_FOUND');
    expect((await admin.pools.images('default')).map((i) => i.name)).toEqual([]);
  });

  it('a cut download resumed with an offset gives the exact bytes; the host reads only from the offset', async () => {
    const bytes = randomImageBytes(3 << 20);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await admin.pools.upload('default', 'cut.raw', once(bytes), { sha256 });
    // The first download is given up after its first megabyte or so, as a cut connection would leave it.
    const got: Buffer[] = [];
    let have = 0;
    for await (const c of await admin.pools.download('default', 'cut.raw')) {
      got.push(Buffer.from(c));
      have += c.length;
      if (have >= 1 << 20) break;
    }
    expect(have).toBeLessThan(bytes.length);
    // The second asks for the rest only: what the host's Api is asked for is that offset (a spy session factory).
    const offsets: (bigint | undefined)[] = [];
    const spy = await serveRest({
      api: (principal) => {
        const api = hostApiFactory(h.host)(principal);
        const download = api.pools.download.bind(api.pools);
        api.pools.download = (id, name, o) => {
          offsets.push(o?.offset);
          return download(id, name, o);
        };
        return api;
      },
      stateDir: h.stateDir,
      users: h.host.users,
      http: { port: 0 },
      web: false,
    });
    const viaSpy = new RestApi({
      url: new URL(`http://127.0.0.1:${spy.server.httpPort}/`),
      user: 'admin',
      password: 'secret',
    });
    try {
      let rest = 0;
      for await (const c of await viaSpy.pools.download('default', 'cut.raw', { offset: BigInt(have) })) {
        got.push(Buffer.from(c));
        rest += c.length;
      }
      expect(rest).toBe(bytes.length - have);
      expect(offsets).toEqual([BigInt(have)]);
      expect(createHash('sha256').update(Buffer.concat(got)).digest('hex')).toBe(sha256);
      // At the very end there is nothing left; past it, the Range is refused.
      const none: Buffer[] = [];
      for await (const c of await h.api.pools.download('default', 'cut.raw', {
        offset: BigInt(bytes.length),
      }))
        none.push(Buffer.from(c));
      expect(none).toEqual([]);
      expect(
        await refusal(viaSpy.pools.download('default', 'cut.raw', { offset: BigInt(bytes.length + 1) })),
      ).not.toBe('resolved');
      expect(await refusal(h.api.pools.download('default', 'cut.raw', { offset: -1n }))).toBe(
        'INVALID_ARGUMENT',
      );
    } finally {
      await viaSpy.close();
      await spy.close();
      await admin.pools.deleteImage('default', 'cut.raw');
    }
  });

  it('moves 384 MiB up and down in bounded memory', async () => {
    const MIB = 384;
    globalThis.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    const sample = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    const t0 = performance.now();
    try {
      const up = await admin.pools.upload('default', 'big.raw', generated(MIB));
      expect(up.sizeBytes).toBe(BigInt(MIB) << 20n);
      const tUp = performance.now();
      let seen = 0;
      let wrong = 0;
      for await (const c of await admin.pools.download('default', 'big.raw')) {
        // Each MiB is filled with its index: a byte out of place is counted.
        const at = Math.floor(seen / (1 << 20)) & 0xff;
        if (c[0] !== at) wrong++;
        seen += c.length;
      }
      const tDown = performance.now();
      expect([seen, wrong]).toEqual([MIB << 20, 0]);
      expect((await stat(join(dir, 'big.raw'))).size).toBe(MIB << 20);
      const growthMib = (peakRss - before.rss) / (1 << 20);
      console.info(
        `384 MiB over REST: up ${((MIB / (tUp - t0)) * 1000).toFixed(0)} MiB/s, down ` +
          `${((MIB / (tDown - tUp)) * 1000).toFixed(0)} MiB/s, peak RSS growth ${growthMib.toFixed(0)} MiB`,
      );
      expect(growthMib).toBeLessThan(128);
    } finally {
      clearInterval(sample);
      await admin.pools.deleteImage('default', 'big.raw').catch(() => undefined);
    }
  }, 180_000);
});
