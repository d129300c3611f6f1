import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { newContext, type Role, type UserStore } from '../../cim/index.js';
import { decodeRequest } from './decode-request.js';
import { dispatch } from './dispatch.js';
import type { CimXmlDispatcher } from './dispatcher.js';
import { CimXmlError } from './errors.js';
import { checkHeadersMatch, checkRequestHeaders } from './headers.js';
import { LoginThrottle } from './throttle.js';

/** Limits of the CIM-XML server. */
export interface CimXmlLimits {
  /** Largest request body, in bytes (default 4 MiB). */
  maxBodyBytes: number;
  /** Time to receive the request headers, ms (default 10 s). */
  headersTimeoutMs: number;
  /** Time to receive the whole request, ms (default 30 s). */
  requestTimeoutMs: number;
  /** Idle time of a keep-alive connection, ms (default 5 s). */
  keepAliveTimeoutMs: number;
  /** Largest header block, bytes (default 16 KiB). */
  maxHeaderBytes: number;
  /** Most simultaneous connections per listener (default 256). */
  maxConnections: number;
}

/** Default limits. */
export const DEFAULT_CIMXML_LIMITS: CimXmlLimits = {
  maxBodyBytes: 4 << 20,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 << 10,
  maxConnections: 256,
};

/** How the server authenticates: the users file, and optionally a role for requests without credentials. */
export interface CimXmlAuth {
  users: UserStore;
  /** Off unless set: requests without an Authorization header act with this role as user `anonymous`. */
  anonymousRole?: Role | undefined;
  realm?: string;
}

/** Options of {@link startCimXmlServer}. */
export interface CimXmlServerOptions {
  dispatcher: CimXmlDispatcher;
  auth: CimXmlAuth;
  /** HTTP listener (DSP0200 default port 5988); bound to 127.0.0.1 unless `host` says otherwise. */
  http?: { port: number; host?: string } | undefined;
  /** HTTPS listener (port 5989) with a PEM key and certificate. */
  https?: { port: number; host?: string; key: string | Buffer; cert: string | Buffer } | undefined;
  limits?: Partial<CimXmlLimits>;
}

/** A running CIM-XML server. */
export interface CimXmlServer {
  /** The bound HTTP port, when HTTP is enabled. */
  httpPort?: number | undefined;
  httpsPort?: number | undefined;
  close(): Promise<void>;
}

const XML_HEADERS = { 'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodResponse' };

/**
 * Starts the CIM-XML server (DSP0200 over HTTP and HTTPS): `POST /cimom`, Basic authentication against the users
 * file, roles, limits on sizes and times, hostile XML refused, failed logins slowed down.
 *
 * @example
 * const s = await startCimXmlServer({ dispatcher, auth: { users }, http: { port: 5988 } });
 */
export async function startCimXmlServer(options: CimXmlServerOptions): Promise<CimXmlServer> {
  const limits = { ...DEFAULT_CIMXML_LIMITS, ...options.limits };
  const throttle = new LoginThrottle();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(options, limits, throttle, req, res).catch((e: unknown) => {
      options.dispatcher.onInternalError?.(e);
      if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0, Connection: 'close' });
      res.end();
    });
  };
  const servers: Server[] = [];
  const out: CimXmlServer = {
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
  const configure = (s: Server): Server => {
    s.headersTimeout = limits.headersTimeoutMs;
    s.requestTimeout = limits.requestTimeoutMs;
    s.keepAliveTimeout = limits.keepAliveTimeoutMs;
    s.maxConnections = limits.maxConnections;
    servers.push(s);
    return s;
  };
  try {
    if (options.http) {
      const s = configure(createHttp(serverOptions(limits), handler));
      out.httpPort = await listen(s, options.http.port, options.http.host ?? '127.0.0.1');
    }
    if (options.https) {
      const { key, cert } = options.https;
      const s = configure(createHttps({ key, cert, ...serverOptions(limits) }, handler) as unknown as Server);
      out.httpsPort = await listen(s, options.https.port, options.https.host ?? '0.0.0.0');
    }
  } catch (e) {
    await out.close();
    throw e;
  }
  return out;
}

