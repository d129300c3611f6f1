/**
 * Character tables of the fast CIM-XML reader (fast-xml.ts): names and attribute values are scanned by character
 * code, without a regular expression's match object per name.
 */

// Names: ASCII letters, digits, _ - . ; no colon (CIM-XML uses no namespaces). Anything else goes to saxes.
// Qualified names (prefix:local, each such a name) for readers that resolve namespaces themselves.
const NAME_START = 1;
const NAME_CHAR = 2;
const NAME_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) NAME_CLASS[c] = NAME_START | NAME_CHAR;
  else if (/[0-9.-]/.test(ch)) NAME_CLASS[c] = NAME_CHAR;
}

/**
 * The end of the name that starts at `i` (`[A-Za-z_][A-Za-z0-9_.-]*`, with `qualified` optionally `:` and a second
 * such part), or -1 when none starts there. A scan of character codes: no match object per name.
 */
export function scanName(s: string, i: number, qualified: boolean): number {
  const first = s.charCodeAt(i);
  if (!(first < 128 && NAME_CLASS[first]! & NAME_START)) return -1;
  let j = i + 1;
  for (let c = s.charCodeAt(j); c < 128 && NAME_CLASS[c]! & NAME_CHAR; c = s.charCodeAt(++j));
  if (qualified && s.charCodeAt(j) === 0x3a /* : */) {
    const next = s.charCodeAt(j + 1);
    if (next < 128 && NAME_CLASS[next]! & NAME_START) {
      j += 2;
      for (let c = s.charCodeAt(j); c < 128 && NAME_CLASS[c]! & NAME_CHAR; c = s.charCodeAt(++j));
    }
  }
  return j;
}

/** What an attribute value's characters below U+0040 ask for (see PlainXmlReader's openTag): a `<`, a `&`, a tab or LF. */
/** A `<`: the value ends the fast path. */
export const LT = 1;
/** A `&`: references to decode. */
export const AMP = 2;
/** A tab or line end: made a space (XML 1.0 §3.3.3). */
export const BREAK = 4;
/** {@link LT}, {@link AMP} or {@link BREAK} by character code below U+0040. */
export const VALUE_CHAR = new Uint8Array(0x40);
VALUE_CHAR[0x3c] = LT;
VALUE_CHAR[0x26] = AMP;
VALUE_CHAR[0x09] = BREAK;
VALUE_CHAR[0x0a] = BREAK;

/** True when an attribute of that name is already in the list. */
export function hasAttr(attrs: readonly { local: string }[], local: string): boolean {
  for (const a of attrs) if (a.local === local) return true;
  return false;
}
