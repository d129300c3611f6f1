import { type Api, ApiError, type ApiNamespace, METHOD_NAMES } from '../../api/index.js';

/**
 * A namespace of which a transport carries only some methods: the methods given, and every other method of the
 * namespace throwing NOT_SUPPORTED with a message that names the method and the host.
 *
 * @example
 * const users = partialNamespace('users', {}, 'the host of /srv/vessel'); // users.list() throws NOT_SUPPORTED
 */
export function partialNamespace<N extends ApiNamespace>(
  ns: N,
  methods: Partial<Api[N]>,
  host: string,
  why = 'its socket protocol does not carry it yet',
): Api[N] {
  const given = methods as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of METHOD_NAMES) {
    if (!name.startsWith(`${ns}.`)) continue;
    const member = name.slice(ns.length + 1);
    out[member] =
      given[member] ??
      (async () => {
        throw new ApiError('NOT_SUPPORTED', `Cannot call ${name} on ${host}: ${why}`);
      });
  }
  return out as unknown as Api[N];
}