/** Node's own limits: header size, and how often it checks the header and request timeouts. */
function serverOptions(limits: CimXmlLimits) {
  return {
    maxHeaderSize: limits.maxHeaderBytes,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 4)),
  };
}

function listen(s: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, host, () => {
      s.off('error', reject);
      resolve((s.address() as AddressInfo).port);
    });
  });
}

function fail(res: ServerResponse, e: CimXmlError, close = false): void {
  const headers: Record<string, string | number> = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (e.cimErrorHeader) headers.CIMError = e.cimErrorHeader;
  if (close) headers.Connection = 'close';
  const body = `${e.message}\n`;
  headers['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(e.httpStatus, headers);
  res.end(body);
}

async function handle(
  o: CimXmlServerOptions,
  limits: CimXmlLimits,
  throttle: LoginThrottle,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST', 'Content-Length': 0, Connection: 'close' });
    res.end();
    req.resume();
    return;
  }
  if (path !== '/cimom') {
    res.writeHead(404, { 'Content-Length': 0, Connection: 'close' });
    res.end();
    req.resume();
    return;
  }
  const who = await authenticate(o.auth, throttle, req);
  if (!who) {
    res.writeHead(401, {
      'WWW-Authenticate': `Basic realm="${o.auth.realm ?? 'Vessel CIM'}"`,
      'Content-Length': 0,
      Connection: 'close',
    });
    res.end();
    req.resume();
    return;
  }
  let headers: ReturnType<typeof checkRequestHeaders>;
  let body: Buffer;
  try {
    headers = checkRequestHeaders(req.headers);
    body = await readBody(req, limits.maxBodyBytes);
  } catch (e) {
    if (e instanceof CimXmlError) return fail(res, e, true);
    throw e;
  }
  let xml: string;
  try {
    const call = decodeRequest(
      body,
      { maxBytes: limits.maxBodyBytes, maxDepth: 64 },
      headers.protocolVersion ?? '1.0',
    );
    checkHeadersMatch(headers, call);
    xml = await dispatch(o.dispatcher, call, newContext(who.name, who.role));
  } catch (e) {
    if (
      e instanceof CimXmlError &&
      e.code === 'CIMXML_MULTIPLE_REQUESTS_UNSUPPORTED' &&
      req.headers.cimbatch === undefined
    )
      return fail(
        res,
        new CimXmlError('CIMXML_HEADER_MISMATCH', 'A multiple request comes without the CIMBatch header'),
      );
    if (e instanceof CimXmlError) return fail(res, e);
    throw e;
  }
  // A string body lets Node send headers and body in one write.
  res.writeHead(200, { ...XML_HEADERS, 'Content-Length': Buffer.byteLength(xml) });
  res.end(xml);
}

async function authenticate(
  auth: CimXmlAuth,
  throttle: LoginThrottle,
  req: IncomingMessage,
): Promise<{ name: string; role: Role } | undefined> {
  const h = req.headers.authorization;
  const peer = req.socket.remoteAddress ?? '?';
  if (h === undefined)
    return auth.anonymousRole ? { name: 'anonymous', role: auth.anonymousRole } : undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const who =
    colon > 0 ? await auth.users.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
  if (who) {
    throttle.succeeded(peer);
    return who;
  }
  await throttle.failed(peer);
  return undefined;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max)
    return Promise.reject(
      new CimXmlError(
        'CIMXML_TOO_LARGE',
        `The request body of ${declared} bytes is over the limit of ${max} bytes`,
      ),
    );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new CimXmlError('CIMXML_TOO_LARGE', `The request body is over the limit of ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (e) =>
      reject(new CimXmlError('CIMXML_BAD_REQUEST', `The request body could not be read: ${e.message}`)),
    );
  });
}
