import type { ApiMethodName } from './api.js';
import type { MethodSpec } from './method-spec.js';
import { METHODS_DATA } from './methods-data.js';
import { METHODS_METRICS } from './methods-metrics.js';
import { METHODS_SYSTEMS } from './methods-systems.js';

export type { MethodSpec, StreamKind } from './method-spec.js';
export { StreamTicketSchema } from './method-spec.js';

/**
 * The method table: one entry per Api method, from which every encoding is generated (socket, later REST and its
 * OpenAPI document) and against which every session checks roles. `args` names the method's positional
 * parameters on the wire, in order; `null` marks the one a transport carries as a stream or callback (an upload's
 * body, a subscriber). methods-check.ts proves, at compile time, that each entry's schemas agree with the Api's
 * TypeScript signature.
 */

/**
 * Every method of the Api. A method of {@link ApiMethodName} missing here does not compile; so does an entry for
 * a method the Api lacks.
 *
 * @example
 * METHODS['systems.changeState'].role;   // 'operator'
 * Value.Decode(METHODS['systems.get'].params, { ref: 'web1' });
 */
export const METHODS = { ...METHODS_SYSTEMS, ...METHODS_DATA, ...METHODS_METRICS } as const satisfies Record<
  ApiMethodName,
  MethodSpec
>;

/** A method entry of {@link METHODS}, by name. */
export type MethodOf<N extends ApiMethodName> = (typeof METHODS)[N];

/** Every method name, in table order. */
export const METHOD_NAMES = Object.keys(METHODS) as ApiMethodName[];

/** Checks a string against the method names (what a peer asked for). */
export function isApiMethodName(text: string): text is ApiMethodName {
  return Object.hasOwn(METHODS, text);
}
