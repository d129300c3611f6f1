import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../events.js';
import { SocketApi } from './client.js';
import { MAX_DATA_CHUNK } from './frames.js';
import { STREAM_WINDOW_BYTES } from './messages.js';
import { patternBytes, type StreamLog, streamFake, streamLog } from './peers.case.test.js';
import { type ApiSocketServer, serveApi } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-stream-'));
let n = 0;
const open: { server: ApiSocketServer; api: SocketApi }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.api.close();
    await o.server.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve(log: StreamLog, o: Parameters<typeof streamFake>[1] = {}) {
  const server = serveApi(() => streamFake(log, o));
  const path = join(dir, `s${n++}.sock`);
  await server.listen(path);
  const api = await SocketApi.connect(path);
  open.push({ server, api });
  return { server, api, path };
}

/** A body of `total` pattern bytes in chunks of `size`, counting what it has yielded. */
function body(total: number, size: number, made: { bytes: number }) {
  return (async function* () {
    for (let at = 0; at < total; at += size) {
      const chunk = patternBytes(at, Math.min(size, total - at));
      made.bytes += chunk.length;
      yield chunk;
    }
  })();
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** What may be in flight at once: the window, a chunk the sender holds, a chunk the reader holds. */
const SLACK = STREAM_WINDOW_BYTES + 2 * 100_000 + MAX_DATA_CHUNK;

describe('streams over the socket', () => {
  it('uploads a body intact, never more than a window ahead of a slow reader', async () => {
    const log = streamLog();
    const { api } = await serve(log, { readDelayMs: 1 });
    const made = { bytes: 0 };
    let maxAhead = 0;
    const total = 3 * 1024 * 1024 + 17;
    const src = body(total, 100_000, made);
    const watched = (async function* () {
      for await (const c of src) {
        maxAhead = Math.max(maxAhead, made.bytes - log.uploadRead);
        yield c;
      }
    })();
    const info = await api.pools.upload('p', 'disk.raw', watched, { sizeBytes: BigInt(total) });
    expect(info.sizeBytes).toBe(BigInt(total));
    expect(log.uploaded.get('disk.raw')).toEqual({ bytes: total, sha256: sha(patternBytes(0, total)) });
    expect(maxAhead).toBeLessThanOrEqual(SLACK);
    expect(maxAhead).toBeGreaterThan(0);
  });

  it("carries a package upload in the source's body", async () => {
    const log = streamLog();
    const { api } = await serve(log);
    const plan = await api.packages.inspect({
      kind: 'upload',
      fileName: 'web.ova',
      body: body(500_000, 65_536, { bytes: 0 }),
    });
    expect(plan.warnings).toEqual(['read 500000 bytes']);
    expect(log.uploaded.get('web.ova')?.sha256).toBe(sha(patternBytes(0, 500_000)));
  });

  it('downloads intact, the host never more than a window ahead of a slow reader', async () => {
    const log = streamLog();
    const total = 3 * 1024 * 1024;
    const { api } = await serve(log, { downloadBytes: total });
    const parts: Uint8Array[] = [];
    let read = 0;
    let maxAhead = 0;
    for await (const chunk of await api.pools.download('p', 'disk.raw')) {
      await new Promise((r) => setTimeout(r, 1));
      read += chunk.length;
      maxAhead = Math.max(maxAhead, log.downloadMade - read);
      parts.push(chunk);
    }
    expect(sha(Buffer.concat(parts))).toBe(sha(patternBytes(0, total)));
    expect(maxAhead).toBeLessThanOrEqual(SLACK);
    expect(log.downloadsEnded).toBe(1);
  });

  it('fails a download that breaks on the host with its error, after the bytes before it', async () => {
    const { api } = await serve(streamLog(), { downloadBytes: 1 << 20 });
    let read = 0;
    const reading = (async () => {
      for await (const chunk of await api.artifacts.download('broken')) read += chunk.length;
    })();
    await expect(reading).rejects.toMatchObject({ code: 'HOST_STORE', message: 'The artifact store broke' });
    expect(read).toBe(300_000);
  });

  it('gives a download up on the host when the reader stops, and the connection goes on', async () => {
    const log = streamLog();
    const { api } = await serve(log, { downloadBytes: 64 << 20 });
    for await (const _ of await api.artifacts.download('a1')) break;
    await until(() => log.downloadsEnded === 1);
    expect(log.downloadMade).toBeLessThan(2 * SLACK);
    expect((await api.host.info()).name).toBe('fake');
  });

  it('carries a console both ways and closes it', async () => {
    const log = streamLog();
    const { api } = await serve(log);
    const ch = await api.consoles.open('web1', 'serial');
    const input = ch.input[Symbol.asyncIterator]();
    await ch.write(new TextEncoder().encode('hello, console'));
    expect(Buffer.from((await input.next()).value as Uint8Array).toString()).toBe('HELLO, CONSOLE');
    await ch.close();
    expect(log.channelsClosed).toBe(1);
    expect((await input.next()).done).toBe(true);
    await expect(ch.write(new Uint8Array(1))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('delivers events until the subscription is closed, and none after', async () => {
    const log = streamLog();
    const { api } = await serve(log);
    const got: ApiEvent[] = [];
    const sub = await api.events.subscribe({}, (e) => got.push(e));
    log.push(10, 10);
    await until(() => got.length === 10);
    await sub.close();
    await sub.ended;
    expect(log.subscriptionsClosed).toBe(1);
    log.push(5, 10);
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("keeps the connection when a caller's listener throws", async () => {
    const log = streamLog();
    const { api } = await serve(log);
    let calls = 0;
    await api.events.subscribe({}, () => {
      calls++;
      throw new Error('listener bug');
    });
    log.push(3, 10);
    await until(() => calls === 3);
    expect((await api.host.info()).name).toBe('fake');
  });
});

async function until(test: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
