import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiError, type ByteStream } from '../../api/index.js';
import { printable } from '../../wbem/index.js';
import type { RestHttp } from './http.js';

/**
 * Bytes to and from a REST host without holding them: an upload streamed from its source as the connection takes
 * it (each write waits for `drain`; Content-Length when the size is known, chunked otherwise), and a download
 * handed over as the response itself. Each runs on a connection of its own, with the client's timeout as the
 * longest the socket may go idle rather than a bound on the whole transfer.
 */

/** What {@link uploadStream} sends. */
export interface StreamUpload {
  method: 'PUT' | 'POST';
  path: string;
  query?: Record<string, string | readonly string[] | undefined>;
  headers?: Record<string, string>;
  mediaType: string;
  body: ByteStream;
  sizeBytes?: bigint | undefined;
}

/** The most of an answer to an upload that is read (a JSON document). */
const MAX_ANSWER = 1 << 20;

/**
 * Streams `u.body` to the host and returns the JSON answer; a problem answer is thrown as its ApiError (even when
 * the host answered before the whole body was sent: a refusal by role, name or size).
 *
 * @example
 * const image = await uploadStream(http, { method: 'PUT', path: '/pools/p/images/a.raw', mediaType: 'application/octet-stream', body });
 */
export function uploadStream(http: RestHttp, u: StreamUpload): Promise<unknown> {
  const url = http.urlOf(u.path, u.query);
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': u.mediaType,
    ...u.headers,
    ...http.authorization(),
  };
  if (u.sizeBytes !== undefined) headers['Content-Length'] = u.sizeBytes.toString();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const what = `${u.method} ${u.path}`;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = send(url, { method: u.method, headers, agent: false, ...http.tls() }, (res) => {
      answered = true;
      readAnswer(http, res, what).then(resolve, reject);
    });
    req.setTimeout(http.idleMs, () => req.destroy(new Error(`nothing moved for ${http.idleMs} ms`)));
    req.on('error', (e) => {
      if (!answered)
        reject(new ApiError('HOST_UNREACHABLE', `${what} on ${http.where}: ${e.message}`, { cause: e }));
    });
    pump(req, u.body, () => answered).then(
      () => {
        if (!req.destroyed) req.end();
      },
      (e: unknown) => {
        req.destroy();
        reject(
          e instanceof ApiError
            ? e
            : new ApiError('INVALID_ARGUMENT', `${what}: the source failed: ${String(e)}`),
        );
      },
    );
  });
}

/** Writes the source into `req` with backpressure; stops early when the host has answered or the request died. */
async function pump(
  req: ReturnType<typeof httpRequest>,
  body: ByteStream,
  answered: () => boolean,
): Promise<void> {
  for await (const chunk of body) {
    if (req.destroyed || answered()) return;
    if (!req.write(chunk))
      await new Promise<void>((resolve) => {
        const go = () => {
          req.off('drain', go);
          req.off('close', go);
          resolve();
        };
        req.on('drain', go);
        req.on('close', go);
      });
  }
}

async function readAnswer(http: RestHttp, res: IncomingMessage, what: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_ANSWER) {
      res.destroy();
      throw new ApiError('PROTOCOL', `${http.where} answered ${what} with more than ${MAX_ANSWER} bytes`);
    }
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  if (text !== '')
    try {
      json = JSON.parse(text);
    } catch {
      if ((res.statusCode ?? 0) < 400)
        throw new ApiError(
          'PROTOCOL',
          `${http.where} answered ${what} with a body that is not JSON: ${printable(text.slice(0, 200))}`,
        );
    }
  const status = res.statusCode ?? 0;
  if (status >= 400) {
    const [method, path] = what.split(' ');
    throw http.problemError(status, json, method ?? '', path ?? '');
  }
  return json;
}

/**
 * The bytes at `path` (an image, an artifact's content), from `offset` when it is above 0 (`Range`); the stream
 * throws HOST_UNREACHABLE when the connection is cut before the end.
 *
 * @example
 * for await (const chunk of await downloadStream(http, '/artifacts/a1/content')) out.write(chunk);
 */
export async function downloadStream(http: RestHttp, path: string, offset = 0n): Promise<ByteStream> {
  const res = await http.stream(
    path,
    {},
    { Accept: 'application/octet-stream', ...(offset > 0n ? { Range: `bytes=${offset}-` } : {}) },
    offset > 0n ? [206] : [200],
  );
  return relay(http, res, path);
}

async function* relay(http: RestHttp, res: IncomingMessage, path: string): ByteStream {
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    throw new ApiError('HOST_UNREACHABLE', `GET ${path} on ${http.where} was cut: ${(e as Error).message}`, {
      cause: e,
    });
  } finally {
    res.destroy();
  }
}
