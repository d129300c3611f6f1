import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import type { Api } from '../api.js';
import { fakeApi } from '../conformance/fake.case.test.js';
import { ApiError } from '../errors.js';
import { SocketApi } from './client.js';
import { dataFrame, FRAME_HEADER_BYTES, jsonFrame } from './frames.js';
import type { ApiServerLimits } from './limits.js';
import { STREAM_WINDOW_BYTES } from './messages.js';
import { rawPeer, type StreamLog, streamFake, streamLog } from './peers.case.test.js';
import { type ApiSocketServer, serveApi } from './server.js';

/**
 * The socket server against clients that are broken, slow, greedy or hostile: every case is answered with a code
 * that says what was wrong, stays within its own connection, and leaves the other clients served.
 */

const dir = mkdtempSync(join(tmpdir(), 'vessel-hostile-'));
let n = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LIMITS: Partial<ApiServerLimits> = {
  maxFrameBytes: 65_536,
  maxInFlight: 4,
  partialFrameTimeoutMs: 400,
  maxUnreadBytes: 256 << 10,
  maxStreams: 3,
};

/** Counts the calls an Api is running at once. */
function counting(api: Api, seen: { now: number; max: number; calls: number }): Api {
  const wrap = <T extends object>(space: T): T =>
    new Proxy(space, {
      get(target, key) {
        const fn = Reflect.get(target, key) as unknown;
        if (typeof fn !== 'function') return fn;
        return async (...args: unknown[]) => {
          seen.now++;
          seen.calls++;
          seen.max = Math.max(seen.max, seen.now);
          try {
            await new Promise((r) => setImmediate(r)); // hold the slot a moment, as real work would
            return await (fn as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            seen.now--;
          }
        };
      },
    });
  return { ...api, host: wrap(api.host), systems: wrap(api.systems), jobs: wrap(api.jobs) };
}

async function serve(
  open: () => Api,
  limits: Partial<ApiServerLimits> = LIMITS,
): Promise<{ server: ApiSocketServer; path: string; client: () => Promise<SocketApi> }> {
  const server = serveApi(open, { limits });
  const path = join(dir, `h${n++}.sock`);
  await server.listen(path);
  cleanups.push(() => server.close());
  const client = async () => {
    const api = await SocketApi.connect(path);
    cleanups.push(() => api.close());
    return api;
  };
  return { server, path, client };
}

async function raw(path: string) {
  const p = await rawPeer(path);
  cleanups.push(async () => {
    p.socket.destroy();
  });
  return p;
}

const connectionError = (m: { t?: string; id?: unknown }) => m.t === 'error' && m.id === null;

describe('the Api socket server under hostile clients', () => {
  it('refuses an oversized frame with PROTOCOL naming the sizes, and closes only that connection', async () => {
    const { path, client } = await serve(() => fakeApi());
    const bad = await raw(path);
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(65_537, 0);
    bad.socket.write(header);
    const e = await bad.waitFor(connectionError);
    expect(e.error).toMatchObject({
      code: 'PROTOCOL',
      message:
        'The client sent a frame of 65537 bytes, more than the 65536 accepted (is it a Vessel API peer?)',
    });
    await bad.closed;
    expect((await (await client()).host.info()).name).toBe('fake');
  });

  it.each([
    ['HTTP', Buffer.from('GET / HTTP/1.1\r\nHost: vessel\r\n\r\n'), /frame of 1195725856 bytes/],
    ['a frame of unknown kind', Buffer.from([0, 0, 0, 2, 7, 0]), /frame of unknown kind 7/],
    ['an empty frame', Buffer.from([0, 0, 0, 0]), /empty frame/],
    ['text that is not JSON', Buffer.from([0, 0, 0, 2, 0, 0x7b]), /not JSON: \{/],
    [
      'a call without an id',
      jsonFrame({ t: 'call', method: 'host.info', params: {} }),
      /malformed "call" message: \/id/,
    ],
    ['a message of unknown type', jsonFrame({ t: 'launch', id: 1 }), /unknown type "launch"/],
    ['a data frame without an id', Buffer.from([0, 0, 0, 3, 1, 0, 0]), /data frame without a call id/],
  ])('answers %s with PROTOCOL and closes the connection', async (_what, bytes, why) => {
    const { path, client } = await serve(() => fakeApi());
    const bad = await raw(path);
    bad.socket.write(bytes);
    const e = await bad.waitFor(connectionError);
    expect(e.error).toMatchObject({ code: 'PROTOCOL', message: expect.stringMatching(why) });
    await bad.closed;
    expect((await (await client()).host.info()).name).toBe('fake');
  });

  it('answers an unknown method with PROTOCOL naming it, and the connection goes on', async () => {
    const { path } = await serve(() => fakeApi());
    const peer = await raw(path);
    peer.send({ t: 'call', id: 1, method: 'systems.fly', params: {} });
    peer.send({ t: 'call', id: 2, method: 'host.info', params: {} });
    expect((await peer.waitFor((m) => m.id === 1)).error).toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringMatching(/^Unknown method "systems.fly"/),
    });
    expect((await peer.waitFor((m) => m.id === 2)).result).toMatchObject({ name: 'fake' });
  });

  it.each([
    ['systems.get', { ref: 5 }, 'Invalid parameters of systems.get: /ref: Expected string'],
    ['systems.get', { ref: 'a', extra: 1 }, 'Invalid parameters of systems.get: /extra: Unexpected property'],
    ['host.info', null, 'Invalid parameters of host.info: the value: Expected object'],
    [
      'systems.changeState',
      { ref: 'a', operation: 'fly' },
      'Invalid parameters of systems.changeState: /operation',
    ],
    [
      'systems.define',
      { definition: { system: {}, resources: [{ cimClass: 'CIM_Nonsense', properties: {} }] } },
      'Invalid parameters of systems.define: /definition/resources/0',
    ],
    [
      'jobs.wait',
      { id: 'j1', options: { timeoutMs: -5 } },
      'Invalid parameters of jobs.wait: /options/timeoutMs',
    ],
    [
      'pools.upload',
      { id: 'p', name: 'a', options: { sizeBytes: '99999999999999999999' } },
      'beyond an unsigned 64-bit',
    ],
  ])(
    'answers %s with wrong params %j by INVALID_ARGUMENT naming the method and the place',
    async (method, params, why) => {
      const { path } = await serve(() => fakeApi());
      const peer = await raw(path);
      peer.send({ t: 'call', id: 9, method, params });
      const answer = await peer.waitFor((m) => m.id === 9);
      expect(answer.t).toBe('error');
      expect((answer.error as { code: string }).code).toBe('INVALID_ARGUMENT');
      expect((answer.error as { message: string }).message).toContain(why);
      peer.send({ t: 'call', id: 10, method: 'host.info', params: {} });
      expect((await peer.waitFor((m) => m.id === 10)).t).toBe('result');
    },
  );

  it('refuses wrong arguments in the client before sending, naming the method and the place', async () => {
    const { client } = await serve(() => fakeApi());
    const api = await client();
    await expect(api.systems.get(5 as unknown as string)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Invalid parameters of systems.get: /ref: Expected string',
    });
    await expect(api.events.subscribe({ limit: 5 } as never, () => {})).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^Invalid parameters of events.subscribe: \/query\/limit/),
    });
    await expect(api.systems.list({ onError: () => {} } as never)).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: 'systems.list: query.onError is a function, which cannot travel',
    });
  });

  it('answers 1,000 concurrent calls of one connection, running at most maxInFlight at once', async () => {
    const seen = { now: 0, max: 0, calls: 0 };
    const { client } = await serve(() => counting(fakeApi(), seen));
    const api = await client();
    const job = await api.systems.define(
      buildDefinition({ name: 'many', cpus: 1, memoryBytes: 64n << 20n }),
      {
        waitMs: Number.POSITIVE_INFINITY,
      },
    );
    const uuid = job.result!.uuid;
    const calls = Array.from({ length: 1000 }, (_, i) =>
      i % 3 === 0 ? api.systems.get('many') : i % 3 === 1 ? api.host.info() : api.jobs.get(job.id),
    );
    const answers = await Promise.all(calls);
    expect(answers).toHaveLength(1000);
    expect(answers.filter((a) => 'uuid' in a && a.uuid === uuid)).toHaveLength(334);
    expect(answers.filter((a) => 'name' in a && a.name === 'fake')).toHaveLength(333);
    expect(answers.filter((a) => 'id' in a && a.id === job.id)).toHaveLength(333);
    expect(seen.calls).toBe(1001);
    expect(seen.max).toBe(4);
  });

  it('answers LIMIT_EXCEEDED to calls beyond the queue, and the rest in full', async () => {
    const slow = (): Api => {
      const api = fakeApi();
      return {
        ...api,
        host: {
          ...api.host,
          info: async () => {
            await new Promise((r) => setTimeout(r, 100));
            return api.host.info();
          },
        },
      };
    };
    const { client } = await serve(slow, { ...LIMITS, maxInFlight: 1, maxQueuedCalls: 10 });
    const api = await client();
    const settled = await Promise.allSettled(Array.from({ length: 50 }, () => api.host.info()));
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(11);
    expect(refused).toHaveLength(39);
    expect(refused.every((s) => (s.reason as { code: string }).code === 'LIMIT_EXCEEDED')).toBe(true);
  });

  it('serves others while a client sends half a frame and stops, and closes that one at the deadline', async () => {
    // A deadline long enough for the others' 50 calls on a loaded machine.
    const { path, client } = await serve(() => fakeApi(), { ...LIMITS, partialFrameTimeoutMs: 2000 });
    const half = await raw(path);
    const frame = jsonFrame({ t: 'call', id: 1, method: 'host.info', params: {} });
    half.socket.write(frame.subarray(0, 9));
    let halfClosed = false;
    void half.closed.then(() => (halfClosed = true));
    const api = await client();
    const answers = await Promise.all(Array.from({ length: 50 }, () => api.host.info()));
    expect(answers).toHaveLength(50);
    expect(halfClosed).toBe(false);
    const e = await half.waitFor(connectionError, 6000);
    expect(e.error).toMatchObject({ code: 'PROTOCOL', message: 'A frame was not finished within 2000 ms' });
    await half.closed;
    expect((await api.host.info()).name).toBe('fake');
  });

  it('gives up the streams and closes the session of a client that disconnects mid-stream', async () => {
    const log: StreamLog = streamLog();
    const { server, path, client } = await serve(() => streamFake(log, { downloadBytes: 64 << 20 }));
    const other = await client();
    const peer = await raw(path);
    peer.send({ t: 'call', id: 1, method: 'events.subscribe', params: { query: {} } });
    peer.send({ t: 'call', id: 2, method: 'artifacts.download', params: { id: 'a1' } });
    peer.send({ t: 'call', id: 3, method: 'consoles.open', params: { ref: 'web1', kind: 'serial' } });
    await peer.waitFor((m) => m.id === 3 && m.t === 'result');
    await peer.waitFor((m) => m.id === 2 && m.t === 'result');
    peer.send({ t: 'credit', id: 2, bytes: 100_000 });
    await until(() => (peer.data.get(2)?.length ?? 0) > 0);
    peer.socket.destroy();
    await until(() => log.sessionsClosed === 1);
    expect(log.subscriptionsClosed).toBe(1);
    expect(log.channelsClosed).toBe(1);
    await until(() => log.downloadsEnded === 1);
    expect(log.downloadMade).toBeLessThan(1 << 20);
    expect(server.connectionCount).toBe(1);
    expect((await other.host.info()).name).toBe('fake');
  });

  it('drops a subscriber that stops reading, and keeps serving the others', async () => {
    const log: StreamLog = streamLog();
    const shared = streamFake(log);
    const { path, client } = await serve(() => ({ ...shared, close: async () => {} }));
    const stuck = await raw(path);
    stuck.send({ t: 'call', id: 1, method: 'events.subscribe', params: { query: {} } });
    await stuck.waitFor((m) => m.id === 1 && m.t === 'result');
    stuck.socket.pause();
    const reader = await client();
    let got = 0;
    await reader.events.subscribe({}, () => got++);
    for (let i = 0; i < 40 && !stuck.socket.destroyed; i++) {
      log.push(50, 4000); // 200 KB a round, beyond what the kernel buffers and the 256 KiB allowed unread
      await new Promise((r) => setTimeout(r, 10));
      if (
        await Promise.race([stuck.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 1))])
      )
        break;
    }
    stuck.socket.resume();
    await stuck.closed;
    await until(() => log.subscriptionsClosed === 1);
    const pushed = got;
    expect(pushed).toBeGreaterThan(0);
    expect((await reader.host.info()).name).toBe('fake');
  });

  it('closes a client that sends stream bytes beyond its credit', async () => {
    const { path, client } = await serve(() => streamFake(streamLog(), { readDelayMs: 50 }));
    const peer = await raw(path);
    peer.send({ t: 'call', id: 1, method: 'pools.upload', params: { id: 'p', name: 'x' } });
    await peer.waitFor((m) => m.t === 'credit' && m.id === 1);
    const chunk = new Uint8Array(65_536 - 9);
    for (let sent = 0; sent <= STREAM_WINDOW_BYTES; sent += chunk.length)
      peer.socket.write(dataFrame(1, chunk));
    const e = await peer.waitFor(connectionError);
    expect(e.error).toMatchObject({
      code: 'PROTOCOL',
      message: 'The client sent more bytes for call 1 than granted',
    });
    await peer.closed;
    expect((await (await client()).host.info()).name).toBe('fake');
  });

  it('holds calls sent before a slow session opens, and answers them in order', async () => {
    const server = serveApi(async () => {
      await new Promise((r) => setTimeout(r, 200));
      return fakeApi();
    });
    const path = join(dir, `h${n++}.sock`);
    await server.listen(path);
    cleanups.push(() => server.close());
    const api = await SocketApi.connect(path);
    cleanups.push(() => api.close());
    const answers = await Promise.all([api.host.info(), api.systems.list(), api.jobs.list()]);
    expect(answers).toEqual([expect.objectContaining({ name: 'fake' }), [], []]);
  });

  it('tells every call why when the session cannot be opened', async () => {
    const { client } = await serve(() => {
      throw new ApiError('ACCESS_DENIED', 'No session for you');
    });
    const api = await client();
    await expect(api.host.info()).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: 'No session for you',
    });
  });

  it('refuses a stream beyond maxStreams with LIMIT_EXCEEDED, and frees the slot when one closes', async () => {
    const { client } = await serve(() => streamFake(streamLog()));
    const api = await client();
    const subs = await Promise.all([1, 2, 3].map(() => api.events.subscribe({}, () => {})));
    await expect(api.events.subscribe({}, () => {})).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: 'events.subscribe: this connection has 3 streams open, the most allowed',
    });
    await subs[0]!.close();
    const again = await api.events.subscribe({}, () => {});
    await again.close();
  });
});

async function until(test: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
