import { ApiError, type ApiMethodName, encodeParams, METHODS, type ParamsOf } from '../../api/index.js';

/**
 * The in-process side of what every transport does with a call's parameters: they are checked against the
 * method's METHODS entry, so a caller in this process is refused exactly as one on a socket or over CIM-XML
 * would be (INVALID_ARGUMENT naming the method and the place). Callbacks and byte streams (`onProgress`, an
 * upload's `body`) do not travel as JSON and are left out of the check, as the transports leave them out.
 */

function isStream(v: object): boolean {
  return Symbol.asyncIterator in v || typeof (v as { pipe?: unknown }).pipe === 'function';
}

/** A value as JSON would carry it: functions, streams and undefined members left out. */
function onWire(v: unknown): unknown {
  if (typeof v === 'function') return undefined;
  if (Array.isArray(v)) return v.map(onWire);
  if (v === null || typeof v !== 'object' || isStream(v)) return typeof v === 'object' ? undefined : v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const w = onWire(x);
    if (w !== undefined) out[k] = w;
  }
  return out;
}

/** By method, the plain arguments of its accepted calls with at most one (undefined: none), a few hundred at most. */
const accepted = new Map<ApiMethodName, Set<string | number | boolean | undefined>>();
const MAX_ACCEPTED = 256;

/** A value the check sees as it is (no object to change after the check). */
function isPlain(v: unknown): v is string | number | boolean | undefined {
  return v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Throws INVALID_ARGUMENT when the arguments of a call to `method` do not fit its METHODS entry.
 *
 * @example
 * checkParams('systems.changeState', ['web1', 'fly']); // throws: Invalid parameters of systems.changeState: /operation: ...
 */
export function checkParams(method: ApiMethodName, args: readonly unknown[]): void {
  // The check depends on nothing but the method and the arguments: a call with a plain argument (or none) that an
  // accepted call had is accepted again without encoding it (the CIM providers read the host's capabilities and
  // its systems by name on every operation).
  const arg = args[0];
  const plain = args.length <= 1 && isPlain(arg);
  if (plain && accepted.get(method)?.has(arg) === true) return;
  const spec = METHODS[method];
  const params: Record<string, unknown> = {};
  spec.args.forEach((name, i) => {
    if (name === null) return;
    const w = onWire(args[i]);
    if (w !== undefined) params[name] = w;
  });
  try {
    encodeParams(method, params as ParamsOf<typeof method>);
  } catch (e) {
    const where = (e as { error?: { path?: string; message?: string } }).error;
    const why =
      where?.message === undefined ? (e as Error).message : `${where.path || 'the value'}: ${where.message}`;
    throw new ApiError('INVALID_ARGUMENT', `Invalid parameters of ${method}: ${why}`, { cause: e });
  }
  if (plain) {
    let seen = accepted.get(method);
    if (seen === undefined) {
      seen = new Set();
      accepted.set(method, seen);
    } else if (seen.size >= MAX_ACCEPTED) seen.clear();
    seen.add(arg as string | number | boolean | undefined);
  }
}
