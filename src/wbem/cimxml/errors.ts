import { VesselError } from '../../model/index.js';

/** Error codes of the CIM-XML protocol layer (DSP0200 §7.5: the `CIMError` header values, plus HTTP-level ones). */
export type CimXmlErrorCode =
  | 'CIMXML_UNSUPPORTED_PROTOCOL_VERSION'
  | 'CIMXML_MULTIPLE_REQUESTS_UNSUPPORTED'
  | 'CIMXML_UNSUPPORTED_CIM_VERSION'
  | 'CIMXML_UNSUPPORTED_DTD_VERSION'
  | 'CIMXML_REQUEST_NOT_VALID'
  | 'CIMXML_REQUEST_NOT_WELL_FORMED'
  | 'CIMXML_REQUEST_NOT_LOOSELY_VALID'
  | 'CIMXML_HEADER_MISMATCH'
  | 'CIMXML_UNSUPPORTED_OPERATION'
  | 'CIMXML_BAD_REQUEST'
  | 'CIMXML_TOO_LARGE'
  | 'CIMXML_TIMEOUT'
  | 'CIMXML_UNAUTHORIZED'
  | 'CIMXML_RESPONSE_INVALID'
  | 'CIMXML_REMOTE_FAILED'
  | 'CIMXML_HTTP'
  | 'HOST_UNREACHABLE';

/** The HTTP status and `CIMError` header value of each protocol error (DSP0200 §7.5, OpenPegasus behaviour). */
export const PROTOCOL_ERRORS: Record<CimXmlErrorCode, { http: number; cimError?: string }> = {
  CIMXML_UNSUPPORTED_PROTOCOL_VERSION: { http: 501, cimError: 'unsupported-protocol-version' },
  CIMXML_MULTIPLE_REQUESTS_UNSUPPORTED: { http: 501, cimError: 'multiple-requests-unsupported' },
  CIMXML_UNSUPPORTED_CIM_VERSION: { http: 501, cimError: 'unsupported-cim-version' },
  CIMXML_UNSUPPORTED_DTD_VERSION: { http: 501, cimError: 'unsupported-dtd-version' },
  CIMXML_REQUEST_NOT_VALID: { http: 400, cimError: 'request-not-valid' },
  CIMXML_REQUEST_NOT_WELL_FORMED: { http: 400, cimError: 'request-not-well-formed' },
  CIMXML_REQUEST_NOT_LOOSELY_VALID: { http: 400, cimError: 'request-not-loosely-valid' },
  CIMXML_HEADER_MISMATCH: { http: 400, cimError: 'header-mismatch' },
  CIMXML_UNSUPPORTED_OPERATION: { http: 400, cimError: 'unsupported-operation' },
  CIMXML_BAD_REQUEST: { http: 400 },
  CIMXML_TOO_LARGE: { http: 413 },
  CIMXML_TIMEOUT: { http: 408 },
  CIMXML_UNAUTHORIZED: { http: 401 },
  CIMXML_RESPONSE_INVALID: { http: 502 },
  CIMXML_REMOTE_FAILED: { http: 500 },
  CIMXML_HTTP: { http: 500 },
  HOST_UNREACHABLE: { http: 503 },
};

/**
 * A CIM-XML protocol error: answered with an HTTP error status and a `CIMError` header instead of a CIM-XML
 * `<ERROR>` element. On the client side it also reports a response that is not valid CIM-XML.
 *
 * @example
 * throw new CimXmlError('CIMXML_HEADER_MISMATCH', 'CIMMethod "Foo" does not match the request method "GetClass"');
 */
export class CimXmlError extends VesselError<CimXmlErrorCode> {
  /** The HTTP status to answer with. */
  get httpStatus(): number {
    return PROTOCOL_ERRORS[this.code].http;
  }
  /** The value of the `CIMError` response header, when the condition has one. */
  get cimErrorHeader(): string | undefined {
    return PROTOCOL_ERRORS[this.code].cimError;
  }
}
