import type { StaticDecode, TSchema } from '@sinclair/typebox';
import type { ApiMethodName } from './api.js';
import { compiled } from './compiled.js';
import { ApiError } from './errors.js';
import { mapJobResults } from './job-results.js';
import { METHODS, type MethodOf } from './methods.js';

/**
 * A method's parameters and result as a transport carries them (JSON: sizes as decimal strings, "until done" as
 * -1), checked against METHODS. Servers decode parameters and encode results; clients do the reverse. What a
 * peer sent that does not fit is INVALID_ARGUMENT (from a caller) or PROTOCOL (from a host), saying where.
 */

/** The decoded parameters of a method. */
export type ParamsOf<N extends ApiMethodName> = StaticDecode<MethodOf<N>['params']>;

/** The decoded result of a method. */
export type ResultOf<N extends ApiMethodName> = StaticDecode<MethodOf<N>['result']>;

function firstProblem(schema: TSchema, value: unknown): string {
  const e = compiled(schema).Errors(value).First();
  return e === undefined
    ? 'a value is out of range'
    : `${e.path === '' ? 'the value' : e.path}: ${e.message}`;
}

function decode<S extends TSchema>(
  schema: S,
  value: unknown,
  fail: (why: string) => ApiError,
): StaticDecode<S> {
  const c = compiled(schema);
  if (!c.Check(value)) throw fail(firstProblem(schema, value));
  try {
    return c.Decode(value);
  } catch (e) {
    // A transform refused a value its pattern let through (a 20-digit size beyond 2^64 - 1).
    const where = (e as { path?: unknown }).path;
    throw fail(
      `${typeof where === 'string' && where !== '' ? `${where}: ` : ''}${e instanceof Error ? e.message : 'a value is out of range'}`,
    );
  }
}

/**
 * The parameters a caller sent for `method`, decoded, or INVALID_ARGUMENT naming the method and the place.
 *
 * @example
 * decodeParams('systems.get', { ref: 'web1' });   // { ref: 'web1' }
 * decodeParams('systems.get', {});                // throws: Invalid parameters of systems.get: /ref: Expected required property
 */
export function decodeParams<N extends ApiMethodName>(method: N, params: unknown): ParamsOf<N> {
  return decode(
    METHODS[method].params,
    params,
    (why) => new ApiError('INVALID_ARGUMENT', `Invalid parameters of ${method}: ${why}`),
  );
}

/** The parameters of a call as JSON carries them (a client's side of {@link decodeParams}). */
export function encodeParams<N extends ApiMethodName>(method: N, params: ParamsOf<N>): unknown {
  return compiled(METHODS[method].params).Encode(params);
}

/** A result as JSON carries it (a host's side of {@link decodeResult}). */
export function encodeResult<N extends ApiMethodName>(method: N, result: ResultOf<N>): unknown {
  const jobs = mapJobResults(method, result, (schema, r) => compiled(schema).Encode(r));
  return compiled(METHODS[method].result).Encode(jobs);
}

/** The result a host answered, decoded, or PROTOCOL naming the method and the place. */
export function decodeResult<N extends ApiMethodName>(method: N, result: unknown): ResultOf<N> {
  const fail = (why: string) =>
    new ApiError('PROTOCOL', `The host's answer to ${method} is malformed: ${why}`);
  const value = decode(METHODS[method].result, result, fail);
  // A job's result decodes by its operation (job-results.ts): an export's file sizes become bigints again.
  return mapJobResults(method, value, (schema, r) => decode(schema, r, fail)) as ResultOf<N>;
}

/**
 * The method of a value that writes its own JSON text (the text `JSON.stringify` gives it), so that a transport
 * can splice text it already holds (a stored definition) rather than parse and write it again.
 */
export const JSON_TEXT: unique symbol = Symbol('vessel.jsonText');

/**
 * The JSON text of a value: its own {@link JSON_TEXT} when it has one, else `JSON.stringify`'s.
 *
 * @example
 * res.end(jsonTextOf(await api.systems.get('web1')));
 */
export function jsonTextOf(value: unknown): string {
  const own = (value as { [JSON_TEXT]?: unknown } | null | undefined)?.[JSON_TEXT];
  return typeof own === 'function' ? String(own.call(value)) : JSON.stringify(value);
}
