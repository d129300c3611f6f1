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

/**
 * Throws INVALID_ARGUMENT when the arguments of a call to `method` do not fit its METHODS entry.
 *
 * @example
 * checkParams('systems.changeState', ['web1', 'fly']); // throws: Invalid parameters of systems.changeState: /operation: ...
 */
export function checkParams(method: ApiMethodName, args: readonly unknown[]): void {
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
}
