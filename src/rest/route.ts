import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { type TObject, TransformKind, type TSchema } from '@sinclair/typebox';
import {
  type Api,
  ApiError,
  type ApiMethodName,
  type ByteStream,
  encodeResult,
  isFinalJobState,
  type JobInfo,
  METHODS,
  type ResultOf,
  type Role,
} from '../api/index.js';
import type { Credential } from '../wbem/index.js';
import type { CookieSessions } from './cookies.js';
import type { EventStreams } from './event-streams.js';

/**
 * One route of the REST edge: what the router matches, what the OpenAPI document says of it, and its handler. The
 * route table (routes-*.ts) is the one place both come from, so the document cannot drift from the server.
 */

/** The HTTP methods the edge routes. */
export type RestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who sent a request and how it proved it (Basic password, bearer token, session cookie). */
export interface RestCaller {
  name: string;
  role: Role;
  via: Credential;
  /** The session cookie's value, when the request came with one that named a live session. */
  sessionId?: string | undefined;
}

/** A request as a handler sees it: the caller's Api session, the decoded path, query and body. */
export interface RestRequest {
  api: Api;
  caller: RestCaller;
  /** The request came over TLS (cookies are then `Secure`). */
  secure: boolean;
  /** The browser sessions (the session routes open and end them). */
  cookies: CookieSessions;
  /** Path parameters, percent-decoded. */
  params: Readonly<Record<string, string>>;
  /** The query, decoded by the route's `query` schema (an empty object when it has none). */
  query: Record<string, unknown>;
  /** The body, decoded by the route's `body` schema (undefined when it has none). */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** The endpoint's open event streams (GET /events counts and stops its streams there). */
  streams: EventStreams;
  /**
   * An upload route's body as it arrives (its `upload` media types; see src/rest/transfer.ts), bounded by the
   * endpoint's upload limit; undefined for a route without `upload`, or when the request came as JSON.
   */
  upload?: UploadBody | undefined;
}

/** A streamed request body: its bytes, what the client announced, and the most the endpoint takes. */
export interface UploadBody {
  bytes: ByteStream;
  /** Content-Length, when the client sent one (chunked uploads have none). */
  sizeBytes: bigint | undefined;
  /** The media type without parameters, lower case. */
  mediaType: string;
  /** The endpoint's limit on one upload, bytes. */
  maxBytes: bigint;
  /** Makes the limit smaller for this upload (a pool's free space); a larger value is ignored. */
  limitTo(bytes: bigint, why: string): void;
  /**
   * Why reading the body failed (over the limit, cut, stalled), once it has: the answer says this rather than what
   * the Api made of the failed read.
   */
  readonly failure: Error | undefined;
}

/** A handler's answer: status, JSON body (already in wire form) and headers. */
export interface RestAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Writes the response itself (headers and a body that goes on: an event stream) instead of a JSON body. */
  stream?: (res: ServerResponse) => void;
}

/** The request headers a route may document. */
export type RestRequestHeader =
  | 'If-Match'
  | 'Prefer'
  | 'Last-Event-ID'
  | 'Range'
  | 'If-Range'
  | 'X-Content-SHA256'
  | 'Repr-Digest'
  | 'Digest';

/** A response a route documents. */
export interface RestResponseSpec {
  description: string;
  schema?: TSchema;
  /** The body's media type when it is not JSON (`text/event-stream`): `schema` then describes each item's data. */
  mediaType?: string;
  /** The body is binary of `mediaType` (`image/png`), no JSON: `schema` is not used. */
  binary?: true;
  /** Response headers the document names (Location, ETag, Link). */
  headers?: readonly string[];
}

/** One route. */
export interface RestRoute {
  method: RestMethod;
  /** Below /api/v1, with `{name}` for a path segment: `/systems/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  /**
   * The Api method it calls (the role needed is that method's, METHODS); absent for the routes of the caller's own
   * browser session, which any user may use.
   */
  calls?: ApiMethodName;
  /** Descriptions of the path parameters. */
  pathParams?: Readonly<Record<string, string>>;
  query?: TObject;
  body?: TSchema;
  /**
   * A body streamed as it comes instead of (or besides) JSON: the media types that are streamed, and what the
   * document says of them. A request in one of them reaches the handler as `upload`, unread.
   */
  upload?: { mediaTypes: readonly string[]; description: string; alsoJson?: boolean };
  /** Request headers it reads (If-Match, Prefer). */
  requestHeaders?: readonly RestRequestHeader[];
  responses: Readonly<Record<number, RestResponseSpec>>;
  handle(r: RestRequest): Promise<RestAnswer>;
}

const transforms = new Map<ApiMethodName, boolean>();

function hasTransform(s: unknown, seen = new Set<unknown>()): boolean {
  if (s === null || typeof s !== 'object' || seen.has(s)) return false;
  seen.add(s);
  if ((s as Record<symbol, unknown>)[TransformKind] !== undefined) return true;
  return Object.values(s).some((v) => hasTransform(v, seen));
}

/**
 * A method's result in wire form: encoded by its schema (sizes as decimal strings) when the schema has such
 * transforms, else as it is (an in-process session's result already has its wire shape; skipping the encoder's
 * full check keeps a GET cheap). The route tests validate every answer against the OpenAPI document.
 *
 * @example
 * send({ status: 200, body: wire('systems.get', detail) });
 */
export function wire<N extends ApiMethodName>(method: N, result: ResultOf<N>): unknown {
  let t = transforms.get(method);
  if (t === undefined) {
    t = hasTransform(METHODS[method].result);
    transforms.set(method, t);
  }
  return t ? encodeResult(method, result) : result;
}

/** The prefix of every route. */
export const API_PREFIX = '/api/v1';

/**
 * The answer to a change that ran as a job: 200 (or `created`'s status and Location) once it completed, 202 with
 * `Location: /api/v1/jobs/{id}` while it runs, and the job's own error, as a problem with the job's id, when it
 * failed (CIM_ConcreteJob's fields are the job's).
 *
 * @example
 * return jobAnswer('systems.changeState', await api.systems.changeState(id, 'start', { waitMs }));
 */
export function jobAnswer<N extends ApiMethodName>(
  method: N,
  job: JobInfo,
  created?: (job: JobInfo) => string,
): RestAnswer {
  if (!isFinalJobState(job.state))
    return {
      status: 202,
      body: wire(method, job as ResultOf<N>),
      headers: { Location: `${API_PREFIX}/jobs/${encodeURIComponent(job.id)}` },
    };
  if (job.state !== 'completed') {
    const e = job.error ?? { code: 'CANCELLED' as const, message: `Job ${job.id} ${job.state}` };
    throw Object.assign(ApiError.fromInfo(e), { job: job.id });
  }
  const body = wire(method, job as ResultOf<N>);
  if (created === undefined) return { status: 200, body };
  return { status: 201, body, headers: { Location: created(job) } };
}
