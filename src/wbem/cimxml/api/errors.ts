import { ApiError, type ApiErrorCode } from '../../../api/index.js';
import { CimError, type CimStatusName } from '../../../cim/index.js';
import { VesselError } from '../../../model/index.js';
import { CimHttpError } from '../client.js';
import { CimXmlError } from '../errors.js';

/**
 * What goes wrong on the way to a CIM-XML host, as the Api's errors: every CIM status, every return value of the
 * DMTF methods and every transport failure becomes one {@link ApiError} code here, in exhaustive tables, and the
 * message says what was asked and of which host. The reverse of src/api/errors-cim.ts, which says what a host
 * raises for each code; where one CIM status stands for several codes, the call's {@link CallContext} picks.
 */

/** What a call was about: its words for messages, and the code a generic CIM status takes for it. */
export interface CallContext {
  /** What was asked, for messages: `Cannot define "web1"`, `Reading the virtual systems`. */
  what: string;
  /** CIM_ERR_NOT_FOUND: a system (`VM_NOT_FOUND`) or something else (`NOT_FOUND`, the default). */
  notFound?: 'VM_NOT_FOUND' | 'NOT_FOUND';
  /** CIM_ERR_INVALID_PARAMETER and return value 4: a definition (`DEFINITION_INVALID`) or a parameter. */
  invalid?: 'DEFINITION_INVALID' | 'INVALID_ARGUMENT';
  /** CIM_ERR_ALREADY_EXISTS: a system (`VM_EXISTS`) or something else (`ALREADY_EXISTS`, the default). */
  exists?: 'VM_EXISTS' | 'ALREADY_EXISTS';
}

type Contextual = 'notFound' | 'invalid' | 'exists';

/** Each CIM status (DSP0200 §2.5) as an Api code, or the context's choice. */
export const API_CODE_OF_STATUS: Readonly<Record<CimStatusName, ApiErrorCode | Contextual>> = {
  CIM_ERR_FAILED: 'HYPERVISOR_FAILED',
  CIM_ERR_ACCESS_DENIED: 'ACCESS_DENIED',
  CIM_ERR_INVALID_NAMESPACE: 'NOT_SUPPORTED',
  CIM_ERR_INVALID_PARAMETER: 'invalid',
  CIM_ERR_INVALID_CLASS: 'NOT_SUPPORTED',
  CIM_ERR_NOT_FOUND: 'notFound',
  CIM_ERR_NOT_SUPPORTED: 'NOT_SUPPORTED',
  CIM_ERR_CLASS_HAS_CHILDREN: 'INVALID_ARGUMENT',
  CIM_ERR_CLASS_HAS_INSTANCES: 'INVALID_ARGUMENT',
  CIM_ERR_INVALID_SUPERCLASS: 'INVALID_ARGUMENT',
  CIM_ERR_ALREADY_EXISTS: 'exists',
  CIM_ERR_NO_SUCH_PROPERTY: 'invalid',
  CIM_ERR_TYPE_MISMATCH: 'invalid',
  CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED: 'NOT_SUPPORTED',
  CIM_ERR_INVALID_QUERY: 'INVALID_ARGUMENT',
  CIM_ERR_METHOD_NOT_AVAILABLE: 'NOT_SUPPORTED',
  CIM_ERR_METHOD_NOT_FOUND: 'NOT_SUPPORTED',
  CIM_ERR_NAMESPACE_NOT_EMPTY: 'INVALID_ARGUMENT',
  // Enumeration contexts are the client's own business: a host that loses one speaks another dialect.
  CIM_ERR_INVALID_ENUMERATION_CONTEXT: 'PROTOCOL',
  CIM_ERR_INVALID_OPERATION_TIMEOUT: 'PROTOCOL',
  CIM_ERR_PULL_HAS_BEEN_ABANDONED: 'PROTOCOL',
  CIM_ERR_PULL_CANNOT_BE_ABANDONED: 'PROTOCOL',
  CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED: 'NOT_SUPPORTED',
  CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED: 'NOT_SUPPORTED',
  CIM_ERR_SERVER_LIMITS_EXCEEDED: 'LIMIT_EXCEEDED',
  CIM_ERR_SERVER_IS_SHUTTING_DOWN: 'HOST_UNREACHABLE',
};

/**
 * RequestStateChange return values (CIM_EnabledLogicalElement; Hyper-V's vendor 32769 and 32775, REFERENCE.md
 * §4b): 1 Not Supported, 2 Unknown or Unspecified Error, 3 Timeout, 4 Failed, 5 Invalid Parameter, 6 In Use,
 * 4097 Invalid State Transition, 4098 Timeout Parameter Not Supported, 4099 Busy.
 */
export const API_CODE_OF_RSC: Readonly<Record<number, ApiErrorCode>> = {
  1: 'NOT_SUPPORTED',
  2: 'HYPERVISOR_FAILED',
  3: 'TIMEOUT',
  4: 'HYPERVISOR_FAILED',
  5: 'INVALID_ARGUMENT',
  6: 'BUSY',
  4097: 'INVALID_STATE',
  4098: 'NOT_SUPPORTED',
  4099: 'BUSY',
  32769: 'ACCESS_DENIED',
  32775: 'INVALID_STATE',
};

