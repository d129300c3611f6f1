import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Role } from '../../api/index.js';
import { newContext } from '../../cim/index.js';
import type { UserStore } from '../../host/index.js';
import { ConnectionGate } from '../http/gate.js';
import { type GatedListener, listenGated } from '../http/listen.js';
import { authenticateRequest, CheckQueue } from '../http/login.js';
import { type LoginLimits, LoginThrottle } from '../http/throttle.js';
import { decodeRequestAsync } from './decode-request.js';
import { dispatch } from './dispatch.js';
import type { CimXmlDispatcher } from './dispatcher.js';
import { CimXmlError } from './errors.js';
import { checkHeadersMatch, checkRequestHeaders } from './headers.js';
import type { CimXmlReadLimits } from './xml-read.js';

/** Limits of the CIM-XML server. */
export interface CimXmlLimits {
  /** Largest request body, in bytes (default 1 MiB: a DefineSystem with hundreds of RASDs fits). */
  maxBodyBytes: number;
  /** Request bodies held at once, all connections together, in bytes (default 64 MiB); beyond, 503. */
  maxBufferedBodyBytes: number;
  /** Most elements in a request (default 20,000). */
  maxElements: number;
  /** Most attributes on one element of a request (default 64). */
  maxAttributes: number;
  /** Longest text of one element of a request, in characters (default 1 MiB). */
  maxTextChars: number;
  /** Deepest element nesting of a request (default 64). */
  maxDepth: number;
  /** Time to receive the request headers, ms (default 10 s), however slowly the bytes trickle in. */
  headersTimeoutMs: number;
  /** Time to receive a request body once the headers are in, ms (default 30 s). */
  requestTimeoutMs: number;
  /** Idle time of a keep-alive connection, ms (default 5 s). */
  keepAliveTimeoutMs: number;
  /** Time a TLS client has for its handshake, ms (default 5 s). */
  tlsHandshakeTimeoutMs: number;
  /** Largest header block, bytes (default 16 KiB). */
  maxHeaderBytes: number;
  /** Most simultaneous connections, both listeners together (default 256). */
  maxConnections: number;
  /** Most simultaneous connections from one address or IPv6 /64 (default 32). */
  maxConnectionsPerAddress: number;
  /** Password checks (scrypt) run at once (default 2) and waiting for their turn (default 32); beyond, 503. */
  maxConcurrentPasswordChecks: number;
  maxQueuedPasswordChecks: number;
}

/** Default limits. */
export const DEFAULT_CIMXML_LIMITS: CimXmlLimits = {
  maxBodyBytes: 1 << 20,
  maxBufferedBodyBytes: 64 << 20,
  maxElements: 20_000,
  maxAttributes: 64,
  maxTextChars: 1 << 20,
  maxDepth: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  tlsHandshakeTimeoutMs: 5_000,
  maxHeaderBytes: 16 << 10,
  maxConnections: 256,
  maxConnectionsPerAddress: 32,
  maxConcurrentPasswordChecks: 2,
  maxQueuedPasswordChecks: 32,
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
  /** How failed logins are paced (see LoginThrottle). */
  login?: Partial<LoginLimits> | undefined;
}

/** A running CIM-XML server. */
export interface CimXmlServer {
  /** The bound HTTP port, when HTTP is enabled. */
  httpPort?: number | undefined;
  httpsPort?: number | undefined;
  close(): Promise<void>;
}

const XML_HEADERS = { 'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodResponse' };

/** What every request of one server shares. */
interface Shared {
  o: CimXmlServerOptions;
  limits: CimXmlLimits;
  read: Required<CimXmlReadLimits>;
  gate: ConnectionGate;
  throttle: LoginThrottle;
  checks: CheckQueue;
  /** Bytes of request bodies held now, and the most allowed (`limits.maxBufferedBodyBytes`). */
  buffered: { bytes: number; max: number };
}

/**
 * Starts the CIM-XML server (DSP0200 over HTTP and HTTPS): `POST /cimom`, Basic authentication against the users
 * file, roles, and a port that holds under abuse: connection caps in total and per address with every phase
 * timed (TLS handshake, headers, body, keep-alive), 503 with Retry-After when full, failed logins paced per
 * address and per user with a global ceiling, password checks a few at a time, request bodies read in linear
 * time under size and shape limits and in slices that leave the event loop to other clients.
 *
 * @example
 * const s = await startCimXmlServer({ dispatcher, auth: { users }, http: { port: 5988 } });
 */
