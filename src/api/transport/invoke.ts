import type { Api, ApiMethodName } from '../api.js';
import type { ByteStream } from '../common.js';
import { ApiError } from '../errors.js';
import type { ApiEvent } from '../events.js';
import { METHODS, type MethodSpec } from '../methods.js';

/**
 * How a transport turns a call (a method name and its decoded parameters, as METHODS names them) into a call of
 * an Api object, and back: the one place that knows where a method's stream or callback goes. `args` in METHODS
 * gives the positional order; its `null` is the stream or callback; an upload of packages.* travels in
 * `source.body`; jobs.wait's progress callback in `options.onProgress`.
 */

/** What a call carries besides its JSON parameters. */
export interface CallExtras {
  /** An upload's body. */
  body?: ByteStream | undefined;
  /** events.subscribe's listener. */
  on?: ((e: ApiEvent) => void) | undefined;
  /** jobs.wait's progress listener. */
  onProgress?: ((p: { percent: number; phase?: string }) => void) | undefined;
}

/**
 * The METHODS entry of a method, as the general shape (its stream kind readable whatever the method).
 *
 * @example
 * specOf('events.subscribe').stream; // 'events'
 */
export function specOf(method: ApiMethodName): MethodSpec {
  return METHODS[method];
}

type Params = Record<string, unknown>;

function isUploadSource(v: unknown): v is { kind: 'upload' } {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'upload';
}

/**
 * The positional arguments of the Api method, from its parameters by name and its extras.
 *
 * @example
 * argumentsOf('pools.upload', { id: 'p', name: 'a.img' }, { body });  // ['p', 'a.img', body, undefined]
 */
export function argumentsOf(method: ApiMethodName, params: Params, extras: CallExtras = {}): unknown[] {
  const spec = specOf(method);
  const named: Params = { ...params };
  if (spec.stream === 'upload' && isUploadSource(named.source)) {
    if (extras.body === undefined) throw new ApiError('INVALID_ARGUMENT', `${method}: an upload has no body`);
    named.source = { ...named.source, body: extras.body };
  }
  if (extras.onProgress !== undefined) {
    named.options = { ...((named.options as Params | undefined) ?? {}), onProgress: extras.onProgress };
  }
  return spec.args.map((name) => {
    if (name !== null) return named[name];
    return spec.stream === 'events' ? extras.on : extras.body;
  });
}

/**
 * Whether a call of `method` with these (decoded) parameters sends a body: every `upload` method but packages.*
 * from a pool or a host path.
 *
 * @example
 * sendsBody('packages.deploy', { source: { kind: 'pool', pool: 'p', image: 'a.ova' } }); // false
 */
export function sendsBody(method: ApiMethodName, params: Params): boolean {
  const spec = specOf(method);
  if (spec.stream !== 'upload') return false;
  return spec.args.includes(null) || isUploadSource(params.source);
}

/**
 * Calls `method` of `api` with its parameters and extras; NOT_SUPPORTED when the object lacks the method.
 *
 * @example
 * await invoke(session, 'systems.get', { ref: 'web1' });
 */
export async function invoke(
  api: Api,
  method: ApiMethodName,
  params: Params,
  extras: CallExtras = {},
): Promise<unknown> {
  const dot = method.indexOf('.');
  const space = api[method.slice(0, dot) as keyof Api] as unknown as Record<string, unknown> | undefined;
  const fn = space?.[method.slice(dot + 1)];
  if (typeof fn !== 'function') throw new ApiError('NOT_SUPPORTED', `This host has no method ${method}`);
  return (fn as (...a: unknown[]) => Promise<unknown>).apply(space, argumentsOf(method, params, extras));
}

/**
 * A call as the Api's caller made it, split into its parameters by name and its extras (the client's side of
 * {@link argumentsOf}). Functions in an options object other than `onProgress` are refused: they cannot travel.
 *
 * @example
 * splitArguments('jobs.wait', ['j1', { onProgress: show }]); // { params: { id: 'j1', options: {} }, extras: { onProgress: show } }
 */
export function splitArguments(
  method: ApiMethodName,
  args: readonly unknown[],
): { params: Params; extras: CallExtras } {
  const spec = specOf(method);
  const params: Params = {};
  const extras: CallExtras = {};
  spec.args.forEach((name, i) => {
    const v = args[i];
    if (name === null) {
      if (spec.stream === 'events') extras.on = v as CallExtras['on'];
      else extras.body = v as ByteStream;
      return;
    }
    if (v === undefined) return;
    params[name] = plain(method, name, v, extras);
  });
  if (spec.stream === 'upload' && isUploadSource(params.source)) {
    const { body, ...source } = params.source as { body?: ByteStream };
    if (body === undefined)
      throw new ApiError('INVALID_ARGUMENT', `${method}: an upload source needs a body`);
    extras.body = body;
    params.source = source;
  }
  return { params, extras };
}

/** An argument without its callbacks (kept in `extras`). */
function plain(method: ApiMethodName, name: string, v: unknown, extras: CallExtras): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const fns = Object.entries(v).filter(([, x]) => typeof x === 'function');
  if (fns.length === 0) return v;
  const copy: Params = { ...(v as Params) };
  for (const [key, fn] of fns) {
    if (key !== 'onProgress') {
      throw new ApiError('NOT_SUPPORTED', `${method}: ${name}.${key} is a function, which cannot travel`);
    }
    extras.onProgress = fn as CallExtras['onProgress'];
    delete copy[key];
  }
  return copy;
}