/**
 * The DSP1042 methods' return values (CIM_VirtualSystemManagementService): 1 Not Supported, 2 Failed, 3 Timeout,
 * 4 Invalid Parameter, 5 Invalid State, 6 Incompatible Parameters.
 */
export const API_CODE_OF_VSMS: Readonly<Record<number, ApiErrorCode | 'invalid'>> = {
  1: 'NOT_SUPPORTED',
  2: 'HYPERVISOR_FAILED',
  3: 'TIMEOUT',
  4: 'invalid',
  5: 'INVALID_STATE',
  6: 'INVALID_ARGUMENT',
};

function contextual(code: ApiErrorCode | Contextual, ctx: CallContext): ApiErrorCode {
  if (code === 'notFound') return ctx.notFound ?? 'NOT_FOUND';
  if (code === 'invalid') return ctx.invalid ?? 'INVALID_ARGUMENT';
  if (code === 'exists') return ctx.exists ?? 'ALREADY_EXISTS';
  return code;
}

/**
 * The Api error of a CIM status a host raised (or a failed job reported), with the host's words after ours.
 *
 * @example
 * fromCimStatus('CIM_ERR_NOT_FOUND', 'No virtual system "x"', { what: 'Cannot start "x"', notFound: 'VM_NOT_FOUND' }, 'h1:5988');
 */
export function fromCimStatus(
  status: CimStatusName,
  text: string,
  ctx: CallContext,
  where: string,
): ApiError {
  const code = contextual(API_CODE_OF_STATUS[status], ctx);
  return new ApiError(code, `${ctx.what} on ${where}: ${text || status}`, {
    detail: { domain: 'cim', code: status },
  });
}

/**
 * The Api error of a method's return value: `method` names the ValueMap (RequestStateChange or a DSP1042 method).
 * A value outside the ValueMap is PROTOCOL.
 *
 * @example
 * fromReturnValue('RequestStateChange', 4097, { what: 'Cannot pause "web1"' }, 'h1:5988').code; // 'INVALID_STATE'
 */
export function fromReturnValue(method: string, value: number, ctx: CallContext, where: string): ApiError {
  const table = method === 'RequestStateChange' ? API_CODE_OF_RSC : API_CODE_OF_VSMS;
  const code = table[value];
  if (code === undefined)
    return new ApiError(
      'PROTOCOL',
      `${ctx.what} on ${where}: ${method} answered ${value}, which its ValueMap does not define`,
    );
  return new ApiError(contextual(code, ctx), `${ctx.what} on ${where}: ${method} answered ${value}`, {
    detail: { domain: 'cim', code: `${method}:${value}` },
  });
}

/** HTTP statuses other than 200 and 401, as Api codes; any other status is PROTOCOL. */
const HTTP_CODES: Readonly<Record<number, ApiErrorCode>> = {
  403: 'ACCESS_DENIED',
  413: 'LIMIT_EXCEEDED',
  429: 'LIMIT_EXCEEDED',
  503: 'LIMIT_EXCEEDED',
};

/** Each client-side CIM-XML failure as an Api code (PROTOCOL for what only a server raises). */
function transportCode(e: CimXmlError): ApiErrorCode {
  if (e instanceof CimHttpError) return HTTP_CODES[e.status] ?? 'PROTOCOL';
  switch (e.code) {
    // Without a status: the connection failed on the way (TLS: an untrusted or mismatched certificate).
    case 'CIMXML_HTTP':
    case 'HOST_UNREACHABLE':
    case 'CIMXML_TIMEOUT':
      return 'HOST_UNREACHABLE';
    case 'CIMXML_UNAUTHORIZED':
      return 'AUTH_FAILED';
    default:
      return 'PROTOCOL';
  }
}

/**
 * Anything a call to a CIM-XML host threw, as an {@link ApiError}: ApiErrors pass; a CIM status goes through
 * {@link API_CODE_OF_STATUS}; transport failures become HOST_UNREACHABLE (no connection, no answer in time),
 * AUTH_FAILED (HTTP 401), ACCESS_DENIED (403), LIMIT_EXCEEDED (413, 429, 503) or PROTOCOL (an answer that is not
 * CIM-XML, too large, cut off or slow to complete); anything else is INTERNAL, a bug of this client.
 *
 * @example
 * try { await client.getInstance(path); } catch (e) { throw toApiError(e, { what: 'Reading "web1"' }, 'h1:5988'); }
 */
export function toApiError(e: unknown, ctx: CallContext, where: string): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof CimError) {
    const status: CimStatusName = e.code === 'CIM_MOF_SYNTAX' ? 'CIM_ERR_INVALID_PARAMETER' : e.code;
    return fromCimStatus(status, e.message, ctx, where);
  }
  if (e instanceof CimXmlError) {
    const tls = /certificate|self[- ]signed|SSL|TLS/i.test(e.message);
    return new ApiError(transportCode(e), `${ctx.what}: ${e.message}`, {
      cause: e,
      hint: e.hint ?? (tls ? "Trust the host's certificate: ?ca=FILE (or --host-ca FILE)" : undefined),
      detail: { domain: 'cimxml', code: e.code },
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError('INTERNAL', `${ctx.what} on ${where}: ${message}`, {
    cause: e,
    ...(e instanceof VesselError ? { detail: { domain: 'vessel', code: e.code } } : {}),
  });
}
