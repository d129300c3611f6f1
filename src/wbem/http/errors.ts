import { VesselError } from '../../model/index.js';

/** Error codes of the shared HTTP server (TLS, authentication, limits) that every WBEM protocol runs on. */
export type HttpErrorCode =
  | 'HTTP_TLS'
  | 'HTTP_BAD_REQUEST'
  | 'HTTP_TOO_LARGE'
  | 'HTTP_BUSY'
  | 'HTTP_LOGIN_THROTTLED';

/** The HTTP status each error is answered with, when it happens while serving a request. */
export const HTTP_ERROR_STATUS: Readonly<Record<HttpErrorCode, number>> = {
  HTTP_TLS: 500,
  HTTP_BAD_REQUEST: 400,
  HTTP_TOO_LARGE: 413,
  HTTP_BUSY: 503,
  HTTP_LOGIN_THROTTLED: 429,
};

/**
 * A failure of the HTTP server itself, before any protocol is spoken (no certificate could be made, a request body
 * over the limits, a refused login).
 *
 * @example
 * throw new HttpError('HTTP_TLS', 'Cannot read the HTTPS key', { hint: 'Check --cim-key' });
 */
export class HttpError extends VesselError<HttpErrorCode> {
  /** The HTTP status to answer with. */
  get httpStatus(): number {
    return HTTP_ERROR_STATUS[this.code];
  }
}
