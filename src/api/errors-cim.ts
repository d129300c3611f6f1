import type { ApiErrorCode } from './errors.js';

/**
 * What an Api error becomes over CIM-XML and WS-Man: the CIM status raised (DSP0200 §2.5) and, for the extrinsic
 * methods, the return value (RequestStateChange: CIM_EnabledLogicalElement's ValueMap; the DSP1042 methods:
 * CIM_VirtualSystemManagementService's). An `undefined` return means the method raises the CIM status instead,
 * so no method ever returns a value outside its ValueMap. Client-only codes (HOST_*, PROTOCOL) are never raised
 * by a host; they map to CIM_ERR_FAILED for completeness.
 */

/** The DSP0200 status names the Api's errors use (a subset of src/cim's CimStatusName). */
export type CimStatus =
  | 'CIM_ERR_FAILED'
  | 'CIM_ERR_ACCESS_DENIED'
  | 'CIM_ERR_INVALID_PARAMETER'
  | 'CIM_ERR_NOT_FOUND'
  | 'CIM_ERR_NOT_SUPPORTED'
  | 'CIM_ERR_ALREADY_EXISTS'
  | 'CIM_ERR_SERVER_LIMITS_EXCEEDED';

/**
 * The CIM status raised for each Api error code.
 *
 * @example
 * throw new CimError(CIM_STATUS_OF[e.code], e.message);
 */
export const CIM_STATUS_OF: Readonly<Record<ApiErrorCode, CimStatus>> = {
  INVALID_ARGUMENT: 'CIM_ERR_INVALID_PARAMETER',
  DEFINITION_INVALID: 'CIM_ERR_INVALID_PARAMETER',
  IMAGE_NOT_FOUND: 'CIM_ERR_INVALID_PARAMETER',
  IMAGE_UNSAFE: 'CIM_ERR_INVALID_PARAMETER',
  // The caller named a path the host refuses: a parameter (DSP1042 §8.2.2), not a credential or role problem.
  PATH_OUTSIDE_POOL: 'CIM_ERR_INVALID_PARAMETER',
  VM_NOT_FOUND: 'CIM_ERR_NOT_FOUND',
  NOT_FOUND: 'CIM_ERR_NOT_FOUND',
  VM_EXISTS: 'CIM_ERR_ALREADY_EXISTS',
  ALREADY_EXISTS: 'CIM_ERR_ALREADY_EXISTS',
  INVALID_STATE: 'CIM_ERR_FAILED',
  CONFLICT: 'CIM_ERR_FAILED',
  BUSY: 'CIM_ERR_FAILED',
  NOT_SUPPORTED: 'CIM_ERR_NOT_SUPPORTED',
  // CIM-XML answers a failed login with HTTP 401 before any CIM status; this is for other encodings.
  AUTH_FAILED: 'CIM_ERR_ACCESS_DENIED',
  ACCESS_DENIED: 'CIM_ERR_ACCESS_DENIED',
  HOST_NOT_RUNNING: 'CIM_ERR_FAILED',
  HOST_UNREACHABLE: 'CIM_ERR_FAILED',
  PROTOCOL: 'CIM_ERR_FAILED',
  TIMEOUT: 'CIM_ERR_FAILED',
  LIMIT_EXCEEDED: 'CIM_ERR_SERVER_LIMITS_EXCEEDED',
  CANCELLED: 'CIM_ERR_FAILED',
  HYPERVISOR_FAILED: 'CIM_ERR_FAILED',
  DEPLOY_PACKAGE: 'CIM_ERR_FAILED',
  DEPLOY_INVALID: 'CIM_ERR_FAILED',
  DEPLOY_EULA: 'CIM_ERR_FAILED',
  DEPLOY_PROPERTY: 'CIM_ERR_FAILED',
  DEPLOY_HARDWARE: 'CIM_ERR_FAILED',
  DEPLOY_DISK: 'CIM_ERR_FAILED',
  EXPORT_OUTPUT: 'CIM_ERR_FAILED',
  EXPORT_INVALID: 'CIM_ERR_FAILED',
  HOST_STORE: 'CIM_ERR_FAILED',
  INTERNAL: 'CIM_ERR_FAILED',
};

/**
 * RequestStateChange return values (CIM_EnabledLogicalElement): 1 Not Supported, 2 Unknown or Unspecified
 * Error, 3 Cannot complete within Timeout Period, 4 Failed, 5 Invalid Parameter, 4097 Invalid State Transition,
 * 4099 Busy. `undefined`: raise {@link CIM_STATUS_OF} instead (e.g. no such system).
 */
