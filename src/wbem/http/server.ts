import {
  createServer as createHttp,
  type IncomingMessage,
  type Server as NodeHttpServer,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Role } from '../../api/index.js';
import type { UserStore } from '../../host/index.js';
import { type BodyBudget, readBody } from './body.js';
import { HttpError } from './errors.js';
import { answerAndClose, ConnectionGate } from './gate.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './limits.js';
import { type GatedListener, listenGated } from './listen.js';
import {
  authenticate,
  CheckQueue,
  type Credential,
  type CredentialLookups,
  cookieValue,
  type LoginResult,
  VerifiedLogins,
} from './login.js';
import { type LoginLimits, LoginThrottle } from './throttle.js';

/** How the server authenticates: the users file, and optionally a role for requests without credentials. */
export interface HttpAuth {
  users: UserStore;
  /** Off unless set: requests without an Authorization header act with this role as user `anonymous`. */
  anonymousRole?: Role | undefined;
  /** The realm of the Basic challenge (default `Vessel`). */
  realm?: string;
  /** Bearer tokens and a session cookie, besides Basic (the REST edge's; off unless given). */
  lookups?: CredentialLookups | undefined;
}

/** One authenticated request handed to a protocol. */
export interface HttpExchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Who sent it (`anonymous` with the configured role when anonymous access is on), and how it proved it. */
  user: { name: string; role: Role; via: Credential };
  /** The request came over TLS. */
  secure: boolean;
  /**
   * Reads the body under the size limit and the server's body budget (throws `HttpError` HTTP_TOO_LARGE, HTTP_BUSY
   * or HTTP_BAD_REQUEST, which the server answers and closes the connection); moves the connection to its busy phase.
   */
  readBody(): Promise<Buffer>;
  /**
   * Hands over the body as the request stream itself, for a route that takes uploads of any size and writes them
   * as they come (bounded memory, no body budget): moves the connection to its busy phase, which has no deadline,
   * so the route must watch for a sender that stalls.
   */
  bodyStream(): IncomingMessage;
}

/** A protocol served at a path: what `POST /cimom` (CIM-XML), `POST /wsman` (WS-Man) or `/api/` (REST) are. */
export interface HttpRoute {
  /** The request path (without the query), exact, or every path below it when it ends in `/`. */
  path: string;
  /** The methods it answers; others get 405 with `Allow`. */
  methods: readonly string[];
  /** Authenticated before it runs (see {@link HttpPublicRoute} for the routes that are not). */
  public?: false;
  /** Answers the request; an `HttpError` it throws is answered with its status, anything else with 500. */
  handle(x: HttpExchange): Promise<void>;
  /**
   * Answers the server's own refusals of a request to this route (401, 429, 503) in the protocol's format; the
   * server has set the status's headers (WWW-Authenticate, Retry-After) in `headers`. Default: text/plain.
   */
  refuse?(res: ServerResponse, refusal: HttpRefusal): void;
  /**
   * Takes over an authenticated `GET` with `Upgrade` (a WebSocket, RFC 6455 §4.1): the route answers on the raw
   * socket (101 and on, or an HTTP refusal it writes itself) and owns the connection from then on; it still counts
   * against the connection limits, without a deadline (the route keeps its own idle limit). A route without this
   * hook refuses upgrades (400). An error it throws is answered 500 when nothing was written yet.
   */
  upgrade?(x: HttpUpgradeExchange): Promise<void>;
}

/** An authenticated upgrade request handed to {@link HttpRoute.upgrade}. */
export interface HttpUpgradeExchange {
  req: IncomingMessage;
  /** The connection, HTTP no longer spoken on it by the server. */
  socket: Duplex;
  /** The bytes the client sent after the request head (the first frames). */
  head: Buffer;
  user: HttpExchange['user'];
  secure: boolean;
}

/**
 * A route that runs without credentials (the web UI's static files and its login page): the server does not look
 * at any credential of its requests, its handler sees no user and cannot read a body, and it answers only GET and
 * HEAD. Every other route is authenticated before it runs, as before.
 */
export interface HttpPublicRoute {
  /** The request path as in {@link HttpRoute.path}. */
  path: string;
  public: true;
  /** Answers the request; an `HttpError` it throws is answered with its status, anything else with 500. */
  handle(x: HttpPublicExchange): Promise<void>;
}