export async function startCimXmlServer(options: CimXmlServerOptions): Promise<CimXmlServer> {
  const limits = { ...DEFAULT_CIMXML_LIMITS, ...options.limits };
  const gate = new ConnectionGate(limits);
  const shared: Shared = {
    o: options,
    limits,
    read: {
      maxBytes: limits.maxBodyBytes,
      maxDepth: limits.maxDepth,
      maxElements: limits.maxElements,
      maxAttributes: limits.maxAttributes,
      maxTextChars: limits.maxTextChars,
    },
    gate,
    throttle: new LoginThrottle(options.login ?? {}),
    checks: new CheckQueue(limits.maxConcurrentPasswordChecks, limits.maxQueuedPasswordChecks),
    buffered: { bytes: 0, max: limits.maxBufferedBodyBytes },
  };
  // The HTTP server never listens: the gated listeners hand it the connections they admit, and the gate, not
  // Node's connection checks (which run only on a listening server), enforces the time limits.
  const http = createHttp({ maxHeaderSize: limits.maxHeaderBytes, requestTimeout: 0 }, (req, res) => {
    handle(shared, req, res).catch((e: unknown) => {
      options.dispatcher.onInternalError?.(e);
      if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0, Connection: 'close' });
      res.end();
    });
  });
  http.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const listeners: GatedListener[] = [];
  const out: CimXmlServer = {
    close: async () => {
      gate.close();
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
  try {
    if (options.http) {
      const l = await listenGated(http, gate, {
        port: options.http.port,
        host: options.http.host ?? '127.0.0.1',
      });
      listeners.push(l);
      out.httpPort = l.port;
    }
    if (options.https) {
      const { key, cert } = options.https;
      const l = await listenGated(http, gate, {
        port: options.https.port,
        host: options.https.host ?? '0.0.0.0',
        tls: { key, cert },
      });
      listeners.push(l);
      out.httpsPort = l.port;
    }
  } catch (e) {
    await out.close();
    throw e;
  }
  return out;
}

function fail(res: ServerResponse, e: CimXmlError, close = false, retryAfterS?: number): void {
  const headers: Record<string, string | number> = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (e.cimErrorHeader) headers.CIMError = e.cimErrorHeader;
  if (close) headers.Connection = 'close';
  if (retryAfterS !== undefined) headers['Retry-After'] = retryAfterS;
  const body = `${e.message}\n`;
  headers['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(e.httpStatus, headers);
  res.end(body);
}

async function handle(sh: Shared, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const conn = sh.gate.of(req.socket);
  sh.gate.enter(conn, 'body');
  res.once('finish', () => {
    if (!req.socket.destroyed) sh.gate.enter(conn, 'idle');
  });
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
  const o = sh.o;
  const who = await authenticateRequest(req, o.auth.users, sh.throttle, sh.checks, o.auth.anonymousRole);
  if (who.kind === 'refused') {
    req.resume();
    const code = who.status === 429 ? 'CIMXML_LOGIN_THROTTLED' : 'CIMXML_BUSY';
    return fail(res, new CimXmlError(code, who.message), true, who.retryAfterS);
  }
  if (who.kind === 'unauthorized') {
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
  const held = { bytes: 0 };
  try {
    let body: Buffer;
    try {
      headers = checkRequestHeaders(req.headers);
      body = await readBody(req, sh.limits.maxBodyBytes, sh.buffered, held);
    } catch (e) {
      if (e instanceof CimXmlError) return fail(res, e, true, e.code === 'CIMXML_BUSY' ? 1 : undefined);
      throw e;
    }
    sh.gate.enter(conn, 'busy');
    let xml: string;
    try {
      const call = await decodeRequestAsync(body, sh.read, headers.protocolVersion ?? '1.0');
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
  } finally {
    sh.buffered.bytes -= held.bytes;
  }
}

/**
 * Reads a request body of at most `max` bytes, counting what it holds in `held` and against the server-wide
 * `buffered` budget; over the budget the request is answered 503 (CIMXML_BUSY) rather than held.
 */
function readBody(
  req: IncomingMessage,
  max: number,
  buffered: { bytes: number; max: number },
  held: { bytes: number },
): Promise<Buffer> {
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
    const stop = (e: CimXmlError) => {
      req.removeAllListeners('data');
      req.resume();
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max)
        return stop(
          new CimXmlError('CIMXML_TOO_LARGE', `The request body is over the limit of ${max} bytes`),
        );
      if (buffered.bytes + c.length > buffered.max)
        return stop(new CimXmlError('CIMXML_BUSY', 'The server holds too many request bodies; retry later'));
      buffered.bytes += c.length;
      held.bytes += c.length;
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (e) =>
      reject(new CimXmlError('CIMXML_BAD_REQUEST', `The request body could not be read: ${e.message}`)),
    );
    req.on('close', () => {
      if (!req.complete)
        reject(new CimXmlError('CIMXML_BAD_REQUEST', 'The connection closed during the body'));
    });
  });
}
