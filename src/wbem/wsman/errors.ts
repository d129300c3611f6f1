import type { CimError, CimErrorCode } from '../../cim/index.js';
import { VesselError } from '../../model/index.js';
import { NS } from './names.js';

/** One fault of DSP0226 §14: its SOAP code, subcode and the action of the fault message. */
interface FaultKind {
  /** `Sender` faults are answered with HTTP 400, `Receiver` faults with 500. */
  code: 'Sender' | 'Receiver';
  /** The subcode as `prefix:Local` (prefixes of {@link faultEnvelope}: wsa, wsman, wsen) or a SOAP code. */
  subcode: string;
  action: string;
}

const WSA_FAULT = `${NS.wsa}/fault`;
const WSMAN_FAULT = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault';
const WSEN_FAULT = `${NS.wsen}/fault`;
const WSE_FAULT = `${NS.wse}/fault`;

/** Every fault this server sends (DSP0226 §14.6), one registry. */
export const WSMAN_FAULTS = {
  WSMAN_VERSION_MISMATCH: { code: 'Sender', subcode: 's:VersionMismatch', action: WSA_FAULT },
  WSMAN_MUST_UNDERSTAND: { code: 'Sender', subcode: 's:MustUnderstand', action: WSA_FAULT },
  WSMAN_ACCESS_DENIED: { code: 'Sender', subcode: 'wsman:AccessDenied', action: WSMAN_FAULT },
  WSMAN_ACTION_NOT_SUPPORTED: { code: 'Sender', subcode: 'wsa:ActionNotSupported', action: WSA_FAULT },
  WSMAN_ALREADY_EXISTS: { code: 'Sender', subcode: 'wsman:AlreadyExists', action: WSMAN_FAULT },
  WSMAN_CANNOT_PROCESS_FILTER: { code: 'Sender', subcode: 'wsen:CannotProcessFilter', action: WSEN_FAULT },
  WSMAN_DESTINATION_UNREACHABLE: { code: 'Sender', subcode: 'wsa:DestinationUnreachable', action: WSA_FAULT },
  WSMAN_ENCODING_LIMIT: { code: 'Sender', subcode: 'wsman:EncodingLimit', action: WSMAN_FAULT },
  WSMAN_ENDPOINT_UNAVAILABLE: { code: 'Receiver', subcode: 'wsa:EndpointUnavailable', action: WSA_FAULT },
  WSMAN_FILTER_DIALECT_UNAVAILABLE: {
    code: 'Sender',
    subcode: 'wsen:FilterDialectRequestedUnavailable',
    action: WSEN_FAULT,
  },
  WSMAN_INTERNAL_ERROR: { code: 'Receiver', subcode: 'wsman:InternalError', action: WSMAN_FAULT },
  WSMAN_INVALID_ENUMERATION_CONTEXT: {
    code: 'Receiver',
    subcode: 'wsen:InvalidEnumerationContext',
    action: WSEN_FAULT,
  },
  WSMAN_INVALID_EXPIRATION_TIME: {
    code: 'Sender',
    subcode: 'wsen:InvalidExpirationTime',
    action: WSEN_FAULT,
  },
  WSMAN_INVALID_HEADER: { code: 'Sender', subcode: 'wsa:InvalidMessageInformationHeader', action: WSA_FAULT },
  WSMAN_HEADER_REQUIRED: {
    code: 'Sender',
    subcode: 'wsa:MessageInformationHeaderRequired',
    action: WSA_FAULT,
  },
  WSMAN_INVALID_OPTIONS: { code: 'Sender', subcode: 'wsman:InvalidOptions', action: WSMAN_FAULT },
  WSMAN_INVALID_PARAMETER: { code: 'Sender', subcode: 'wsman:InvalidParameter', action: WSMAN_FAULT },
  WSMAN_INVALID_SELECTORS: { code: 'Sender', subcode: 'wsman:InvalidSelectors', action: WSMAN_FAULT },
  WSMAN_QUOTA_LIMIT: { code: 'Sender', subcode: 'wsman:QuotaLimit', action: WSMAN_FAULT },
  WSMAN_SCHEMA_VALIDATION: { code: 'Sender', subcode: 'wsman:SchemaValidationError', action: WSMAN_FAULT },
  WSMAN_TIMED_OUT: { code: 'Receiver', subcode: 'wsman:TimedOut', action: WSMAN_FAULT },
  WSMAN_UNSUPPORTED_FEATURE: { code: 'Sender', subcode: 'wsman:UnsupportedFeature', action: WSMAN_FAULT },
  WSE_DELIVERY_MODE_UNAVAILABLE: {
    code: 'Sender',
    subcode: 'wse:DeliveryModeRequestedUnavailable',
    action: WSE_FAULT,
  },
  WSE_INVALID_EXPIRATION_TIME: { code: 'Sender', subcode: 'wse:InvalidExpirationTime', action: WSE_FAULT },
  WSE_UNABLE_TO_RENEW: { code: 'Sender', subcode: 'wse:UnableToRenew', action: WSE_FAULT },
  WSE_FILTERING_NOT_SUPPORTED: {
    code: 'Sender',
    subcode: 'wse:EventSourceUnableToProcess',
    action: WSE_FAULT,
  },
} as const satisfies Record<string, FaultKind>;

