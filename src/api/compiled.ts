import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * The Api's schemas compiled once, on first use, into checkers (TypeBox's TypeCompiler): every call of every
 * transport checks its parameters and result, and the compiled check costs a fraction of TypeBox's interpreted
 * `Value.Check`/`Value.Encode`, with the same answers and the same error paths.
 */

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * The compiled checker of a schema (Check, Errors, Decode, Encode), made at the first call and kept.
 *
 * @example
 * compiled(METHODS['systems.get'].params).Check({ ref: 'web1' }); // true
 */
export function compiled<S extends TSchema>(schema: S): TypeCheck<S> {
  let c = cache.get(schema);
  if (c === undefined) {
    c = TypeCompiler.Compile(schema);
    cache.set(schema, c);
  }
  return c as TypeCheck<S>;
}
