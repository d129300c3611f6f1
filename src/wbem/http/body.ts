import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/** Bytes of request bodies held at once by one server, and the most allowed. */
export interface BodyBudget {
  bytes: number;
  max: number;
}

/**
 * Reads a request body of at most `max` bytes, counting what it holds in `held` and against the server-wide
 * `budget`: a declared or received size over `max` is `HTTP_TOO_LARGE` (413, the former before a byte is read);
 * over the budget the request is `HTTP_BUSY` (503) rather than held. The caller gives `held.bytes` back to the
 * budget when the request is done. `onRead` runs once the whole body is in, before the promise settles.
 *
 * @example
 * const held = { bytes: 0 };
 * try { body = await readBody(req, 1 << 20, budget, held); } finally { budget.bytes -= held.bytes; }
 */
export function readBody(
  req: IncomingMessage,
  max: number,
  budget: BodyBudget,
  held: { bytes: number },
  onRead?: () => void,
): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max)
    return Promise.reject(
      new HttpError(
        'HTTP_TOO_LARGE',
        `The request body of ${declared} bytes is over the limit of ${max} bytes`,
      ),
    );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (e: HttpError) => {
      req.removeAllListeners('data');
      req.resume();
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max)
        return stop(new HttpError('HTTP_TOO_LARGE', `The request body is over the limit of ${max} bytes`));
      if (budget.bytes + c.length > budget.max)
        return stop(new HttpError('HTTP_BUSY', 'The server holds too many request bodies; retry later'));
      budget.bytes += c.length;
      held.bytes += c.length;
      chunks.push(c);
    });
    // One chunk (every small body) is the body as it is: no copy.
    req.on('end', () => {
      onRead?.();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('error', (e) =>
      reject(new HttpError('HTTP_BAD_REQUEST', `The request body could not be read: ${e.message}`)),
    );
    req.on('close', () => {
      if (!req.complete) reject(new HttpError('HTTP_BAD_REQUEST', 'The connection closed during the body'));
    });
  });
}
