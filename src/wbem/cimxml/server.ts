import type { ServerResponse } from 'node:http';
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
import { decodeRequest, decodeRequestAsync } from './decode-request.js';
import { dispatch } from './dispatch.js';
import type { CimXmlDispatcher } from './dispatcher.js';
import { CimXmlError } from './errors.js';
import { checkHeadersMatch, checkRequestHeaders } from './headers.js';
import type { CimXmlReadLimits } from './xml-read.js';

/** Limits of the CIM-XML server: the HTTP server's (connections, timeouts, bodies, logins) and a request's shape. */
export interface CimXmlLimits extends HttpLimits {
  /** Most elements in a request (default 20,000). */
  maxElements: number;
  /** Most attributes on one element of a request (default 64). */
  maxAttributes: number;
  /** Longest text of one element of a request, in characters (default 1 MiB). */
  maxTextChars: number;
  /** Deepest element nesting of a request (default 64). */
  maxDepth: number;
}

/** Default limits. */
export const DEFAULT_CIMXML_LIMITS: CimXmlLimits = {
  ...DEFAULT_HTTP_LIMITS,
  maxElements: 20_000,
  maxAttributes: 64,
  maxTextChars: 1 << 20,
  maxDepth: 64,
};

/** How the server authenticates (the realm defaults to `Vessel CIM`). */
export type CimXmlAuth = HttpAuth;

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
export type CimXmlServer = HttpServer;

/**
 * Bodies up to this size are read in one go (well under a millisecond); larger ones in slices that give the event
 * loop back, which costs a small request more than reading it (an async frame and a reader's deadline checks).
 */
const AT_ONCE_BYTES = 16 * 1024;

const XML_HEADERS = { 'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodResponse' };

/**
 * Starts the CIM-XML server (DSP0200 over HTTP and HTTPS): `POST /cimom` on the shared HTTP server
 * ({@link startHttpServer}: TLS, Basic authentication, connection and login limits), request bodies read in linear
 * time under size and shape limits and in slices that leave the event loop to other clients.
 *
 * @example
 * const s = await startCimXmlServer({ dispatcher, auth: { users }, http: { port: 5988 } });
 */
export async function startCimXmlServer(options: CimXmlServerOptions): Promise<CimXmlServer> {
  const limits = { ...DEFAULT_CIMXML_LIMITS, ...options.limits };
  return startHttpServer({
    routes: [cimXmlRoute(options.dispatcher, limits)],
    auth: { realm: 'Vessel CIM', ...options.auth },
    http: options.http,
    https: options.https,
    limits,
    login: options.login,
    onInternalError: (e) => options.dispatcher.onInternalError?.(e),
  });
}

/**
 * The CIM-XML protocol at `POST /cimom` (DSP0200 §7): checks the CIM headers, decodes the request under `limits`,
 * dispatches it as the authenticated user and encodes the response; protocol errors are answered with their HTTP
 * status and `CIMError` header (DSP0200 §7.5).
 *
 * @example
 * await startHttpServer({ routes: [cimXmlRoute(dispatcher, DEFAULT_CIMXML_LIMITS)], auth: { users } });
 */
export function cimXmlRoute(dispatcher: CimXmlDispatcher, limits: CimXmlLimits): HttpRoute {
  const read: Required<CimXmlReadLimits> = {
    maxBytes: limits.maxBodyBytes,
    maxDepth: limits.maxDepth,
    maxElements: limits.maxElements,
    maxAttributes: limits.maxAttributes,
    maxTextChars: limits.maxTextChars,
  };
  return { path: '/cimom', methods: ['POST'], handle: (x) => handle(dispatcher, read, x) };
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
  dispatcher: CimXmlDispatcher,
  read: Required<CimXmlReadLimits>,
  { req, res, user, readBody }: HttpExchange,
): Promise<void> {
  let headers: ReturnType<typeof checkRequestHeaders>;
  try {
    headers = checkRequestHeaders(req.headers);
  } catch (e) {
    if (e instanceof CimXmlError) return fail(res, e, true);
    throw e;
  }
  const body = await readBody();
  let xml: string;
  try {
    const version = headers.protocolVersion ?? '1.0';
    const call =
      body.byteLength <= AT_ONCE_BYTES
        ? decodeRequest(body, read, version)
        : await decodeRequestAsync(body, read, version);
    checkHeadersMatch(headers, call);
    xml = await dispatch(dispatcher, call, newContext(user.name, user.role));
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
  // A string body lets Node send headers and body in one write (measuring it costs less than a Buffer.from, which
  // allocates from the pool: 3.5 % against 5.3 % of a GetInstance's samples).
  res.writeHead(200, { ...XML_HEADERS, 'Content-Length': Buffer.byteLength(xml) });
  endWithTurn(res, xml);
}
