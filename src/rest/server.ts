import type { ServerResponse } from 'node:http';
import { METHODS as API_METHODS, ApiError, jsonTextOf, roleAllows } from '../api/index.js';
import { HttpError, type HttpExchange, type HttpRoute } from '../wbem/index.js';
import { ConsoleSockets } from './consoles-ws.js';
import { type CookieSessions, sessionIdOf } from './cookies.js';
import { RestError } from './errors.js';
import { EventStreams } from './event-streams.js';
import { buildOpenApi } from './openapi.js';
import { problemOf, sendProblem } from './problem.js';
import { decodeBody, decodeQuery } from './request.js';
import { API_PREFIX, type RestAnswer, type UploadBody } from './route.js';
import { Router } from './router.js';
import { ROUTES } from './routes.js';
import type { Sessions } from './sessions.js';
import { DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_UPLOAD_IDLE_MS, uploadOf } from './transfer.js';

/** Requests whose body a route streams (an upload refused part-way ends its connection). */
const streaming = new WeakSet<object>();

/** The methods the edge answers; the shared server answers others 405 before a route is looked up. */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

const BODY_ERRORS = {
  HTTP_TOO_LARGE: 'REST_TOO_LARGE',
  HTTP_BUSY: 'REST_BUSY',
  HTTP_BAD_REQUEST: 'REST_INVALID_BODY',
  HTTP_TLS: 'REST_INVALID_BODY',
  HTTP_LOGIN_THROTTLED: 'REST_BUSY',
} as const;

/** Options of {@link restRoute}. */
export interface RestRouteOptions {
  sessions: Sessions;
  /** The browser sessions of the session cookie (the same object the server's cookie lookup reads). */
  cookies: CookieSessions;
  /** The endpoint's event streams (their limits, and how they stop with the server); default: a new set. */
  streams?: EventStreams | undefined;
  /** The WebSocket consoles (their limits, and how they end with the server); default: a new set. */
  consoles?: ConsoleSockets | undefined;
  /** Told of an error a handler did not expect (answered 500 INTERNAL). */
  onInternalError?: ((e: unknown) => void) | undefined;
  /** The most bytes one upload (an image, a package) may have (default {@link DEFAULT_MAX_UPLOAD_BYTES}). */
  maxUploadBytes?: bigint | undefined;
  /** How long an upload may send nothing before it is cut off, ms (default {@link DEFAULT_UPLOAD_IDLE_MS}). */
  uploadIdleMs?: number | undefined;
}

