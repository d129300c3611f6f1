import type { Api, ApiMethodName } from '../api.js';
import { METHOD_NAMES } from '../methods.js';

/**
 * Every namespace of the Api, generated from METHODS: each method passes its name and its arguments, as the
 * caller gave them, to `call`. A client transport supplies `call` (which encodes, sends and decodes) and gets an
 * object of the Api's shape with no code per method.
 *
 * @example
 * const spaces = apiOver((method, args) => connection.call(method, args));
 * await spaces.systems.get('web1'); // connection.call('systems.get', ['web1'])
 */
export function apiOver(
  call: (method: ApiMethodName, args: unknown[]) => Promise<unknown>,
): Omit<Api, 'close'> {
  const spaces: Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of METHOD_NAMES) {
    const dot = method.indexOf('.');
    const name = method.slice(0, dot);
    spaces[name] ??= {};
    spaces[name][method.slice(dot + 1)] = (...args: unknown[]) => call(method, args);
  }
  return spaces as unknown as Omit<Api, 'close'>;
}
