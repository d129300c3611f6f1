import type { IncomingHttpHeaders } from 'node:http';
import type { StaticDecode, TObject, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { RestError } from './errors.js';

/**
 * What a REST request carries besides its path: a JSON body checked against its route's schema, query parameters
 * converted by their schema's type and checked, and `Prefer` (RFC 7240). Every refusal names the place: the body's
 * JSON pointer, the query parameter, the header.
 */

const checkers = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** The compiled checker of a schema, made once. */
function checker<S extends TSchema>(schema: S): TypeCheck<S> {
  let c = checkers.get(schema);
  if (c === undefined) {
    c = TypeCompiler.Compile(schema);
    checkers.set(schema, c);
  }
  return c as TypeCheck<S>;
}

/** Keys that would reach an object's prototype when copied with assignment; no schema of the Api has them. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function checkMediaType(headers: IncomingHttpHeaders): void {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type))
    throw new RestError(
      'REST_MEDIA_TYPE',
      type === ''
        ? 'The request has a body but no Content-Type'
        : `The body is ${type}, not application/json`,
      { hint: 'Send Content-Type: application/json' },
    );
}

/** The deepest nesting of arrays and objects a body may have (a definition needs 4). */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of JSON text, strings skipped (a linear pass before the parser recurses). */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function parseJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RestError('REST_MALFORMED_JSON', 'The body is not UTF-8 (RFC 8259 §8.1)');
  }
  if (depthOf(text) > MAX_JSON_DEPTH)
    throw new RestError('REST_INVALID_BODY', `The body nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key))
        throw new RestError(
          'REST_INVALID_BODY',
          `The body has a member named "${key}", which no resource has`,
        );
      return value;
    });
  } catch (e) {
    if (e instanceof RestError) throw e;
    throw new RestError('REST_MALFORMED_JSON', `The body is not JSON: ${(e as Error).message}`);
  }
}

function firstProblem(c: TypeCheck<TSchema>, value: unknown, where: string): string {
  const e = c.Errors(value).First();
  if (e === undefined) return `${where}: a value is out of range`;
  return `${where}${e.path}: ${e.message}`;
}

/** The first refused members of a body (at most 16; one a pointer), as the problem's `errors`. */
function bodyErrors(c: TypeCheck<TSchema>, value: unknown): { pointer: string; detail: string }[] {
  const out = new Map<string, string>();
  for (const e of c.Errors(value)) {
    if (!out.has(e.path)) out.set(e.path.slice(0, 1024), e.message.slice(0, 8192));
    if (out.size === 16) break;
  }
  return [...out].map(([pointer, detail]) => ({ pointer, detail }));
}

/**
 * The JSON body of a request, checked against `schema` and decoded (sizes as bigint), or a 400/415 problem.
 *
 * @example
 * const def = decodeBody(VirtualSystemDefinitionSchema, req.headers, bytes);
 */
export function decodeBody<S extends TSchema>(
  schema: S,
  headers: IncomingHttpHeaders,
  bytes: Buffer,
): StaticDecode<S> {
  if (bytes.length === 0) throw new RestError('REST_INVALID_BODY', 'The request needs a JSON body');
  checkMediaType(headers);
  const value = parseJson(bytes);
  const c = checker(schema);
  if (!c.Check(value))
    throw new RestError('REST_INVALID_BODY', firstProblem(c, value, 'body'), {
      errors: bodyErrors(c, value),
    });
  try {
    return c.Decode(value);
  } catch (e) {
    throw new RestError(
      'REST_INVALID_BODY',
      `body: ${e instanceof Error ? e.message : 'a value is out of range'}`,
    );
  }
}

function convert(schema: TSchema | undefined, values: string[]): unknown {
  const type = schema?.type;
  if (type === 'array') return values.map((v) => convert(schema?.items as TSchema | undefined, [v]));
  const text = values[0] ?? '';
  if (type === 'integer' || type === 'number') return /^-?[0-9]{1,16}$/.test(text) ? Number(text) : text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/**
 * The query parameters of a request as an object of `schema` (a strict object of strings, integers, booleans and
 * arrays of them): unknown names, repeated single values and wrong types are 400 problems naming the parameter.
 *
 * @example
 * decodeQuery(Strict({ limit: Type.Optional(Type.Integer()) }), new URLSearchParams('limit=10')); // { limit: 10 }
 */
export function decodeQuery<S extends TObject>(schema: S, query: URLSearchParams): StaticDecode<S> {
  const out: Record<string, unknown> = {};
  for (const name of new Set(query.keys())) {
    const prop = schema.properties[name] as TSchema | undefined;
    if (!Object.hasOwn(schema.properties, name) || prop === undefined)
      throw new RestError('REST_INVALID_QUERY', `Unknown query parameter "${name.slice(0, 64)}"`, {
        hint: `Known: ${Object.keys(schema.properties).join(', ') || 'none'}`,
      });
    const values = query.getAll(name);
    if (values.length > 1 && prop.type !== 'array')
      throw new RestError('REST_INVALID_QUERY', `Query parameter "${name}" is given ${values.length} times`);
    out[name] = convert(prop, values);
  }
  const c = checker(schema);
  if (!c.Check(out)) {
    const e = c.Errors(out).First();
    const name = e?.path.split('/')[1] ?? '';
    throw new RestError('REST_INVALID_QUERY', `Query parameter "${name}": ${e?.message ?? 'out of range'}`);
  }
  return c.Decode(out);
}

/** The longest a request may ask a job to be waited for, in seconds (RFC 7240 `wait`, `?wait=`). */
export const MAX_WAIT_S = 300;
/** How long a change waits for its job when the client states no preference, in ms. */
export const DEFAULT_WAIT_MS = 10_000;

/**
 * How long a change waits for its job (RFC 7240): `Prefer: respond-async` answers at once (202 with the job),
 * `Prefer: wait=N` waits up to N seconds (at most {@link MAX_WAIT_S}); by default {@link DEFAULT_WAIT_MS}.
 *
 * @example
 * waitOf({ prefer: 'respond-async, wait=5' }); // 0
 */
export function waitOf(headers: IncomingHttpHeaders): number {
  const given = headers.prefer;
  if (given === undefined) return DEFAULT_WAIT_MS;
  const prefer = Array.isArray(given) ? given.join(',') : given;
  const prefs = prefer.split(',').map((p) => p.trim().toLowerCase());
  if (prefs.includes('respond-async')) return 0;
  for (const p of prefs) {
    const m = /^wait\s*=\s*([0-9]{1,9})$/.exec(p);
    if (m) return Math.min(Number(m[1]), MAX_WAIT_S) * 1000;
  }
  return DEFAULT_WAIT_MS;
}

/**
 * The etag of `If-Match` (RFC 9110 §13.1.1), without its quotes; `*` and absence are no precondition.
 *
 * @example
 * ifMatchOf({ 'if-match': '"abc"' }); // 'abc'
 */
export function ifMatchOf(headers: IncomingHttpHeaders): string | undefined {
  const h = headers['if-match']?.trim();
  if (h === undefined || h === '*') return undefined;
  const m = /^"([\x21\x23-\x7e]{1,128})"$/.exec(h);
  if (!m)
    throw new RestError('REST_INVALID_HEADER', 'If-Match must be one quoted entity tag', {
      hint: 'Send the ETag of the last GET, quotes included',
    });
  return m[1];
}

/** An etag as a header value. */
export function etagHeader(etag: string): string {
  return `"${etag}"`;
}
