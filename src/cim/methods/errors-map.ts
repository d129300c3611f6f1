import { ApiError, type ApiErrorInfo, CIM_STATUS_OF } from '../../api/index.js';
import { CimError } from '../errors.js';

/**
 * Where what the Api answered becomes CIM, through the Api's one table (src/api/errors-cim.ts): no code is mapped
 * here. A CimError (a request the providers refused before calling the Api) passes as it is.
 */

/** The message a CIM error carries for an Api error: its text, and its hint after it (a CIM error has one text). */
function textOf(e: Pick<ApiErrorInfo, 'message' | 'hint'>): string {
  return e.hint !== undefined && e.hint !== '' ? `${e.message} (${e.hint})` : e.message;
}

/**
 * The CIM error raised for an Api error (or its recorded form, a failed job's `error`): CIM_STATUS_OF's status with
 * the Api's message and hint.
 *
 * @example
 * cimErrorOf({ code: 'VM_EXISTS', message: 'A system named "web1" exists' }).code; // 'CIM_ERR_ALREADY_EXISTS'
 */
export function cimErrorOf(e: ApiErrorInfo, cause?: unknown): CimError {
  return new CimError(CIM_STATUS_OF[e.code], textOf(e), cause === undefined ? undefined : { cause });
}

/**
 * Anything a provider's call threw, as a CIM error: a CimError as it is, an ApiError through CIM_STATUS_OF, anything
 * else (a bug) as CIM_ERR_FAILED with its message.
 *
 * @example
 * try { await api.systems.get(name); } catch (e) { throw toCimError(e); }
 */
export function toCimError(e: unknown): CimError {
  if (e instanceof CimError) return e;
  if (e instanceof ApiError) return cimErrorOf(e.toInfo(), e);
  return new CimError('CIM_ERR_FAILED', e instanceof Error ? e.message : String(e), { cause: e });
}
