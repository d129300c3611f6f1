import type { TSchema } from '@sinclair/typebox';
import { compiled } from '../compiled.js';
import type { ApiError } from '../errors.js';

/**
 * Encoding a value for the wire by its schema (bigint sizes to decimal strings, Infinity to -1), with the place
 * of what does not fit; wire.ts decodes, this encodes when the failure must say where.
 */

/** The place and the reason of a TypeBox encode failure, e.g. `/operation: Expected union value`. */
function whereOf(e: unknown): string {
  const x = e as { error?: { path?: unknown; message?: unknown }; path?: unknown; message?: unknown };
  if (typeof x.error?.message === 'string') {
    // TransformEncodeCheckError carries a ValueError; TransformEncodeError a path and the transform's Error.
    const path = typeof x.error.path === 'string' ? x.error.path : typeof x.path === 'string' ? x.path : '';
    return `${path === '' ? 'the value' : path}: ${x.error.message}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * `value` as the wire carries it, or the error `fail` makes of where it does not fit the schema.
 *
 * @example
 * encodeBy(METHODS['systems.get'].params, { ref: 5 }, (why) => new ApiError('INVALID_ARGUMENT', why));
 * // throws INVALID_ARGUMENT "/ref: Expected string"
 */
export function encodeBy(schema: TSchema, value: unknown, fail: (why: string) => ApiError): unknown {
  try {
    return compiled(schema).Encode(value);
  } catch (e) {
    throw fail(whereOf(e));
  }
}
