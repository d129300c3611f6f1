import type { ApiErrorCode } from './errors.js';

/**
 * What an Api error becomes over REST: the HTTP status of its RFC 9457 problem details (src/rest answers
 * `application/problem+json` with `code` set to the Api code). Exhaustive, so a new Api code does not compile until
 * REST says what it becomes. Client-only codes (HOST_*, PROTOCOL) are never raised by a host; they map to 502 for
 * a REST client's own use.
 */

/** The statuses REST answers an Api error with. */
export type RestStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 422 | 429 | 500 | 501 | 502 | 504 | 507;

/**
 * The HTTP status per Api error code (RFC 9110 §15).
 *
 * @example
 * res.statusCode = REST_STATUS_OF[e.code]; // VM_NOT_FOUND -> 404, CONFLICT -> 412
 */
export const REST_STATUS_OF: Readonly<Record<ApiErrorCode, RestStatus>> = {
  INVALID_ARGUMENT: 400,
  // The request is well formed, but the model or the host refuses its content (RFC 9110 §15.5.21).
  DEFINITION_INVALID: 422,
  IMAGE_NOT_FOUND: 422,
  IMAGE_UNSAFE: 422,
  PATH_OUTSIDE_POOL: 422,
  VM_NOT_FOUND: 404,
  NOT_FOUND: 404,
  VM_EXISTS: 409,
  ALREADY_EXISTS: 409,
  INVALID_STATE: 409,
  // A stale etag can only come from If-Match, so it is the precondition's failure (RFC 9110 §13.1.1).
  CONFLICT: 412,
  BUSY: 409,
  NOT_SUPPORTED: 501,
  AUTH_FAILED: 401,
  ACCESS_DENIED: 403,
  HOST_NOT_RUNNING: 502,
  HOST_UNREACHABLE: 502,
  PROTOCOL: 502,
  TIMEOUT: 504,
  LIMIT_EXCEEDED: 429,
  CANCELLED: 409,
  HYPERVISOR_FAILED: 500,
  DEPLOY_PACKAGE: 422,
  DEPLOY_INVALID: 422,
  DEPLOY_EULA: 422,
  DEPLOY_PROPERTY: 422,
  DEPLOY_HARDWARE: 422,
  DEPLOY_DISK: 422,
  EXPORT_OUTPUT: 409,
  EXPORT_INVALID: 500,
  HOST_STORE: 500,
  INTERNAL: 500,
};

/**
 * Where the domain's own code (an error's `detail.code`) says more than the Api code: LIMIT_EXCEEDED is a rate
 * (429) unless the limit is a size (413, RFC 9110 §15.5.14) or the storage's room (507, RFC 4918 §11.5), so a
 * client does not retry a request that cannot succeed later.
 *
 * @example
 * restStatusOf({ code: 'LIMIT_EXCEEDED', detail: { domain: 'host', code: 'POOL_FULL' } }); // 507
 */
export const REST_STATUS_OF_DETAIL: Readonly<Record<string, RestStatus>> = {
  POOL_FULL: 507,
  UPLOAD_TOO_LONG: 413,
  OVA_TOO_LARGE: 413,
};

/** The HTTP status of an Api error over REST: by its domain code where {@link REST_STATUS_OF_DETAIL} has it. */
export function restStatusOf(e: { code: ApiErrorCode; detail?: { code: string } | undefined }): RestStatus {
  const refined = e.detail === undefined ? undefined : REST_STATUS_OF_DETAIL[e.detail.code];
  return refined ?? REST_STATUS_OF[e.code];
}
