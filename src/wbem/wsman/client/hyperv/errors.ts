import { ApiError, type ApiErrorCode } from '../../../../api/index.js';
import { type CallContext, toApiError } from '../../../cimxml/api/index.js';
import { WsmanFault } from '../../errors.js';
import { cimErrorOfFault } from '../operations.js';

/**
 * The return values of Hyper-V's methods (Msvm_VirtualSystemManagementService, Msvm_ComputerSystem
 * RequestStateChange, Msvm_ShutdownComponent InitiateShutdown: MSDN's ValueMaps, the same table libvirt's
 * hypervReturnCodeToString keeps), each with Hyper-V's meaning and the Api code it becomes. 0 and 4096 are success
 * and "job started"; every other value is an error, and one outside this table is PROTOCOL.
 */
export const HYPERV_RETURN_CODES: Readonly<Record<number, { meaning: string; code: ApiErrorCode }>> = {
  1: { meaning: 'Not supported', code: 'NOT_SUPPORTED' },
  2: { meaning: 'Failed', code: 'HYPERVISOR_FAILED' },
  3: { meaning: 'Timeout', code: 'TIMEOUT' },
  4: { meaning: 'Invalid parameter', code: 'INVALID_ARGUMENT' },
  5: { meaning: 'Invalid state', code: 'INVALID_STATE' },
  6: { meaning: 'Incompatible parameters', code: 'INVALID_ARGUMENT' },
  32768: { meaning: 'Failed', code: 'HYPERVISOR_FAILED' },
  32769: { meaning: 'Access denied', code: 'ACCESS_DENIED' },
  32770: { meaning: 'Not supported', code: 'NOT_SUPPORTED' },
  32771: { meaning: 'Status is unknown', code: 'HYPERVISOR_FAILED' },
  32772: { meaning: 'Timeout', code: 'TIMEOUT' },
  32773: { meaning: 'Invalid parameter', code: 'INVALID_ARGUMENT' },
  32774: { meaning: 'System is in use', code: 'BUSY' },
  32775: { meaning: 'Invalid state for this operation', code: 'INVALID_STATE' },
  32776: { meaning: 'Incorrect data type', code: 'INVALID_ARGUMENT' },
  32777: { meaning: 'System is not available', code: 'HYPERVISOR_FAILED' },
  32778: { meaning: 'Out of memory', code: 'LIMIT_EXCEEDED' },
};

/**
 * The error a Hyper-V method's return value stands for, its meaning in the message; a value outside the table is
 * PROTOCOL (the peer speaks a dialect this client does not know).
 *
 * @example
 * returnCodeError('DefineSystem', 32773, 'Cannot define "web1"', 'Hyper-V at h:5985').code; // 'INVALID_ARGUMENT'
 */
export function returnCodeError(method: string, value: number, what: string, where: string): ApiError {
  const known = HYPERV_RETURN_CODES[value];
  if (known === undefined)
    return new ApiError(
      'PROTOCOL',
      `${what} on ${where}: ${method} answered ${value}, a return value Hyper-V does not define`,
      { detail: { domain: 'hyperv', code: `${method}:${value}` } },
    );
  return new ApiError(known.code, `${what} on ${where}: ${method} answered ${value} (${known.meaning})`, {
    detail: { domain: 'hyperv', code: `${method}:${value}` },
  });
}

/**
 * Any failure of a call to Hyper-V as an ApiError: a WS-Man fault by the CIM error it carries (WMI's
 * MSFT_WmiError) or its kind, transport trouble as the CIM-XML Api reads it (HOST_UNREACHABLE, AUTH_FAILED,
 * PROTOCOL).
 *
 * @example
 * throw hypervError(e, { what: 'Listing the virtual machines' }, 'Hyper-V at h:5985');
 */
export function hypervError(e: unknown, ctx: CallContext, where: string): ApiError {
  return toApiError(e instanceof WsmanFault ? cimErrorOfFault(e) : e, ctx, where);
}
