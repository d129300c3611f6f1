/** XML escaping for the CIM-XML encoder, with fast paths for text that needs none. */

const TEXT_RE = /[&<>\r]/;
const ATTR_RE = /[&<>"\n\r\t]/;

/** Escapes character data (fast path when nothing needs escaping). */
export function xmlText(s: string): string {
  if (!TEXT_RE.test(s)) return s;
  return s.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );
}

/** Escapes a double-quoted attribute value. */
export function xmlAttr(s: string): string {
  if (!ATTR_RE.test(s)) return s;
  return s.replace(/[&<>"\n\r\t]/g, (c) =>
    c === '&'
      ? '&amp;'
      : c === '<'
        ? '&lt;'
        : c === '>'
          ? '&gt;'
          : c === '"'
            ? '&quot;'
            : c === '\n'
              ? '&#10;'
              : c === '\r'
                ? '&#13;'
                : '&#9;',
  );
}
