import type { XmlElement, XmlNode } from '../../xml/index.js';

/**
 * A fast reader for the plain XML that CIM-XML messages are: elements, attributes, text, the five predefined
 * entities, character references, CDATA and comments, no namespaces, names in ASCII. It is a fast path only:
 * whenever the input uses anything else (a DOCTYPE, a processing instruction, a prefix, a non-ASCII name, a
 * construct it does not check) or is not well formed, it returns undefined and the caller reads the input with
 * the hardened parser of src/xml, which decides and reports with line and column. It never accepts a document
 * that the hardened parser refuses (fast-xml.test.ts checks this against saxes on mutated inputs).
 */
export function readPlainXml(input: string, maxDepth: number): XmlElement | undefined {
  if (hasBadChars(input)) return undefined;
  // End-of-line handling (XML 1.0 §2.11) applies to the whole input before anything else.
  const src = input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input;
  let i = 0;
  const n = src.length;
  if (src.charCodeAt(0) === 0xfeff) i = 1;
  if (src.startsWith('<?xml', i)) {
    const end = src.indexOf('?>', i);
    if (end < 0 || !XML_DECL.test(src.slice(i, end + 2))) return undefined;
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const raw = src.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (!top) {
        if (!WS_ONLY.test(raw)) return undefined;
      } else {
        if (raw.includes(']]>')) return undefined;
        const t = decodeRefs(raw);
        if (t === undefined) return undefined;
        pushText(top, t);
      }
    }
    if (lt < 0) break;
    i = lt;
    const c = src.charCodeAt(i + 1);
    if (c === 0x2f /* / */) {
      const gt = src.indexOf('>', i);
      if (gt < 0) return undefined;
      const close = CLOSE.exec(src.slice(i + 2, gt));
      const top = stack.pop();
      if (!top || !close || top.local !== close[1]) return undefined;
      i = gt + 1;
      continue;
    }
    if (c === 0x21 /* ! */) {
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) return undefined;
        const body = src.slice(i + 4, end);
        if (body.includes('--') || body.endsWith('-')) return undefined;
        const top = stack[stack.length - 1];
        if (top) top.children.push({ type: 'comment', value: body });
        i = end + 3;
        continue;
      }
      if (src.startsWith('<![CDATA[', i)) {
        const top = stack[stack.length - 1];
        const end = src.indexOf(']]>', i + 9);
        if (!top || end < 0) return undefined;
        pushText(top, src.slice(i + 9, end));
        i = end + 3;
        continue;
      }
      return undefined; // DOCTYPE or anything else: the hardened parser decides
    }
    // An opening tag.
    NAME.lastIndex = i + 1;
    const m = NAME.exec(src);
    if (!m) return undefined;
    const el: XmlElement = {
      type: 'element',
      ns: '',
      local: m[0],
      prefix: '',
      attrs: [],
      nsDecls: [],
      children: [],
    };
    i = NAME.lastIndex;
    for (;;) {
      const ws = skipWs(src, i);
      const ch = src.charCodeAt(ws);
      if (ch === 0x3e /* > */ || (ch === 0x2f && src.charCodeAt(ws + 1) === 0x3e)) {
        i = ws;
        break;
      }
      if (ws === i) return undefined; // attributes must be separated by white space
      NAME.lastIndex = ws;
      const a = NAME.exec(src);
      if (!a) return undefined;
      let j = skipWs(src, NAME.lastIndex);
      if (src.charCodeAt(j) !== 0x3d /* = */) return undefined;
      j = skipWs(src, j + 1);
      const q = src[j];
      if (q !== '"' && q !== "'") return undefined;
      const end = src.indexOf(q, j + 1);
      if (end < 0) return undefined;
      const rawValue = src.slice(j + 1, end);
      if (rawValue.includes('<')) return undefined;
      // Attribute-value normalisation (XML 1.0 §3.3.3): literal line ends and tabs become spaces.
      const value = decodeRefs(rawValue.replace(/[\t\n]/g, ' '));
      if (value === undefined || el.attrs.some((x) => x.local === a[0])) return undefined;
      el.attrs.push({ ns: '', local: a[0], prefix: '', value });
      i = end + 1;
    }
    const selfClosing = src.charCodeAt(i) === 0x2f;
    i += selfClosing ? 2 : 1;
    const top = stack[stack.length - 1];
    if (top) top.children.push(el);
    else if (root) return undefined;
    else root = el;
    if (!selfClosing) {
      if (stack.length >= maxDepth) return undefined;
      stack.push(el);
    }
  }
  return root && stack.length === 0 ? root : undefined;
}

// Names: ASCII letters, digits, _ - . ; no colon (CIM-XML uses no namespaces). Anything else goes to saxes.
const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const CLOSE = /^([A-Za-z_][A-Za-z0-9_.-]*)[ \t\r\n]*$/;
const WS_ONLY = /^[ \t\r\n]*$/;
// The XML declaration only in the single-spaced forms clients write; any other spelling goes to saxes, which
// has its own view of the white space allowed there.
const XML_DECL =
  /^<\?xml version=(["'])1\.0\1( encoding=(["'])[Uu][Tt][Ff]-8\3)?( standalone=(["'])(yes|no)\5)? ?\?>$/;
/** True when the text has a character XML 1.0 does not allow (controls, U+FFFE/U+FFFF) or a lone surrogate. */
function hasBadChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0xd800) continue;
    if (c < 0x20) {
      if (c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
    } else if (c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c <= 0xdfff || c === 0xfffe || c === 0xffff) return true;
  }
  return false;
}

const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/g;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

function pushText(el: XmlElement, t: string): void {
  const last: XmlNode | undefined = el.children[el.children.length - 1];
  if (last?.type === 'text') last.value += t;
  else el.children.push({ type: 'text', value: t });
}

/** Replaces entity and character references; undefined when one is not allowed (a bare & or a bad code). */
function decodeRefs(text: string): string | undefined {
  if (!text.includes('&')) return text;
  let bad = false;
  const out = text.replace(
    ENTITY,
    (_m, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
      if (name) return PREDEFINED[name]!;
      const code = dec !== undefined ? Number(dec) : Number.parseInt(hex!, 16);
      if (
        !(
          code === 0x9 ||
          code === 0xa ||
          code === 0xd ||
          (code >= 0x20 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) ||
          (code >= 0x10000 && code <= 0x10ffff)
        )
      ) {
        bad = true;
        return '';
      }
      return String.fromCodePoint(code);
    },
  );
  if (bad) return undefined;
  // Any & left is not part of a reference the regex accepted.
  if (text.replace(ENTITY, '').includes('&')) return undefined;
  return out;
}
