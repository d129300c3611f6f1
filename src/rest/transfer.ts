import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ByteStream } from '../api/index.js';
import { RestError } from './errors.js';
import type { UploadBody } from './route.js';

/**
 * Bytes through the REST edge without holding them: an upload's body read as it arrives (counted against the
 * endpoint's limit and the destination's room, a stalled sender cut off), its announced SHA-256 (`X-Content-SHA256`,
 * RFC 9530 `Repr-Digest`, RFC 3230 `Digest`), and downloads written with backpressure, with `Range` (RFC 9110 §14)
 * for a resumed transfer.
 */

/** The default limit of one upload, bytes (64 GiB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 64n << 30n;
/** How long an upload may go without a byte before it is cut off, ms. */
export const DEFAULT_UPLOAD_IDLE_MS = 60_000;

/**
 * The body of `req` as an {@link UploadBody}: a declared Content-Length over the limit is refused before a byte is
 * read (413); the stream throws REST_TOO_LARGE once more bytes come than the limit (or the room `limitTo` set),
 * REST_INVALID_BODY when the client cuts the connection or sends nothing for `idleMs`.
 *
 * @example
 * const up = uploadOf(x.bodyStream(), 'application/x-tar', 64n << 30n, 60_000);
 */
export function uploadOf(
  req: IncomingMessage,
  mediaType: string,
  maxBytes: bigint,
  idleMs: number,
): UploadBody {
  const declared = req.headers['content-length'];
  const sizeBytes = declared === undefined ? undefined : BigInt(declared);
  let limit = maxBytes;
  let why = `the endpoint's upload limit of ${maxBytes} bytes`;
  const check = (size: bigint) => {
    if (size > limit) throw new RestError('REST_TOO_LARGE', `The upload of ${size} bytes is over ${why}`);
  };
  if (sizeBytes !== undefined) check(sizeBytes);
  const body = {
    sizeBytes,
    mediaType,
    maxBytes,
    failure: undefined as Error | undefined,
    limitTo(bytes: bigint, reason: string) {
      if (bytes >= limit) return;
      limit = bytes;
      why = reason;
      if (sizeBytes !== undefined) check(sizeBytes);
    },
    bytes: counted(
      req,
      (n) => check(n),
      idleMs,
      (e) => {
        body.failure = e;
      },
    ),
  };
  return body;
}

async function* counted(
  req: IncomingMessage,
  check: (n: bigint) => void,
  idleMs: number,
  failed: (e: Error) => void,
): ByteStream {
  let size = 0n;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => req.destroy(new Error(`no byte for ${Math.round(idleMs / 1000)} s`)), idleMs);
  };
  // Only the time spent waiting for the client counts: not what the consumer takes to write a chunk away.
  arm();
  try {
    // Not destroyed when the loop ends: a kept-alive connection serves the next request after this one.
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      clearTimeout(timer);
      size += BigInt(chunk.length);
      check(size);
      yield chunk;
      arm();
    }
  } catch (e) {
    const f =
      e instanceof RestError
        ? e
        : new RestError(
            'REST_INVALID_BODY',
            `The upload was cut after ${size} bytes: ${(e as Error).message}`,
          );
    failed(f);
    throw f;
  } finally {
    clearTimeout(timer);
  }
  if (!req.complete) {
    const f = new RestError('REST_INVALID_BODY', `The upload was cut after ${size} bytes`);
    failed(f);
    throw f;
  }
}

const HEX = /^[0-9a-fA-F]{64}$/;

function fromBase64(text: string, header: string): string {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 32 || !/^[A-Za-z0-9+/]{43}=$/.test(text))
    throw new RestError('REST_INVALID_HEADER', `${header}: sha-256 must be 32 bytes in base64`);
  return bytes.toString('hex');
}

/**
 * The SHA-256 a client announced for its upload, lower-case hex: `X-Content-SHA256: HEX`, `Repr-Digest:
 * sha-256=:BASE64:` (RFC 9530 §3) or `Digest: SHA-256=BASE64` (RFC 3230); other algorithms are ignored, a
 * malformed sha-256 is a 400, two that disagree too.
 *
 * @example
 * sha256Of({ 'x-content-sha256': 'e3b0c442...' }); // 'e3b0c442...'
 */
export function sha256Of(headers: IncomingHttpHeaders): string | undefined {
  const found: string[] = [];
  const x = headers['x-content-sha256'];
  if (typeof x === 'string') {
    if (!HEX.test(x.trim()))
      throw new RestError('REST_INVALID_HEADER', 'X-Content-SHA256 must be 64 hexadecimal digits');
    found.push(x.trim().toLowerCase());
  }
  for (const [name, value] of [
    ['Repr-Digest', headers['repr-digest']],
    ['Digest', headers.digest],
  ] as const) {
    if (typeof value !== 'string') continue;
    for (const item of value.split(',')) {
      const eq = item.indexOf('=');
      if (eq < 0) throw new RestError('REST_INVALID_HEADER', `${name} must be ALGORITHM=VALUE, ...`);
      if (item.slice(0, eq).trim().toLowerCase() !== 'sha-256') continue;
      let v = item.slice(eq + 1).trim();
      if (name === 'Repr-Digest') {
        if (!/^:.*:$/.test(v))
          throw new RestError(
            'REST_INVALID_HEADER',
            'Repr-Digest: sha-256 must be a byte sequence (:BASE64:)',
          );
        v = v.slice(1, -1);
      }
      found.push(fromBase64(v, name));
    }
  }
  if (new Set(found).size > 1)
    throw new RestError('REST_INVALID_HEADER', 'The upload announces two different SHA-256 digests');
  return found[0];
}

