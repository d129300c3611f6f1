import { readdir } from 'node:fs/promises';
import { request } from 'node:http';

/**
 * Requests the REST tests cannot make with fetch: a path sent exactly as written (fetch resolves `..` and
 * `%2e%2e` away), and an upload whose sender stops half-way (the socket destroyed, or nothing more sent).
 * Not run alone (`*.case.test.ts`).
 */

/** What {@link rawRequest} sends. */
export interface RawOptions {
  headers?: Record<string, string | number>;
  body?: Uint8Array;
  /** Writes only this many bytes of `body`, then destroys the socket (a cut upload). */
  cutAfter?: number;
  /** Writes only this many bytes of `body`, then waits for the server's answer without ending (a stalled upload). */
  stallAfter?: number;
}

/** An answer of {@link rawRequest}, or `cut` when the request was destroyed by the test. */
export interface RawReply {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Sends one request to `base` (http://127.0.0.1:PORT/api/v1) with `path` as it is.
 *
 * @example
 * const r = await rawRequest(h.restUrl, ['admin', 'secret'], 'PUT', '/pools/default/images/%2e%2e', { body });
 */
export function rawRequest(
  base: string,
  user: readonly [string, string],
  method: string,
  path: string,
  o: RawOptions = {},
): Promise<RawReply | 'cut'> {
  const url = new URL(base);
  const auth = `Basic ${Buffer.from(`${user[0]}:${user[1]}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${path}`,
        headers: { Authorization: auth, ...o.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (e) => (o.cutAfter !== undefined ? resolve('cut') : reject(e)));
    const body = o.body ?? new Uint8Array(0);
    const part = o.cutAfter ?? o.stallAfter;
    if (part === undefined) {
      req.end(body);
      return;
    }
    req.write(body.subarray(0, part), () => {
      if (o.cutAfter !== undefined)
        setTimeout(() => {
          req.destroy();
          resolve('cut');
        }, 100);
    });
  });
}

/** Waits until `dir` holds exactly `names` (sorted), up to `ms`; returns what it holds last. */
export async function settledListing(dir: string, names: readonly string[], ms = 5000): Promise<string[]> {
  const until = Date.now() + ms;
  for (;;) {
    const now = (await readdir(dir)).sort();
    if (JSON.stringify(now) === JSON.stringify([...names].sort()) || Date.now() > until) return now;
    await new Promise((r) => setTimeout(r, 50));
  }
}
