import { VesselError } from '../../model/index.js';

/** Error codes of the shared HTTP server (TLS, authentication, limits) that every WBEM protocol runs on. */
export type HttpErrorCode = 'HTTP_TLS';

/**
 * A failure of the HTTP server itself, before any protocol is spoken (e.g. no certificate could be made).
 *
 * @example
 * throw new HttpError('HTTP_TLS', 'Cannot read the HTTPS key', { hint: 'Check --cim-key' });
 */
export class HttpError extends VesselError<HttpErrorCode> {}