/** A request to a {@link HttpPublicRoute}: no user, no body. */
export interface HttpPublicExchange {
  req: IncomingMessage;
  res: ServerResponse;
  secure: boolean;
}

/** The methods a public route answers. */
const PUBLIC_METHODS = ['GET', 'HEAD'];

/** A refusal of the server before a route runs, as {@link HttpRoute.refuse} is told it. */
export interface HttpRefusal {
  status: 401 | 429 | 503;
  message: string;
  headers: Record<string, string | number>;
  /** The connection ends after the answer. */
  close: boolean;
}

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Looked up in order, the first whose path matches answers (so a catch-all `/` goes last). */
  routes: readonly (HttpRoute | HttpPublicRoute)[];
  auth: HttpAuth;
  /** HTTP listener; bound to 127.0.0.1 unless `host` says otherwise (it carries passwords in clear). */
  http?: { port: number; host?: string } | undefined;
  /** HTTPS listener with a PEM key and certificate; bound to 0.0.0.0 unless `host` says otherwise. */
  https?: { port: number; host?: string; key: string | Buffer; cert: string | Buffer } | undefined;
  limits?: Partial<HttpLimits> | undefined;
  /** How failed logins are paced (see LoginThrottle). */
  login?: Partial<LoginLimits> | undefined;
  /** Told of an error a route did not expect (answered 500). */
  onInternalError?: ((e: unknown) => void) | undefined;
}

/** A running HTTP(S) server. */
export interface HttpServer {
  /** The bound HTTP port, when HTTP is enabled. */
  httpPort?: number | undefined;
  httpsPort?: number | undefined;
  close(): Promise<void>;
}

/** What every request of one server shares. */
interface Shared {
  o: HttpServerOptions;
  limits: HttpLimits;
  gate: ConnectionGate;
  throttle: LoginThrottle;
  checks: CheckQueue;
  verified: VerifiedLogins;
  budget: BodyBudget;
}

/**
 * Starts the HTTP(S) server every WBEM protocol runs on, protocol-neutral: routes by path, Basic authentication
 * against the users file, and a port that holds under abuse: connection caps in total and per address with every
 * phase timed (TLS handshake, headers, body, keep-alive), 503 with Retry-After when full, failed logins paced per
 * address and per user with a global ceiling (429), password checks a few at a time, request bodies under a size
 * limit and a server-wide budget. A method the HTTP parser does not know (M-POST, DSP0200 §7.2.2) is answered
 * `501 Not Implemented`, so that a client retries with POST.
 *
 * @example
 * const s = await startHttpServer({ routes: [cimXmlRoute], auth: { users }, http: { port: 5988 } });
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const gate = new ConnectionGate(limits);
  const sh: Shared = {
    o: options,
    limits,
    gate,
    throttle: new LoginThrottle(options.login ?? {}),
    checks: new CheckQueue(limits.maxConcurrentPasswordChecks, limits.maxQueuedPasswordChecks),
    verified: new VerifiedLogins(),
    budget: { bytes: 0, max: limits.maxBufferedBodyBytes },
  };
  // The HTTP server never listens: the gated listeners hand it the connections they admit, and the gate, not
  // Node's connection checks (which run only on a listening server), enforces the time limits.
  const http = createHttp({ maxHeaderSize: limits.maxHeaderBytes, requestTimeout: 0 }, (req, res) => {
    handle(sh, req, res).catch((e: unknown) => {
      options.onInternalError?.(e);
      if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0, Connection: 'close' });
      res.end();
    });
  });
  http.keepAliveTimeout = limits.keepAliveTimeoutMs;
  http.on('clientError', onClientError);
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(sh, req, socket, head).catch((e: unknown) => {
      options.onInternalError?.(e);
      rawAnswer(socket, 500, 'Internal Server Error', 'The server failed to answer this request');
    });
  });
  return listen(http, gate, options);
}

async function listen(http: NodeHttpServer, gate: ConnectionGate, o: HttpServerOptions): Promise<HttpServer> {
  const listeners: GatedListener[] = [];
  const out: HttpServer = {
    close: async () => {
      gate.close();
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
  try {
    if (o.http) {
      const l = await listenGated(http, gate, { port: o.http.port, host: o.http.host ?? '127.0.0.1' });
      listeners.push(l);
      out.httpPort = l.port;
    }
    if (o.https) {
      const { key, cert } = o.https;
      const l = await listenGated(http, gate, {
        port: o.https.port,
        host: o.https.host ?? '0.0.0.0',
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

/**
 * Answers what Node's HTTP parser refused: an unknown method (M-POST of DSP0200 §7.2.2, or any other) with 501 so
 * that CIM clients fall back to POST (RFC 9110 §15.6.2), a header block over the limit with 431, the rest with 400.
 */
