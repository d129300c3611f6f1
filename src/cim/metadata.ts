import { createHash } from 'node:crypto';
import { CimError } from './errors.js';

/**
 * Vessel's encoding of a system's metadata (the Api's systems.metadata) in the Metadata property of
 * Vessel_VirtualSystemSettingData: one `key=value` string per entry, sorted by key, so that any CIM client reads
 * and writes it as a plain string array. XML 1.0 cannot carry NUL and most C0 controls, and a parser turns CR into
 * LF, so those characters are escaped `%XX` (`%uXXXX` for U+FFFE, U+FFFF and lone surrogates), with `%` itself
 * (`%25`) and, in a key, `=` (`%3D`). A plain key and value (letters, dots, spaces, newlines, `=` in a value) are
 * written as they are. MetadataTag is the map's tag, the same as the REST ETag of /systems/{id}/metadata.
 */

/** What XML cannot carry in text (and CR, which a parser folds into LF), and `%`, `=`: escaped in a key. */
const KEY_ESCAPED =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  /[%=\0-\x08\x0B-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** The same without `=`: escaped in a value. */
const VALUE_ESCAPED =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  /[%\0-\x08\x0B-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff
    ? `%${n.toString(16).toUpperCase().padStart(2, '0')}`
    : `%u${n.toString(16).toUpperCase()}`;
}

/** Undoes the escapes; a `%` that starts none is CIM_ERR_INVALID_PARAMETER naming the entry. */
function unescapeText(text: string, entry: number): string {
  return text.replace(/%(u[0-9A-Fa-f]{4}|[0-9A-Fa-f]{2})?/g, (_, hex: string | undefined) => {
    if (hex === undefined)
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        `Metadata[${entry}]: a % that starts no %XX or %uXXXX escape (write % as %25)`,
      );
    return String.fromCharCode(Number.parseInt(hex.startsWith('u') ? hex.slice(1) : hex, 16));
  });
}

/**
 * A metadata map as the Metadata property: `key=value` entries sorted by key.
 *
 * @example
 * metadataEntries({ 'b': 'x=1', 'a=b': '50%' }); // ['a%3Db=50%25', 'b=x=1']
 */
export function metadataEntries(map: Readonly<Record<string, string>>): string[] {
  return Object.keys(map)
    .sort()
    .map((k) => `${k.replace(KEY_ESCAPED, escapeChar)}=${(map[k] ?? '').replace(VALUE_ESCAPED, escapeChar)}`);
}

/**
 * The map a Metadata property gives: each entry split at its first `=`, escapes undone. An entry without `=`, with
 * an empty key, or a key given twice is CIM_ERR_INVALID_PARAMETER saying which entry.
 *
 * @example
 * metadataMap(['a%3Db=50%25', 'b=x=1']); // { 'a=b': '50%', b: 'x=1' }
 */
export function metadataMap(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  entries.forEach((entry, i) => {
    const at = entry.indexOf('=');
    if (at <= 0)
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        `Metadata[${i}] "${entry.slice(0, 64)}" is not key=value with a key (write = in a key as %3D)`,
      );
    const key = unescapeText(entry.slice(0, at), i);
    if (Object.hasOwn(out, key))
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        `Metadata[${i}] gives the key "${key.slice(0, 64)}" again`,
      );
    out[key] = unescapeText(entry.slice(at + 1), i);
  });
  return { ...out };
}

/**
 * The tag of a metadata map (MetadataTag): SHA-256 of its entries sorted by key, 32 hex digits, as REST's ETag of
 * the same map. Equal maps have equal tags.
 *
 * @example
 * metadataTag({}) === metadataTag({}); // true
 */
export function metadataTag(map: Readonly<Record<string, string>>): string {
  const sorted = Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}
