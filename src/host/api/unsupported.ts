import { type Api, ApiError, type ApiNamespace, METHOD_NAMES } from '../../api/index.js';

/**
 * A namespace the in-process host does not implement: every method throws NOT_SUPPORTED, naming the method, as
 * any transport does for what it cannot carry.
 *
 * @example
 * const users = unsupportedNamespace('users'); // await users.list() throws NOT_SUPPORTED
 */
export function unsupportedNamespace<N extends ApiNamespace>(ns: N): Api[N] {
  const out: Record<string, () => Promise<never>> = {};
  for (const name of METHOD_NAMES) {
    if (!name.startsWith(`${ns}.`)) continue;
    out[name.slice(ns.length + 1)] = async () => {
      throw new ApiError('NOT_SUPPORTED', `The local host does not offer ${name} yet`);
    };
  }
  return out as unknown as Api[N];
}
