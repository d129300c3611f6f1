import { newContext } from '../../cim/index.js';
import {
  DEFAULT_HTTP_LIMITS,
  endWithTurn,
  type HttpAuth,
  type HttpExchange,
  type HttpLimits,
  type HttpRoute,
  type HttpServer,
  startHttpServer,
} from '../http/index.js';
import type { LoginLimits } from '../http/throttle.js';
import { dispatchWsman, faultAnswer, type WsmanAnswer } from './dispatch.js';
import type { WsmanDispatcher } from './dispatcher.js';
import { type EnvelopeLimits, readEnvelope } from './envelope.js';

/** Limits of the WS-Man server: the HTTP server's and an envelope's shape. */
export interface WsmanLimits extends HttpLimits {
  /** Most elements in a request (default 20,000). */
  maxElements: number;
  /** Most attributes on one element, namespace declarations included (default 64). */
  maxAttributes: number;
  /** Longest text of one element, in characters (default 1 MiB). */
  maxTextChars: number;
  /** Deepest element nesting (default 64). */
  maxDepth: number;
}

/** Default limits. */
export const DEFAULT_WSMAN_LIMITS: WsmanLimits = {
  ...DEFAULT_HTTP_LIMITS,
  maxElements: 20_000,
  maxAttributes: 64,
  maxTextChars: 1 << 20,
  maxDepth: 64,
};

/** Options of {@link startWsmanServer}. */
export interface WsmanServerOptions {
  dispatcher: WsmanDispatcher;
  auth: HttpAuth;
  /** HTTP listener (WinRM's default port 5985); bound to 127.0.0.1 unless `host` says otherwise. */
  http?: { port: number; host?: string } | undefined;
  /** HTTPS listener (port 5986) with a PEM key and certificate. */
  https?: { port: number; host?: string; key: string | Buffer; cert: string | Buffer } | undefined;
  limits?: Partial<WsmanLimits> | undefined;
  login?: Partial<LoginLimits> | undefined;
}

const CONTENT_TYPE = 'Content-Type';
const SOAP_TYPE = 'application/soap+xml;charset=UTF-8';

/**
 * The WS-Management protocol at `POST /wsman` and `/wsman/` (DSP0226, SOAP 1.2 over HTTP): reads the envelope
 * under `limits`, answers it as the authenticated user and sends the envelope, 200 for answers, 400 for sender
 * faults and 500 for receiver faults.
 *
 * @example
 * await startHttpServer({ routes: wsmanRoutes(dispatcher, DEFAULT_WSMAN_LIMITS), auth: { users } });
 */
export function wsmanRoutes(d: WsmanDispatcher, limits: WsmanLimits): HttpRoute[] {
  const read: EnvelopeLimits = {
    maxBytes: limits.maxBodyBytes,
    maxDepth: limits.maxDepth,
    maxElements: limits.maxElements,
    maxAttributes: limits.maxAttributes,
    maxTextChars: limits.maxTextChars,
  };
  const handle = (x: HttpExchange) => answer(d, read, x);
  return [
    { path: '/wsman', methods: ['POST'], handle },
    { path: '/wsman/', methods: ['POST'], handle },
  ];
}

async function answer(
  d: WsmanDispatcher,
  read: EnvelopeLimits,
  { res, user, readBody }: HttpExchange,
): Promise<void> {
  const body = await readBody();
  let out: WsmanAnswer;
  try {
    const req = await readEnvelope(body, read);
    out = await dispatchWsman(d, req, newContext(user.name, user.role));
  } catch (e) {
    out = faultAnswer(d, e, undefined);
  }
  res.writeHead(out.status, [CONTENT_TYPE, SOAP_TYPE, 'Content-Length', String(out.bytes.length)]);
  endWithTurn(res, out.bytes);
}

/** A running WS-Man server. */
export type WsmanServer = HttpServer;

/**
 * Starts the WS-Man server on the shared HTTP server ({@link startHttpServer}: TLS, Basic authentication against
 * the host's users, connection, body and login limits).
 *
 * @example
 * const s = await startWsmanServer({ dispatcher, auth: { users }, http: { port: 5985 } });
 */
export function startWsmanServer(o: WsmanServerOptions): Promise<WsmanServer> {
  const limits = { ...DEFAULT_WSMAN_LIMITS, ...o.limits };
  return startHttpServer({
    routes: wsmanRoutes(o.dispatcher, limits),
    auth: { realm: 'Vessel WS-Man', ...o.auth },
    http: o.http,
    https: o.https,
    limits,
    login: o.login,
    onInternalError: (e) => o.dispatcher.onInternalError?.(e),
  });
}