export const RSC_RETURN_OF: Readonly<Record<ApiErrorCode, number | undefined>> = {
  INVALID_ARGUMENT: 5,
  DEFINITION_INVALID: undefined,
  IMAGE_NOT_FOUND: undefined,
  IMAGE_UNSAFE: undefined,
  PATH_OUTSIDE_POOL: undefined,
  VM_NOT_FOUND: undefined,
  NOT_FOUND: undefined,
  VM_EXISTS: undefined,
  ALREADY_EXISTS: undefined,
  INVALID_STATE: 4097,
  CONFLICT: 4,
  BUSY: 4099,
  NOT_SUPPORTED: 1,
  AUTH_FAILED: undefined,
  ACCESS_DENIED: undefined,
  HOST_NOT_RUNNING: undefined,
  HOST_UNREACHABLE: undefined,
  PROTOCOL: undefined,
  TIMEOUT: 3,
  LIMIT_EXCEEDED: undefined,
  CANCELLED: 4,
  HYPERVISOR_FAILED: 4,
  DEPLOY_PACKAGE: undefined,
  DEPLOY_INVALID: undefined,
  DEPLOY_EULA: undefined,
  DEPLOY_PROPERTY: undefined,
  DEPLOY_HARDWARE: undefined,
  DEPLOY_DISK: undefined,
  EXPORT_OUTPUT: undefined,
  EXPORT_INVALID: undefined,
  HOST_STORE: 4,
  INTERNAL: 2,
};

/** The six DSP1042 methods of CIM_VirtualSystemManagementService. */
export type VsmsMethod =
  | 'DefineSystem'
  | 'DestroySystem'
  | 'AddResourceSettings'
  | 'ModifyResourceSettings'
  | 'ModifySystemSettings'
  | 'RemoveResourceSettings';

/**
 * The error return values each method's ValueMap has (CIM 2.41 CIM_VirtualSystemManagementService.mof): all have
 * 1 Not Supported, 2 Failed, 3 Timeout, 4 Invalid Parameter; 5 Invalid State only Destroy, ModifyResource,
 * ModifySystem and Remove; 6 Incompatible Parameters only the two Modify methods.
 */
export const VSMS_VALUE_MAP: Readonly<Record<VsmsMethod, readonly number[]>> = {
  DefineSystem: [1, 2, 3, 4],
  AddResourceSettings: [1, 2, 3, 4],
  DestroySystem: [1, 2, 3, 4, 5],
  RemoveResourceSettings: [1, 2, 3, 4, 5],
  ModifySystemSettings: [1, 2, 3, 4, 5, 6],
  ModifyResourceSettings: [1, 2, 3, 4, 5, 6],
};

/**
 * The return value a DSP1042 method would like for each code; {@link vsmsReturnFor} falls back to 2 Failed where
 * a method's ValueMap lacks it. `undefined`: raise the CIM status instead, so that a bad parameter reaches the
 * client as CIM_ERR_INVALID_PARAMETER with its reason (a bare 4 Invalid Parameter would name neither).
 */
export const VSMS_RETURN_OF: Readonly<Record<ApiErrorCode, number | undefined>> = {
  INVALID_ARGUMENT: undefined,
  DEFINITION_INVALID: undefined,
  IMAGE_NOT_FOUND: undefined,
  IMAGE_UNSAFE: undefined,
  PATH_OUTSIDE_POOL: undefined,
  VM_NOT_FOUND: undefined,
  NOT_FOUND: undefined,
  VM_EXISTS: undefined,
  ALREADY_EXISTS: undefined,
  INVALID_STATE: 5,
  CONFLICT: 6,
  BUSY: 2,
  NOT_SUPPORTED: 1,
  AUTH_FAILED: undefined,
  ACCESS_DENIED: undefined,
  HOST_NOT_RUNNING: undefined,
  HOST_UNREACHABLE: undefined,
  PROTOCOL: undefined,
  TIMEOUT: 3,
  LIMIT_EXCEEDED: undefined,
  CANCELLED: 2,
  HYPERVISOR_FAILED: 2,
  DEPLOY_PACKAGE: undefined,
  DEPLOY_INVALID: undefined,
  DEPLOY_EULA: undefined,
  DEPLOY_PROPERTY: undefined,
  DEPLOY_HARDWARE: undefined,
  DEPLOY_DISK: undefined,
  EXPORT_OUTPUT: undefined,
  EXPORT_INVALID: undefined,
  HOST_STORE: 2,
  INTERNAL: 2,
};

/**
 * The return value of a DSP1042 method for an Api error, always inside the method's ValueMap, or `undefined`
 * when the method raises the CIM status instead.
 *
 * @example
 * vsmsReturnFor('ModifySystemSettings', 'INVALID_STATE'); // 5
 * vsmsReturnFor('DefineSystem', 'INVALID_STATE');         // 2 (DefineSystem's ValueMap has no 5)
 * vsmsReturnFor('DestroySystem', 'VM_NOT_FOUND');         // undefined: raise CIM_ERR_NOT_FOUND
 */
export function vsmsReturnFor(method: VsmsMethod, code: ApiErrorCode): number | undefined {
  const wanted = VSMS_RETURN_OF[code];
  if (wanted === undefined) return undefined;
  return VSMS_VALUE_MAP[method].includes(wanted) ? wanted : 2;
}
