import { createHash } from 'node:crypto';

/**
 * A definition's etag from its stored JSON text: a digest that changes with every change of the definition. The
 * store computes it once, when it writes the definition, so a read never hashes.
 *
 * @example
 * etagOfText(JSON.stringify(def)); // '3f2a…' (32 hex digits)
 */
export function etagOfText(definitionJson: string): string {
  return createHash('sha256').update(definitionJson).digest('hex').slice(0, 32);
}
