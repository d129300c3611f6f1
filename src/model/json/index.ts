/**
 * The JSON encoding of a definition with named kinds (`vessel vm info --json`, `vessel vm define --from-json`):
 * {@link definitionToJson} writes it from the model, {@link definitionFromJson} reads it back from untrusted input.
 */

export * from './decode.js';
export * from './encode.js';
export { JSON_LIMITS } from './read.js';
export type * from './types.js';
