import { ModelError } from '../errors.js';
import type { JsonProperties } from './types.js';

/**
 * The checks that read untrusted JSON: every failure is `MODEL_INVALID` with the JSON Pointer (RFC 6901) of the
 * value at fault, and keys that would reach an object's prototype are refused wherever they are.
 */

/** Values in a JSON definition, at most (far beyond any real one; the Api's bounds, src/api/model-schemas.ts). */
export const JSON_LIMITS = { devices: 4096, text: 65_536, properties: 512, list: 256, depth: 32 } as const;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A JSON object as read. */
export type JsonObject = Record<string, unknown>;

/** `path` with one more step, escaped as RFC 6901 says. */
export const at = (path: string, key: string | number) =>
  `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** Throws the error of a value at `path`. */
export function fail(path: string, why: string): never {
  throw new ModelError('MODEL_INVALID', `${path === '' ? '/' : path}: ${why}`);
}

const what = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

/** Refuses prototype keys and nesting beyond {@link JSON_LIMITS}.depth anywhere in `v`. */
export function checkKeys(v: unknown, path = '', depth = 0): void {
  if (typeof v !== 'object' || v === null) return;
  if (depth > JSON_LIMITS.depth) fail(path, `nested more than ${JSON_LIMITS.depth} levels deep`);
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) checkKeys(x, at(path, i), depth + 1);
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (FORBIDDEN.has(k)) fail(at(path, k), 'this key is not allowed');
    checkKeys(x, at(path, k), depth + 1);
  }
}

/** `v` as an object whose keys are all in `allowed`. */
export function object(v: unknown, path: string, allowed: readonly string[]): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(path, `expected an object, got ${what(v)}`);
  for (const k of Object.keys(v))
    if (!allowed.includes(k)) fail(at(path, k), `unknown field; use ${allowed.join(', ')}`);
  return v as JsonObject;
}

/** `o[key]` as a string (undefined when absent). */
export function text(o: JsonObject, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(at(path, key), `expected a string, got ${what(v)}`);
  if (v.length > JSON_LIMITS.text) fail(at(path, key), `longer than ${JSON_LIMITS.text} characters`);
  return v;
}

/** `o[key]` as a whole number in min..max (undefined when absent). */
export function whole(
  o: JsonObject,
  key: string,
  path: string,
  min: number,
  max: number,
): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
    fail(at(path, key), `expected a whole number from ${min} to ${max}, got ${JSON.stringify(v) ?? what(v)}`);
  return v;
}

/** `o[key]` as one of `words` (undefined when absent). */
export function word<W extends string>(
  o: JsonObject,
  key: string,
  path: string,
  words: readonly W[],
): W | undefined {
  const v = text(o, key, path);
  if (v === undefined) return undefined;
  if (!(words as readonly string[]).includes(v))
    fail(at(path, key), `unknown value "${v.slice(0, 60)}"; use ${words.join(', ')}`);
  return v as W;
}

/** `o[key]` as a property bag: names to strings or lists of strings, within {@link JSON_LIMITS}. */
export function properties(o: JsonObject, key: string, path: string): JsonProperties | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const p = at(path, key);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, `expected an object, got ${what(v)}`);
  const entries = Object.entries(v);
  if (entries.length > JSON_LIMITS.properties) fail(p, `more than ${JSON_LIMITS.properties} properties`);
  const out: JsonProperties = {};
  for (const [k, x] of entries) {
    if (k === '' || k.length > 128) fail(at(p, k), 'a property name has 1 to 128 characters');
    if (Array.isArray(x)) {
      if (x.length > JSON_LIMITS.list) fail(at(p, k), `more than ${JSON_LIMITS.list} values`);
      for (const i of x.keys()) text(x as unknown as JsonObject, String(i), at(p, k));
      out[k] = x as string[];
    } else if (typeof x === 'string') out[k] = text(v as JsonObject, k, p)!;
    else fail(at(p, k), `expected a string or a list of strings, got ${what(x)}`);
  }
  return out;
}
