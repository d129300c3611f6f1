import type { Agent as HttpAgent, IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CimXmlError } from '../cimxml/errors.js';

/** One request of a client (CIM-XML, WS-Man, REST): where, what, and the bounds of the exchange. */
export interface ExchangeRequest {
  /** The endpoint; its query is sent too. */
  url: URL;
  /** The HTTP method (default POST, what the WBEM protocols use). */
  method?: string | undefined;
  /** Port when the URL names none (5988/5989 for CIM-XML, 5985/5986 for WS-Man). */
  defaultPort: number;
  agent: HttpAgent;
  headers: Record<string, string | number>;
  body: string;
  /** Basic authentication, when a user is given. */
  user?: string | undefined;
  password?: string | undefined;
  /** The whole exchange, from connecting to the last byte, ms. */
  timeoutMs: number;
  /** The largest answer read, bytes; a larger one is refused as it arrives. */
  maxBytes: number;
  /** For messages: `the CIM server at h:5989`, and the operation (`GetInstance`, `Get`). */
  where: string;
  operation: string;
  /** Statuses whose whole body is read (others keep 4 KiB of an error page). */
  fullBody: (status: number) => boolean;
}

/** What came back: status, headers and body (whole for {@link ExchangeRequest.fullBody} statuses). */
export interface ExchangeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);
const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Node's codes for a TLS peer whose certificate the client does not trust (the host answered; it is not unreachable). */
const TLS_TRUST_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * A peer's text as a message may quote it: control characters shown as spaces.
 *
 * @example
 * printable('bad\r\nthing'); // 'bad thing'
 */
export const printable = (s: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

function tooLarge(r: ExchangeRequest): CimXmlError {
  return new CimXmlError(
    'CIMXML_RESPONSE_INVALID',
    `The answer of ${r.where} to ${r.operation} is larger than ${r.maxBytes} bytes; it was not read`,
  );
}

/**
 * One HTTP(S) POST of a WBEM client with keep-alive and Basic authentication, bounded: one deadline for the whole
 * exchange (a slow drip does not keep it alive), the answer refused as soon as it passes `maxBytes`. Failures are
 * CimXmlError codes the Api maps (src/wbem/cimxml/api/errors.ts): HOST_UNREACHABLE (no connection),
 * CIMXML_TIMEOUT (no answer in time), CIMXML_UNAUTHORIZED (401), CIMXML_HTTP (an untrusted certificate),
 * CIMXML_RESPONSE_INVALID (too large, cut off, late to complete). Other statuses are the caller's to judge.
 *
 * @example
 * const a = await exchange({ url, defaultPort: 5985, agent, headers, body, timeoutMs: 60_000, maxBytes: 16 << 20,
 *   where: 'the WS-Man service at h:5985', operation: 'Get', fullBody: (s) => s === 200 || s === 400 || s === 500 });
 */
export function exchange(r: ExchangeRequest): Promise<ExchangeAnswer> {
  const u = r.url;
  const headers = { ...r.headers };
  if (r.user !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${r.user}:${r.password ?? ''}`).toString('base64')}`;
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const { where, operation, timeoutMs, maxBytes } = r;
  return new Promise((resolve, reject) => {
    let answered = false;
    const deadline = setTimeout(() => {
      req.destroy(
        answered
          ? new CimXmlError(
              'CIMXML_RESPONSE_INVALID',
              `The answer of ${where} to ${operation} did not complete within ${seconds(timeoutMs)}`,
            )
          : new CimXmlError(
              'CIMXML_TIMEOUT',
              `${upper(where)} did not answer ${operation} within ${seconds(timeoutMs)}`,
            ),
      );
    }, timeoutMs);
    const fail = (e: unknown) => {
      clearTimeout(deadline);
      reject(e);
    };
    const req = send(
      {
        hostname: u.hostname,
        port: u.port || r.defaultPort,
        path: `${u.pathname}${u.search}`,
        method: r.method ?? 'POST',
        headers,
        agent: r.agent,
      },
      (res) => {
        answered = true;
        const status = res.statusCode ?? 0;
        const whole = r.fullBody(status);
        if (Number(res.headers['content-length'] ?? 0) > maxBytes) {
          req.destroy(tooLarge(r));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) req.destroy(tooLarge(r));
          else if (whole || size <= 4096) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(deadline);
          if (status === 401)
            return reject(
              new CimXmlError(
                'CIMXML_UNAUTHORIZED',
                `${upper(where)} refused the credentials of "${r.user ?? ''}"`,
                {
                  hint: 'Check the user name and $VESSEL_PASSWORD',
                },
              ),
            );
          resolve({ status, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', (e: Error) =>
          fail(
            e instanceof CimXmlError
              ? e
              : new CimXmlError(
                  'CIMXML_RESPONSE_INVALID',
                  `The answer of ${where} to ${operation} broke off: ${e.message}`,
                  { cause: e },
                ),
          ),
        );
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new CimXmlError('CIMXML_TIMEOUT', `${upper(where)} did not answer ${operation} in time`)),
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof CimXmlError) return fail(e);
      const unreachable = UNREACHABLE.has(e.code ?? '');
      if (!unreachable && answered)
        return fail(
          new CimXmlError(
            'CIMXML_RESPONSE_INVALID',
            `The answer of ${where} to ${operation} broke off: ${e.message}`,
            { cause: e },
          ),
        );
      if (TLS_TRUST_CODES.has(e.code ?? ''))
        return fail(
          new CimXmlError('CIMXML_HTTP', `The certificate of ${where} is not trusted: ${e.message}`, {
            cause: e,
            hint: 'Trust its CA with --host-ca FILE (or ?ca=FILE in the URI), or accept any certificate with --host-insecure',
          }),
        );
      fail(
        new CimXmlError(
          unreachable ? 'HOST_UNREACHABLE' : 'CIMXML_HTTP',
          `Cannot reach ${where}: ${e.message}`,
          {
            cause: e,
          },
        ),
      );
    });
    req.end(r.body);
  });
}
