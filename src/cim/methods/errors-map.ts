import { CimError, type CimStatusName } from '../errors.js';

/** The driver error codes the methods meet, and what they become as a CIM error. */
const STATUS: Record<string, CimStatusName> = {
  VM_NOT_FOUND: 'CIM_ERR_NOT_FOUND',
  VM_EXISTS: 'CIM_ERR_ALREADY_EXISTS',
  DEFINITION_INVALID: 'CIM_ERR_INVALID_PARAMETER',
  FILE_NOT_FOUND: 'CIM_ERR_INVALID_PARAMETER',
  MODEL_INVALID: 'CIM_ERR_INVALID_PARAMETER',
  MODEL_UNITS: 'CIM_ERR_INVALID_PARAMETER',
  NOT_SUPPORTED: 'CIM_ERR_NOT_SUPPORTED',
  // The host's storage pools refuse an image (DSP1042 §8.2.2: an invalid parameter).
  IMAGE_OUTSIDE_POOLS: 'CIM_ERR_INVALID_PARAMETER',
  IMAGE_DEVICE: 'CIM_ERR_INVALID_PARAMETER',
  IMAGE_REFERENCES: 'CIM_ERR_INVALID_PARAMETER',
};

/** The `code` of an error from the backend (a driver or host error), if it has one. */
export function codeOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === 'string' ? c : undefined;
}

/**
 * Turns a backend error into a CIM error (CimErrors pass through): VM_NOT_FOUND → CIM_ERR_NOT_FOUND, VM_EXISTS →
 * CIM_ERR_ALREADY_EXISTS, invalid definitions, missing images and images outside the storage pools →
 * CIM_ERR_INVALID_PARAMETER, anything else → CIM_ERR_FAILED, always with the backend's message, and its hint
 * (such as the list of storage pools) after it, since a CIM error has one description.
 */
export function toCimError(e: unknown): CimError {
  if (e instanceof CimError) return e;
  const status = STATUS[codeOf(e) ?? ''] ?? 'CIM_ERR_FAILED';
  const hint = (e as { hint?: unknown } | undefined)?.hint;
  const message = e instanceof Error ? e.message : String(e);
  return new CimError(status, typeof hint === 'string' && hint !== '' ? `${message} (${hint})` : message, {
    cause: e,
  });
}