function onClientError(e: Error & { code?: string }, socket: Socket): void {
  const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!socket.writable || res?.headersSent) {
    socket.destroy();
    return;
  }
  if (e.code === 'HPE_INVALID_METHOD')
    answerAndClose(socket, 501, 'Not Implemented', 'The request method is not implemented; use POST', 0);
  else if (e.code === 'HPE_HEADER_OVERFLOW')
    answerAndClose(socket, 431, 'Request Header Fields Too Large', 'The request headers are too large', 0);
  else answerAndClose(socket, 400, 'Bad Request', 'The request is not valid HTTP/1.1', 0);
}

/** Answers an error of the server itself: text/plain, the connection closed. */
function fail(res: ServerResponse, e: HttpError, retryAfterS?: number): void {
  const body = `${e.message}\n`;
  const headers: Record<string, string | number> = {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  };
  if (retryAfterS !== undefined) headers['Retry-After'] = retryAfterS;
  res.writeHead(e.httpStatus, headers);
  res.end(body);
}

function answerEmpty(req: IncomingMessage, res: ServerResponse, status: number, headers = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0, Connection: 'close' });
  res.end();
  req.resume();
}

/**
 * True when a request comes from a page's script: it carries the session cookie (named `cookie`) or
 * `X-Requested-With` (which a cross-site page cannot send without a CORS preflight the server never grants).
 */
function fromPage(req: IncomingMessage, cookie: string | undefined): boolean {
  if (req.headers['x-requested-with'] !== undefined) return true;
  return cookie !== undefined && cookieValue(req.headers.cookie, cookie) !== undefined;
}

async function handlePublic(
  route: HttpPublicRoute,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // Nothing of a body is read: a GET with one ends the connection after the answer.
  const hasBody =
    req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  if (hasBody) res.setHeader('Connection', 'close');
  req.resume();
  const secure = 'encrypted' in req.socket && req.socket.encrypted === true;
  try {
    await route.handle({ req, res, secure });
  } catch (e) {
    if (!(e instanceof HttpError) || res.headersSent) throw e;
    fail(res, e);
  }
}

/**
 * Who sent a request, from its credentials (throttled and paced as every login). A keep-alive connection repeating
 * the credentials it just logged in with is answered at once, not as a promise: the caller takes it without a turn
 * of the microtask queue.
 */
function logIn(sh: Shared, req: IncomingMessage): LoginResult | Promise<LoginResult> {
  const auth = sh.o.auth;
  const header = req.headers.authorization;
  const known = header === undefined ? undefined : sh.verified.get(req.socket, header);
  if (known) return { kind: 'user', name: known.name, role: known.role, via: 'basic' };
  return authenticate(
    req,
    auth.users,
    sh.throttle,
    sh.checks,
    auth.anonymousRole,
    sh.verified,
    auth.lookups ?? {},
  );
}

/** Writes a small text/plain HTTP answer on a socket that HTTP is no longer parsed on, and closes it. */
function rawAnswer(
  socket: Duplex,
  status: number,
  reason: string,
  message: string,
  headers: Record<string, string | number> = {},
): void {
  socket.on('error', () => undefined);
  if (socket.destroyed || !socket.writable) return void socket.destroy();
  const body = `${message}\n`;
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 2000).unref();
}

/**
 * An `Upgrade` request: routed and authenticated as any request, then handed to the route's upgrade hook with the
 * socket. Its connection leaves the timed phases (the route keeps its own idle limit) but still counts.
 */
