import type { ApiErrorCode, ApiErrorInfo } from '../api/index.js';
import { VesselError, type VesselErrorOptions } from '../model/index.js';

/**
 * The REST edge's own refusals, before a request reaches the Api: each has its HTTP status and the Api code its
 * problem details carry (so a client needs to know one vocabulary of codes). Api errors map through
 * REST_STATUS_OF (src/api/errors-rest.ts), once.
 */
export const REST_ERRORS = {
  REST_NO_ROUTE: { status: 404, code: 'NOT_FOUND', title: 'No such resource' },
  REST_METHOD: { status: 405, code: 'NOT_SUPPORTED', title: 'Method not allowed on this resource' },
  REST_MEDIA_TYPE: { status: 415, code: 'INVALID_ARGUMENT', title: 'The body must be application/json' },
  REST_MALFORMED_JSON: { status: 400, code: 'INVALID_ARGUMENT', title: 'The body is not JSON' },
  REST_INVALID_BODY: { status: 400, code: 'INVALID_ARGUMENT', title: 'The body does not fit the schema' },
  REST_INVALID_QUERY: { status: 400, code: 'INVALID_ARGUMENT', title: 'A query parameter is wrong' },
  REST_INVALID_PATH: { status: 400, code: 'INVALID_ARGUMENT', title: 'The request path is malformed' },
  REST_INVALID_HEADER: { status: 400, code: 'INVALID_ARGUMENT', title: 'A request header is malformed' },
  REST_TOO_LARGE: { status: 413, code: 'LIMIT_EXCEEDED', title: 'The body is over the size limit' },
  REST_RANGE: { status: 416, code: 'INVALID_ARGUMENT', title: 'The range is not satisfiable' },
  REST_BUSY: { status: 503, code: 'LIMIT_EXCEEDED', title: 'The server is busy' },
  REST_UNAUTHORIZED: { status: 401, code: 'AUTH_FAILED', title: 'Credentials are missing or wrong' },
  REST_THROTTLED: { status: 429, code: 'LIMIT_EXCEEDED', title: 'Too many failed logins' },
  REST_CSRF: {
    status: 403,
    code: 'ACCESS_DENIED',
    title: 'A change made with a session cookie needs its X-CSRF-Token header',
  },
  REST_CREDENTIAL: { status: 403, code: 'ACCESS_DENIED', title: 'Not with this kind of credentials' },
  REST_TOO_MANY_STREAMS: {
    status: 429,
    code: 'LIMIT_EXCEEDED',
    title: 'Too many event streams for this user',
  },
  REST_UPGRADE_REQUIRED: {
    status: 426,
    code: 'INVALID_ARGUMENT',
    title: 'This resource is a WebSocket: send an Upgrade request',
  },
  REST_ORIGIN: {
    status: 403,
    code: 'ACCESS_DENIED',
    title: 'A WebSocket opened with a session cookie must come from a page of this host (Origin)',
  },
  REST_TOO_MANY_CONSOLES: {
    status: 429,
    code: 'LIMIT_EXCEEDED',
    title: 'Too many open consoles for this user',
  },
} as const satisfies Record<string, { status: number; code: ApiErrorCode; title: string }>;

/** A code of {@link REST_ERRORS}. */
export type RestErrorCode = keyof typeof REST_ERRORS;

/**
 * A refusal of the REST edge itself, answered as problem details with its status.
 *
 * @example
 * throw new RestError('REST_MALFORMED_JSON', 'Unexpected end of JSON input at position 12');
 */
export class RestError extends VesselError<RestErrorCode> {
  /** Sent as `Allow` with a 405. */
  readonly allow: readonly string[] | undefined;
  /** Headers sent with the problem: `Allow` of a 405, `Content-Range` of a 416 (the size). */
  readonly headers: Readonly<Record<string, string>>;
  /** The refused members of the body (JSON Pointers), sent as the problem's `errors`. */
  readonly errors: ApiErrorInfo['errors'];

  constructor(
    code: RestErrorCode,
    message: string,
    options: VesselErrorOptions & { allow?: string[]; size?: bigint; errors?: ApiErrorInfo['errors'] } = {},
  ) {
    super(code, message, options);
    this.allow = options.allow;
    this.errors = options.errors;
    const h: Record<string, string> = {};
    if (options.allow !== undefined) h.Allow = options.allow.join(', ');
    if (options.size !== undefined) h['Content-Range'] = `bytes */${options.size}`;
    this.headers = h;
  }

  get httpStatus(): number {
    return REST_ERRORS[this.code].status;
  }
}