function send(res: ServerResponse, a: RestAnswer): void {
  if (a.stream !== undefined) {
    a.stream(res);
    return;
  }
  const headers: Record<string, string | number> = { 'Cache-Control': 'no-store', ...a.headers };
  if (a.body === undefined) {
    res.writeHead(a.status, { ...headers, 'Content-Length': 0 });
    res.end();
    return;
  }
  const text = typeof a.body === 'string' ? a.body : jsonTextOf(a.body);
  res.writeHead(a.status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The REST edge as a route of the shared HTTP server (`/api/v1/`): matches the route table, reads and checks the
 * JSON body and the query, calls the caller's Api session, and answers JSON, or RFC 9457 problem details for any
 * error (the Api's by REST_STATUS_OF, the edge's own by REST_ERRORS).
 *
 * @example
 * await startHttpServer({ routes: [restRoute({ sessions: new Sessions(hostApiFactory(host)) })], auth: { users } });
 */
export function restRoute(o: RestRouteOptions): HttpRoute {
  const router = new Router(ROUTES);
  const streams = o.streams ?? new EventStreams();
  const consoles = o.consoles ?? new ConsoleSockets();
  const openapi = JSON.stringify(buildOpenApi());
  return {
    path: `${API_PREFIX}/`,
    methods: METHODS,
    upgrade: (x) => consoles.upgrade(x, router, o.sessions),
    refuse: (res, r) => {
      const code = r.status === 401 ? 'REST_UNAUTHORIZED' : r.status === 429 ? 'REST_THROTTLED' : 'REST_BUSY';
      sendProblem(res, problemOf(new RestError(code, r.message)), r.headers, r.close);
    },
    handle: async (x) => {
      try {
        await handle(x, router, openapi, o, streams);
      } catch (e) {
        if (x.res.headersSent) throw e;
        const p = problemOf(e);
        if (p.status === 500 && p.code === 'INTERNAL') o.onInternalError?.(e);
        const headers: Record<string, string | number> = e instanceof RestError ? { ...e.headers } : {};
        if (e instanceof RestError && e.code === 'REST_BUSY') headers['Retry-After'] = 1;
        if (e instanceof RestError && e.code === 'REST_UPGRADE_REQUIRED') headers.Upgrade = 'websocket';
        // A body left unread (too large, refused before reading, an upload refused part-way) ends the connection.
        const close =
          (e instanceof RestError && (e.code === 'REST_TOO_LARGE' || e.code === 'REST_BUSY')) ||
          (x.req.readableEnded === false && streaming.has(x.req));
        sendProblem(x.res, p, headers, close);
      }
    },
  };
}

async function readBody(x: HttpExchange): Promise<Buffer> {
  try {
    return await x.readBody();
  } catch (e) {
    if (e instanceof HttpError) throw new RestError(BODY_ERRORS[e.code], e.message);
    throw e;
  }
}

async function handle(
  x: HttpExchange,
  router: Router,
  openapi: string,
  o: RestRouteOptions,
  streams: EventStreams,
): Promise<void> {
  const url = x.req.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  // HEAD is GET without the body (RFC 9110 §9.3.2); Node leaves the body out.
  const method = x.req.method === 'HEAD' ? 'GET' : (x.req.method ?? '');
  if (path === `${API_PREFIX}/openapi.json` && method === 'GET') {
    await readBody(x);
    return send(x.res, { status: 200, body: openapi });
  }
  const { route, params } = router.match(method, path);
  // Who may not call the route's method is refused before its body is read (an upload's, above all).
  const needed = route.calls === undefined ? undefined : API_METHODS[route.calls].role;
  if (needed !== undefined && !roleAllows(x.user.role, needed))
    throw new ApiError(
      'ACCESS_DENIED',
      `${x.user.name} (${x.user.role}) may not call ${route.calls}: it needs the ${needed} role`,
    );
  const mediaType = (x.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const streamed = route.upload?.mediaTypes.includes(mediaType) === true;
  if (streamed) streaming.add(x.req);
  const bytes = streamed ? Buffer.alloc(0) : await readBody(x);
  const query =
    route.query === undefined
      ? noQuery(url, q)
      : decodeQuery(route.query, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
  const sessionId = x.user.via === 'cookie' ? sessionIdOf(x.req.headers.cookie) : undefined;
  if (sessionId !== undefined && method !== 'GET')
    checkCsrf(o.cookies, sessionId, x.req.headers['x-csrf-token']);
  let body: unknown;
  let upload: UploadBody | undefined;
  if (streamed) {
    upload = uploadOf(
      x.bodyStream(),
      mediaType,
      o.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      o.uploadIdleMs ?? DEFAULT_UPLOAD_IDLE_MS,
    );
  } else if (route.body !== undefined && (route.upload === undefined || bytes.length > 0))
    body = decodeBody(route.body, x.req.headers, bytes);
  else if (route.upload !== undefined)
    throw new RestError('REST_MEDIA_TYPE', `The body must be ${route.upload.mediaTypes.join(' or ')}`);
  const api = o.sessions.of(x.user.name, x.user.role);
  const a = await route
    .handle({
      api,
      caller: { ...x.user, sessionId },
      secure: x.secure,
      cookies: o.cookies,
      params,
      query,
      body,
      headers: x.req.headers,
      streams,
      upload,
    })
    .catch((e: unknown) => {
      // What the Api made of a body that could not be read (INTERNAL, most often) says less than why it failed.
      throw upload?.failure ?? e;
    });
  send(x.res, method === 'GET' ? notModified(a, x.req.headers['if-none-match']) : a);
  // HEAD of a stream: the headers, and the end of an answer that has no body to wait for.
  if (a.stream !== undefined && x.req.method === 'HEAD') x.res.end();
}

/**
 * A change sent with a session cookie must carry the session's CSRF token in `X-CSRF-Token`: a page of another site
 * can make the browser send the cookie, never read the token (the double-submit check; SameSite=Strict is the
 * first line).
 */
function checkCsrf(cookies: CookieSessions, sessionId: string, header: string | string[] | undefined): void {
  const token = typeof header === 'string' ? header : undefined;
  if (!cookies.csrfMatches(sessionId, token))
    throw new RestError(
      'REST_CSRF',
      token === undefined
        ? 'A change with a session cookie needs the X-CSRF-Token header (GET /api/v1/session gives it)'
        : 'The X-CSRF-Token header does not match the session',
    );
}

/** 304 without a body when the client's If-None-Match names the answer's ETag (RFC 9110 §13.1.2). */
function notModified(a: RestAnswer, ifNoneMatch: string | undefined): RestAnswer {
  const etag = a.headers?.ETag;
  if (a.status !== 200 || etag === undefined || ifNoneMatch === undefined) return a;
  const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes(etag) || tags.includes('*') ? { status: 304, headers: { ETag: etag } } : a;
}

function noQuery(url: string, q: number): Record<string, unknown> {
  if (q >= 0 && q < url.length - 1) throw new RestError('REST_INVALID_QUERY', 'This resource takes no query');
  return {};
}