async function upgrade(sh: Shared, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  sh.gate.enter(sh.gate.of(req.socket), 'busy');
  const route = routeOf(sh.o.routes, pathOf(req));
  if (route === undefined || route.public === true || route.upgrade === undefined)
    return rawAnswer(socket, 400, 'Bad Request', 'This resource cannot be upgraded');
  if (req.method !== 'GET')
    return rawAnswer(socket, 405, 'Method Not Allowed', 'Upgrade with GET', { Allow: 'GET' });
  const who = await logIn(sh, req);
  if (who.kind === 'refused') {
    const headers = who.retryAfterS === undefined ? {} : { 'Retry-After': who.retryAfterS };
    const reason = who.status === 429 ? 'Too Many Requests' : 'Service Unavailable';
    return rawAnswer(socket, who.status, reason, who.message, headers);
  }
  if (who.kind === 'unauthorized') {
    // A page's WebSocket gets no Basic challenge (the browser would show its own dialog); tools get it.
    const challenge: Record<string, string> = fromPage(req, sh.o.auth.lookups?.cookie?.name)
      ? {}
      : { 'WWW-Authenticate': `Basic realm="${sh.o.auth.realm ?? 'Vessel'}"` };
    return rawAnswer(socket, 401, 'Unauthorized', 'Credentials are missing or wrong', challenge);
  }
  await route.upgrade({
    req,
    socket,
    head,
    user: { name: who.name, role: who.role, via: who.via },
    secure: 'encrypted' in req.socket && req.socket.encrypted === true,
  });
}

/** The request's path, without the query. */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The first route whose path matches (exactly, or as a prefix when it ends in `/`); no closure per request. */
function routeOf(
  routes: readonly (HttpRoute | HttpPublicRoute)[],
  path: string,
): HttpRoute | HttpPublicRoute | undefined {
  for (const r of routes) if (r.path.endsWith('/') ? path.startsWith(r.path) : path === r.path) return r;
  return undefined;
}

async function handle(sh: Shared, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const conn = sh.gate.of(req.socket);
  sh.gate.enter(conn, 'body');
  // 'finish' comes once: a plain listener, without the wrapper of `once`.
  res.on('finish', () => {
    // A response that finishes after its connection was cut has no socket any more.
    if ((req.socket as typeof req.socket | null)?.destroyed === false) sh.gate.enter(conn, 'idle');
  });
  const route = routeOf(sh.o.routes, pathOf(req));
  if (!route) return answerEmpty(req, res, 404);
  const methods = route.public === true ? PUBLIC_METHODS : route.methods;
  if (!methods.includes(req.method ?? '')) return answerEmpty(req, res, 405, { Allow: methods.join(', ') });
  if (route.public === true) return handlePublic(route, req, res);
  const auth = sh.o.auth;
  const login = logIn(sh, req);
  const who = login instanceof Promise ? await login : login;
  if (who.kind === 'refused') {
    req.resume();
    const code = who.status === 429 ? 'HTTP_LOGIN_THROTTLED' : 'HTTP_BUSY';
    if (route.refuse === undefined) return fail(res, new HttpError(code, who.message), who.retryAfterS);
    const headers = who.retryAfterS === undefined ? {} : { 'Retry-After': who.retryAfterS };
    return route.refuse(res, { status: who.status, message: who.message, headers, close: true });
  }
  if (who.kind === 'unauthorized') {
    // A browser's page gets no Basic challenge, or the browser would show its own password dialog over the page's
    // login form; scripts and tools get it (RFC 9110 §11.6.1 asks for one on a 401, RFC 7617 names Basic).
    const challenge: Record<string, string> = fromPage(req, auth.lookups?.cookie?.name)
      ? {}
      : { 'WWW-Authenticate': `Basic realm="${auth.realm ?? 'Vessel'}"` };
    if (route.refuse === undefined) return answerEmpty(req, res, 401, challenge);
    req.resume();
    return route.refuse(res, {
      status: 401,
      message: 'Credentials are missing or wrong',
      headers: challenge,
      close: true,
    });
  }
  const held = { bytes: 0 };
  const exchange: HttpExchange = {
    req,
    res,
    user: { name: who.name, role: who.role, via: who.via },
    secure: 'encrypted' in req.socket && req.socket.encrypted === true,
    // The connection is busy once the body is in: told by readBody itself, not by one more promise per request.
    readBody: () => readBody(req, sh.limits.maxBodyBytes, sh.budget, held, () => sh.gate.enter(conn, 'busy')),
    bodyStream: () => {
      sh.gate.enter(conn, 'busy');
      return req;
    },
  };
  try {
    await route.handle(exchange);
  } catch (e) {
    if (!(e instanceof HttpError) || res.headersSent) throw e;
    fail(res, e, e.code === 'HTTP_BUSY' ? 1 : undefined);
  } finally {
    sh.budget.bytes -= held.bytes;
  }
}