/** The fault codes of the WS-Man edge. */
export type WsmanFaultCode = keyof typeof WSMAN_FAULTS;

/** The `wsman:FaultDetail` URIs (DSP0226 §14.6) this server names. */
export const FAULT_DETAIL = {
  invalidResourceUri: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI',
  maxEnvelopeSize: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize',
  insufficientSelectors: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InsufficientSelectors',
  unexpectedSelectors: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors',
  duplicateSelectors: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/DuplicateSelectors',
  invalidValue: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidValue',
  fragmentLevelAccess: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/FragmentLevelAccess',
  filteringRequired: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/FilteringRequired',
  notSupported: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/NotSupported',
} as const;

/**
 * A WS-Management fault: what the request did wrong (or the server could not do), with the DSP0226 detail URI
 * and, when it came from the object manager, the CIM error it carries (DSP0227 §10: embedded as a CIM_Error).
 *
 * @example
 * throw new WsmanFault('WSMAN_INVALID_SELECTORS', 'Selector "Name" is missing', { detail: FAULT_DETAIL.insufficientSelectors });
 */
export class WsmanFault extends VesselError<WsmanFaultCode> {
  readonly detail: string | undefined;
  readonly cim: CimError | undefined;
  constructor(
    code: WsmanFaultCode,
    message: string,
    o: { detail?: string | undefined; cim?: CimError | undefined; cause?: unknown } = {},
  ) {
    super(code, message, o.cause === undefined ? {} : { cause: o.cause });
    this.detail = o.detail;
    this.cim = o.cim;
  }
  /** HTTP 400 for sender faults, 500 for receiver faults. */
  get httpStatus(): number {
    return WSMAN_FAULTS[this.code].code === 'Sender' ? 400 : 500;
  }
}

/** The fault of each CIM status (DSP0227 §10 Table 3); statuses not listed are internal errors. */
const FROM_CIM: Partial<Record<CimErrorCode, [WsmanFaultCode, string?]>> = {
  CIM_ERR_ACCESS_DENIED: ['WSMAN_ACCESS_DENIED'],
  CIM_ERR_INVALID_NAMESPACE: ['WSMAN_DESTINATION_UNREACHABLE', FAULT_DETAIL.invalidResourceUri],
  CIM_ERR_INVALID_PARAMETER: ['WSMAN_INVALID_PARAMETER'],
  CIM_ERR_INVALID_CLASS: ['WSMAN_DESTINATION_UNREACHABLE', FAULT_DETAIL.invalidResourceUri],
  CIM_ERR_NOT_FOUND: ['WSMAN_DESTINATION_UNREACHABLE'],
  CIM_ERR_NOT_SUPPORTED: ['WSMAN_ACTION_NOT_SUPPORTED'],
  CIM_ERR_ALREADY_EXISTS: ['WSMAN_ALREADY_EXISTS'],
  CIM_ERR_NO_SUCH_PROPERTY: ['WSMAN_SCHEMA_VALIDATION'],
  CIM_ERR_TYPE_MISMATCH: ['WSMAN_SCHEMA_VALIDATION'],
  CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED: ['WSMAN_FILTER_DIALECT_UNAVAILABLE'],
  CIM_ERR_INVALID_QUERY: ['WSMAN_CANNOT_PROCESS_FILTER'],
  CIM_ERR_METHOD_NOT_AVAILABLE: ['WSMAN_ACTION_NOT_SUPPORTED'],
  CIM_ERR_METHOD_NOT_FOUND: ['WSMAN_ACTION_NOT_SUPPORTED'],
  CIM_ERR_INVALID_ENUMERATION_CONTEXT: ['WSMAN_INVALID_ENUMERATION_CONTEXT'],
  CIM_ERR_INVALID_OPERATION_TIMEOUT: ['WSMAN_INVALID_EXPIRATION_TIME'],
  CIM_ERR_SERVER_LIMITS_EXCEEDED: ['WSMAN_QUOTA_LIMIT'],
  CIM_ERR_SERVER_IS_SHUTTING_DOWN: ['WSMAN_ENDPOINT_UNAVAILABLE'],
  CIM_MOF_SYNTAX: ['WSMAN_INVALID_PARAMETER'],
};

/**
 * The fault of a CIM error, carrying it.
 *
 * @example
 * faultOfCimError(new CimError('CIM_ERR_NOT_FOUND', 'No vm9')).code; // 'WSMAN_DESTINATION_UNREACHABLE'
 */
export function faultOfCimError(e: CimError): WsmanFault {
  const [code, detail] = FROM_CIM[e.code] ?? ['WSMAN_INTERNAL_ERROR'];
  return new WsmanFault(code, e.message, { detail, cim: e, cause: e });
}
