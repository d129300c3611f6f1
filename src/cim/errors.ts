import { VesselError } from '../model/index.js';

/**
 * The CIM status codes of DSP0200 §2.5 / DSP0004, by name and number. Every CIM failure in Vessel is a
 * {@link CimError} carrying one of these names; the CIM-XML edge writes the number in `<ERROR CODE=..>`,
 * the WS-Man edge maps it to a SOAP fault.
 */
export const CIM_STATUS = {
  CIM_ERR_FAILED: 1,
  CIM_ERR_ACCESS_DENIED: 2,
  CIM_ERR_INVALID_NAMESPACE: 3,
  CIM_ERR_INVALID_PARAMETER: 4,
  CIM_ERR_INVALID_CLASS: 5,
  CIM_ERR_NOT_FOUND: 6,
  CIM_ERR_NOT_SUPPORTED: 7,
  CIM_ERR_CLASS_HAS_CHILDREN: 8,
  CIM_ERR_CLASS_HAS_INSTANCES: 9,
  CIM_ERR_INVALID_SUPERCLASS: 10,
  CIM_ERR_ALREADY_EXISTS: 11,
  CIM_ERR_NO_SUCH_PROPERTY: 12,
  CIM_ERR_TYPE_MISMATCH: 13,
  CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED: 14,
  CIM_ERR_INVALID_QUERY: 15,
  CIM_ERR_METHOD_NOT_AVAILABLE: 16,
  CIM_ERR_METHOD_NOT_FOUND: 17,
  CIM_ERR_NAMESPACE_NOT_EMPTY: 20,
  CIM_ERR_INVALID_ENUMERATION_CONTEXT: 21,
  CIM_ERR_INVALID_OPERATION_TIMEOUT: 22,
  CIM_ERR_PULL_HAS_BEEN_ABANDONED: 23,
  CIM_ERR_PULL_CANNOT_BE_ABANDONED: 24,
  CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED: 25,
  CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED: 26,
  CIM_ERR_SERVER_LIMITS_EXCEEDED: 27,
  CIM_ERR_SERVER_IS_SHUTTING_DOWN: 28,
} as const;

/** The name of a CIM status code, e.g. `CIM_ERR_NOT_FOUND`. */
export type CimStatusName = keyof typeof CIM_STATUS;

/** Error codes of the CIM domain: the CIM status names, plus parse errors of MOF text. */
export type CimErrorCode = CimStatusName | 'CIM_MOF_SYNTAX';

/**
 * A CIM operation failure. `status` is the DSP0200 number to put on the wire.
 *
 * @example
 * throw new CimError('CIM_ERR_NOT_FOUND', 'No virtual system named "web9"');
 */
export class CimError extends VesselError<CimErrorCode> {
  /** The DSP0200 status number; MOF syntax errors count as CIM_ERR_INVALID_PARAMETER. */
  get status(): number {
    return this.code === 'CIM_MOF_SYNTAX' ? CIM_STATUS.CIM_ERR_INVALID_PARAMETER : CIM_STATUS[this.code];
  }
}

/** The status name for a DSP0200 number, or undefined when the number is not a defined status. */
export function statusName(code: number): CimStatusName | undefined {
  for (const [k, v] of Object.entries(CIM_STATUS)) if (v === code) return k as CimStatusName;
  return undefined;
}
