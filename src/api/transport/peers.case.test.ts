import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { Api } from '../api.js';
import type { ByteChannel, ByteStream } from '../common.js';
import { fakeApi } from '../conformance/fake.case.test.js';
import { ApiError } from '../errors.js';
import type { ApiEvent } from '../events.js';
import { FrameReader, jsonFrame } from './frames.js';

/**
 * Test support of the socket transport (not a Vessel part): a raw peer that speaks frames by hand (to send what
 * no SocketApi would), and a FAKE of the Api's streaming methods (uploads, downloads, a console, events on
 * demand) that records what the transport made it do.
 */

/** What a raw peer has received: JSON messages as objects, data frames as `{ data: id, bytes }`. */
export type Received = Record<string, unknown> & { t?: string; id?: number | null };

/** A hand-driven connection to a socket server. */
export interface RawPeer {
  socket: Socket;
  received: Received[];
  /** Bytes of data frames received, by call id. */
  data: Map<number, Buffer[]>;
  send(message: unknown): void;
  /** Resolves with the first received message that `test` accepts (waiting up to `ms`). */
  waitFor(test: (m: Received) => boolean, ms?: number): Promise<Received>;
  closed: Promise<void>;
}

/** Connects a raw peer; resolves once the host's hello has arrived. */
export function rawPeer(path: string): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const reader = new FrameReader(1 << 28, 'The host');
    const received: Received[] = [];
    const data = new Map<number, Buffer[]>();
    const waiters = new Set<() => void>();
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.kind === 'json') received.push(JSON.parse(f.text) as Received);
        else data.set(f.id, [...(data.get(f.id) ?? []), Buffer.from(f.bytes)]);
      }
      for (const w of waiters) w();
    });
    const peer: RawPeer = {
      socket,
      received,
      data,
      closed,
      send: (m) => socket.write(jsonFrame(m)),
      waitFor: (test, ms = 5000) =>
        new Promise((res, rej) => {
          const check = () => {
            const m = received.find(test);
            if (m === undefined) return;
            waiters.delete(check);
            clearTimeout(timer);
            res(m);
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            rej(
              new Error(
                `no such message within ${ms} ms; received ${JSON.stringify(received).slice(0, 600)}`,
              ),
            );
          }, ms);
          waiters.add(check);
          check();
        }),
    };
    socket.once('connect', () => {
      peer.waitFor((m) => m.t === 'hello').then(() => resolve(peer), reject);
    });
    socket.once('error', reject);
  });
}

/** What the streaming fake saw. */
export interface StreamLog {
  /** Bytes each upload delivered, by image or file name. */
  uploaded: Map<string, { bytes: number; sha256: string }>;
  /** Bytes the fake has read from uploads so far. */
  uploadRead: number;
  /** Bytes the fake's downloads have yielded so far. */
  downloadMade: number;
  downloadsEnded: number;
  channelsClosed: number;
  subscriptionsClosed: number;
  sessionsClosed: number;
  /** Pushes `count` events of about `size` bytes to every live subscriber. */
  push(count: number, size?: number): void;
}

/** A fresh log for {@link streamFake}. */
export function streamLog(): StreamLog {
  return {
    uploaded: new Map(),
    uploadRead: 0,
    downloadMade: 0,
    downloadsEnded: 0,
    channelsClosed: 0,
    subscriptionsClosed: 0,
    sessionsClosed: 0,
    push: () => {},
  };
}

/**
 * A FAKE of the Api for stream tests: the conformance fake plus pools.upload (hashes what it reads),
 * packages.inspect (reads an uploaded package), pools.download and artifacts.download (`downloadBytes` of a known
 * pattern; the artifact `broken` fails part-way with HOST_STORE), consoles.open (echoes its input upper-cased),
 * and events on demand (`log.push`). Uploads are read with `readDelayMs` between chunks, so a transport without
 * flow control would run ahead of them.
 */
export function streamFake(log: StreamLog, o: { downloadBytes?: number; readDelayMs?: number } = {}): Api {
  const base = fakeApi();
  const subs = new Set<(e: ApiEvent) => void>();
  let seq = 0;
  log.push = (count, size = 4000) => {
    for (let i = 0; i < count; i++) {
      const e = {
        seq: ++seq,
        time: new Date().toISOString(),
        type: 'system.reset',
        uuid: 'u',
        detail: 'x'.repeat(size),
      };
      for (const on of subs) on(e as ApiEvent);
    }
  };
  async function drain(body: ByteStream): Promise<{ bytes: number; sha256: string }> {
    const h = createHash('sha256');
    let bytes = 0;
    for await (const chunk of body) {
      await new Promise((r) => setTimeout(r, o.readDelayMs ?? 0));
      h.update(chunk);
      bytes += chunk.length;
      log.uploadRead += chunk.length;
    }
    return { bytes, sha256: h.digest('hex') };
  }
  async function* pattern(total: number, failAt?: number): AsyncGenerator<Uint8Array> {
    try {
      for (let at = 0; at < total; at += 100_000) {
        if (failAt !== undefined && at >= failAt)
          throw new ApiError('HOST_STORE', 'The artifact store broke');
        const chunk = patternBytes(at, Math.min(100_000, total - at));
        log.downloadMade += chunk.length;
        yield chunk;
      }
    } finally {
      log.downloadsEnded++;
    }
  }
  const size = o.downloadBytes ?? 1 << 20;
  return {
    ...base,
    close: async () => {
      log.sessionsClosed++;
      await base.close();
    },
    events: {
      list: base.events.list,
      subscribe: async (_q, on) => {
        subs.add(on);
        let end = () => {};
        const ended = new Promise<void>((r) => {
          end = r;
        });
        return {
          ended,
          close: async () => {
            if (subs.delete(on)) log.subscriptionsClosed++;
            end();
          },
        };
      },
    },
    pools: {
      ...base.pools,
      upload: async (_id, name, body) => {
        const got = await drain(body);
        log.uploaded.set(name, got);
        return { name, sizeBytes: BigInt(got.bytes), format: 'raw', usedBy: [] };
      },
      download: async () => pattern(size),
    },
    packages: {
      ...base.packages,
      inspect: async (source) => {
        if (source.kind !== 'upload')
          throw new ApiError('NOT_SUPPORTED', 'The stream fake inspects uploads only');
        const got = await drain(source.body);
        log.uploaded.set(source.fileName, got);
        return {
          systems: [],
          properties: [],
          eulas: [],
          networks: [],
          configurations: [],
          warnings: [`read ${got.bytes} bytes`],
        };
      },
    },
    artifacts: {
      ...base.artifacts,
      download: async (id) => pattern(size, id === 'broken' ? 300_000 : undefined),
    },
    consoles: { ...base.consoles, open: async () => echo(log) },
  };
}

/** Bytes `at` .. `at + n` of the fake's download pattern. */
export function patternBytes(at: number, n: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (at + i) % 251);
}

function echo(log: StreamLog): ByteChannel {
  const out: Uint8Array[] = [];
  let wake = () => {};
  let closed = false;
  return {
    input: (async function* () {
      while (!closed) {
        const c = out.shift();
        if (c !== undefined) yield c;
        else
          await new Promise<void>((r) => {
            wake = r;
          });
      }
    })(),
    write: async (bytes) => {
      if (closed) throw new ApiError('INVALID_STATE', 'The console is closed');
      out.push(Buffer.from(Buffer.from(bytes).toString('latin1').toUpperCase(), 'latin1'));
      wake();
    },
    close: async () => {
      if (!closed) log.channelsClosed++;
      closed = true;
      wake();
    },
  };
}