/** A byte range of a download (inclusive `last`, RFC 9110 §14.1.2). */
export interface ByteRange {
  first: bigint;
  last: bigint;
}

/**
 * The one range `Range: bytes=FIRST-[LAST]` or `bytes=-SUFFIX` asks of a body of `size` bytes; undefined for the
 * whole body (no Range, an `If-Range` that does not name `etag`, or a unit other than bytes); several ranges and
 * ranges past the end are REST_RANGE (416).
 *
 * @example
 * rangeOf({ range: 'bytes=100-' }, 1000n, '"abc"'); // { first: 100n, last: 999n }
 */
export function rangeOf(headers: IncomingHttpHeaders, size: bigint, etag?: string): ByteRange | undefined {
  const h = headers.range;
  if (h === undefined) return undefined;
  const ifRange = headers['if-range'];
  if (ifRange !== undefined && ifRange !== etag) return undefined;
  if (!/^bytes=/i.test(h)) return undefined;
  const m = /^bytes=\s*(?:([0-9]{1,20})-([0-9]{0,20})|-([0-9]{1,20}))\s*$/i.exec(h);
  if (!m) throw new RestError('REST_RANGE', `Range "${h.slice(0, 64)}" is not one byte range`, { size });
  let first: bigint;
  let last: bigint;
  if (m[3] !== undefined) {
    const suffix = BigInt(m[3]);
    if (suffix === 0n) throw new RestError('REST_RANGE', 'An empty suffix range selects nothing', { size });
    first = suffix >= size ? 0n : size - suffix;
    last = size - 1n;
  } else {
    first = BigInt(m[1] ?? '0');
    last = m[2] === '' || m[2] === undefined ? size - 1n : BigInt(m[2]);
    if (last >= size) last = size - 1n;
    if (last < first) throw new RestError('REST_RANGE', `Range "${h}" selects nothing`, { size });
  }
  if (first >= size)
    throw new RestError('REST_RANGE', `Range "${h}" starts past the end (${size} bytes)`, { size });
  return { first, last };
}

/** Drops the first `skip` bytes of a stream and stops after `take` (a resumed download of a stream from 0). */
export async function* sliceOf(source: ByteStream, skip: bigint, take: bigint | undefined): ByteStream {
  let left = take;
  for await (const raw of source) {
    let chunk = raw;
    if (skip > 0n) {
      if (BigInt(chunk.length) <= skip) {
        skip -= BigInt(chunk.length);
        continue;
      }
      chunk = chunk.subarray(Number(skip));
      skip = 0n;
    }
    if (left !== undefined) {
      if (BigInt(chunk.length) >= left) {
        yield chunk.subarray(0, Number(left));
        return;
      }
      left -= BigInt(chunk.length);
    }
    yield chunk;
  }
}

/** What {@link sendBytes} answers. */
export interface ByteAnswer {
  status: 200 | 206;
  headers: Record<string, string>;
  /** The body's length when known (Content-Length), else chunked. */
  sizeBytes?: bigint | undefined;
  body: ByteStream;
  /** What `body` reads from, when it is a slice of it: closed with it (a file not left open by a HEAD). */
  source?: ByteStream | undefined;
}

/**
 * Writes a download: its headers, then its bytes as the client takes them (each write waits for `drain`), the
 * source closed when the client goes away; HEAD gets the headers alone.
 *
 * @example
 * return { status: 200, stream: (res) => sendBytes(res, { status: 200, headers: {}, sizeBytes: 3n, body }) };
 */
export function sendBytes(res: ServerResponse, a: ByteAnswer): void {
  res.writeHead(a.status, {
    'Cache-Control': 'no-store',
    'Content-Type': 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ...(a.sizeBytes === undefined ? {} : { 'Content-Length': a.sizeBytes.toString() }),
    ...a.headers,
  });
  const it = a.body[Symbol.asyncIterator]();
  const stop = async () => {
    await it.return?.();
    if (a.source !== undefined) await a.source[Symbol.asyncIterator]().return?.();
  };
  if (res.req.method === 'HEAD') {
    void stop().catch(() => undefined);
    res.end();
    return;
  }
  let gone = false;
  res.once('close', () => {
    gone = true;
  });
  void (async () => {
    try {
      for (;;) {
        const next = await it.next();
        if (next.done || gone) break;
        if (!res.write(next.value))
          await new Promise<void>((resolve) => {
            const go = () => {
              res.off('drain', go);
              res.off('close', go);
              resolve();
            };
            res.on('drain', go);
            res.on('close', go);
          });
      }
      if (gone) await stop();
      else res.end();
    } catch {
      // The source failed mid-way: the client sees a cut body, never a complete-looking one.
      res.destroy();
      await stop().catch(() => undefined);
    }
  })();
}

/** The headers of a `206 Partial Content` of `range` out of `size` bytes. */
export function contentRange(range: ByteRange, size: bigint): Record<string, string> {
  return { 'Content-Range': `bytes ${range.first}-${range.last}/${size}` };
}
