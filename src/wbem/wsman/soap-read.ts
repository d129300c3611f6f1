import type { XmlAttribute, XmlElement } from '../../xml/index.js';
import { XML_NS, XMLNS_NS } from '../../xml/index.js';
import type { XmlShapeLimits } from '../cimxml/fast-xml.js';

/**
 * What this reader leaves to the others, besides `<!` (comment, CDATA, DOCTYPE): a reference (`&`), a CR (line-end
 * handling), and any code unit outside tab, LF and U+0020-U+D7FF, U+E000-U+FFFD (a character XML does not allow,
 * or a surrogate). One class, one scan of the text.
 */
const UNUSUAL_CHAR = /[^\t\n\u0020-\u0025\u0027-\ud7ff\ue000-\ufffd]/;
// The XML declaration in the forms the plain reader accepts (the same expression).
const XML_DECL =
  /^<\?xml version=(["'])1\.0\1( encoding=(["'])[Uu][Tt][Ff]-8\3)?( standalone=(["'])(yes|no)\5)? ?\?>$/;
const ATTR_BREAKS = /[\t\n]/g;
export const OUTSIDE_WS = /^[ \t\n]*$/;

/** 1: may start an ASCII NCName; 2: may continue one. */
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) NAME_CHAR[c] = 1;
  else if (/[0-9.-]/.test(ch)) NAME_CHAR[c] = 2;
}

/**
 * Where the document's first element may start: after the XML declaration in a form the plain readers accept, or 0;
 * -1 when the text is not for them (`<!`, a character of {@link UNUSUAL_CHAR}, a byte order mark, another
 * declaration).
 */
export function plainStart(src: string): number {
  if (src.includes('<!') || UNUSUAL_CHAR.test(src) || src.charCodeAt(0) === 0xfeff) return -1;
  if (!src.startsWith('<?xml')) return 0;
  const end = src.indexOf('?>');
  return end < 0 || !XML_DECL.test(src.slice(0, end + 2)) ? -1 : end + 2;
}

/** The end of the ASCII NCName at `i`, or -1 when none starts there. */
function ncName(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (!(c < 128 && NAME_CHAR[c] === 1)) return -1;
  for (i++; i < s.length; i++) {
    const d = s.charCodeAt(i);
    if (!(d < 128 && NAME_CHAR[d] !== 0)) break;
  }
  return i;
}

/** The end of the qualified name (one optional prefix) at `i`, or -1, matching as much as the plain reader does. */
export function qName(s: string, i: number): number {
  const end = ncName(s, i);
  if (end < 0 || s.charCodeAt(end) !== 0x3a /* : */) return end;
  const local = ncName(s, end + 1);
  return local < 0 ? end : local;
}

export function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** The URI a prefix is bound to in `scope` (pairs of prefix and URI, the innermost last). */
export function lookup(scope: string[], prefix: string): string | undefined {
  for (let k = scope.length - 2; k >= 0; k -= 2) if (scope[k] === prefix) return scope[k + 1];
  return undefined;
}

/** Drops the bindings after the first `length` entries of `scope` (pops: setting the length is a slow path). */
function restore(scope: string[], length: number): void {
  while (scope.length > length) scope.pop();
}

/**
 * The scratch lists of a start tag's attribute names and values as written, filled by {@link readAttributes}: shared
 * by every call (reads run one at a time, to the end), since a pair of new arrays per element was half of what a
 * read allocated.
 */
export const RAW_NAMES: string[] = [];
export const VALUES: string[] = [];

/** Where the last {@link readAttributes} stopped: the tag's `>` or `/>`, and how many attributes it read. */
export const TAG = { end: 0, count: 0 };

/**
 * Reads the attributes of a start tag whose name ends at `at` into {@link RAW_NAMES} and {@link VALUES} as written
 * (tabs and line feeds in values as spaces), and where the tag ends into {@link TAG}; false when they are not plain
 * (no whitespace before one, a quote missing, a `<` in a value, more than `maxAttributes`, a name given twice), and
 * the caller leaves the input to the other readers.
 */
export function readAttributes(src: string, at: number, maxAttributes: number): boolean {
  let count = 0;
  let k = at;
  for (;;) {
    const ws = skipWs(src, k);
    const ch = src.charCodeAt(ws);
    if (ch === 0x3e /* > */ || (ch === 0x2f && src.charCodeAt(ws + 1) === 0x3e)) {
      k = ws;
      break;
    }
    if (ws === k) return false;
    const an = qName(src, ws);
    if (an < 0) return false;
    let j = skipWs(src, an);
    if (src.charCodeAt(j) !== 0x3d /* = */) return false;
    j = skipWs(src, j + 1);
    const q = src.charCodeAt(j);
    if (q !== 0x22 && q !== 0x27) return false;
    const end = src.indexOf(q === 0x22 ? '"' : "'", j + 1);
    if (end < 0) return false;
    const value = src.slice(j + 1, end);
    if (value.includes('<') || count >= maxAttributes) return false;
    RAW_NAMES[count] = src.slice(ws, an);
    VALUES[count] = value.includes('\t') || value.includes('\n') ? value.replace(ATTR_BREAKS, ' ') : value;
    count++;
    k = end + 1;
  }
  if (count > 1 && hasDuplicate(RAW_NAMES, count)) return false;
  TAG.end = k;
  TAG.count = count;
  return true;
}

/** True when the `length` code units at `a` and at `b` of `s` are the same (an end tag's name against its start's). */
export function sameText(s: string, a: number, b: number, length: number): boolean {
  if (b + length > s.length) return false;
  for (let k = 0; k < length; k++) if (s.charCodeAt(a + k) !== s.charCodeAt(b + k)) return false;
  return true;
}

/** True when two entries of `names` are equal (a scan for a few, a set beyond, so that it stays linear). */
export function hasDuplicate(names: string[], count = names.length): boolean {
  if (count > 8) return new Set(names.slice(0, count)).size !== count;
  for (let a = 1; a < count; a++) for (let b = 0; b < a; b++) if (names[a] === names[b]) return true;
  return false;
}

/**
 * Reads the envelopes real clients send in one pass, namespaces resolved as it goes: the same tree that
 * {@link readPlainEnvelope}'s two steps (the plain reader of src/wbem/cimxml with qualified names, then the
 * namespace resolution) make of them, at a third of the cost. It covers a subset of their input: no references,
 * no CR, no comment, CDATA or DOCTYPE, no character outside the common ranges, no byte order mark, nothing over a
 * shape limit; for anything else (and anything not well formed or not plainly namespaced) it answers undefined and
 * the caller goes on with those readers, which accept, refuse or throw as before. soap-read.test.ts checks that
 * it never answers a tree that differs from theirs.
 *
 * @example
 * const root = readSimpleSoap(text, limits) ?? readPlainEnvelope(text, limits);
 */
export function readSimpleSoap(src: string, limits: XmlShapeLimits): XmlElement | undefined {
  let i = plainStart(src);
  if (i < 0) return undefined;
  const n = src.length;
  const stack: XmlElement[] = [];
  // Where each open element's name starts in the text and how long it is, for its end tag.
  const nameAt: number[] = [];
  const nameLength: number[] = [];
  const marks: number[] = [];
  const scope: string[] = ['xml', XML_NS];
  let root: XmlElement | undefined;
  let elements = 0;
  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const t = src.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (!top) {
        if (!OUTSIDE_WS.test(t)) return undefined;
      } else {
        if (t.length > limits.maxTextChars || t.includes(']]>')) return undefined;
        // Blank text is dropped, as the namespace step does (String.prototype.trim's idea of blank).
        if (t.trim() !== '') top.children.push({ type: 'text', value: t });
      }
    }
    if (lt < 0) break;
    i = lt;
    if (src.charCodeAt(i + 1) === 0x2f /* / */) {
      const gt = src.indexOf('>', i);
      const at = nameAt.pop();
      const length = nameLength.pop();
      if (
        gt < 0 ||
        at === undefined ||
        length === undefined ||
        !sameText(src, at, i + 2, length) ||
        skipWs(src, i + 2 + length) < gt
      )
        return undefined;
      stack.pop();
      restore(scope, marks.pop() ?? 2);
      i = gt + 1;
      continue;
    }
    const nameEnd = qName(src, i + 1);
    if (nameEnd < 0 || ++elements > limits.maxElements) return undefined;
    const qn = src.slice(i + 1, nameEnd);
    if (!readAttributes(src, nameEnd, limits.maxAttributes)) return undefined;
    const k = TAG.end;
    const count = TAG.count;
    const mark = scope.length;
    const el = element(qn, RAW_NAMES, VALUES, count, scope);
    if (el === undefined) return undefined;
    const selfClosing = src.charCodeAt(k) === 0x2f;
    i = k + (selfClosing ? 2 : 1);
    // Every element counts for the depth, one that closes itself too (as the hardened reader counts).
    if (stack.length >= limits.maxDepth) return undefined;
    const top = stack[stack.length - 1];
    if (top) top.children.push(el);
    else if (root) return undefined;
    else root = el;
    if (selfClosing) restore(scope, mark);
    else {
      stack.push(el);
      nameAt.push(lt + 1);
      nameLength.push(qn.length);
      marks.push(mark);
    }
  }
  return root && stack.length === 0 ? root : undefined;
}

/**
 * The element of an opening tag, its declarations added to `scope` (the caller restores the scope's length when
 * the element ends): undefined for anything the namespace step refuses (an undeclared or reserved prefix, an
 * empty prefix binding, two attributes with one expanded name).
 */
function element(
  qn: string,
  rawNames: string[],
  values: string[],
  count: number,
  scope: string[],
): XmlElement | undefined {
  const nsDecls: Array<[string, string]> = [];
  let plain = 0;
  for (let a = 0; a < count; a++) {
    const an = rawNames[a]!;
    if (an !== 'xmlns' && !an.startsWith('xmlns:')) {
      plain++;
      continue;
    }
    const prefix = an === 'xmlns' ? '' : an.slice(6);
    const uri = values[a]!;
    if (uri !== uri.trim()) return undefined; // saxes trims a namespace name: left to the parser
    if (prefix === 'xmlns' || uri === XMLNS_NS) return undefined;
    if ((prefix === 'xml') !== (uri === XML_NS)) return undefined;
    if (prefix !== '' && uri === '') return undefined;
    scope.push(prefix, uri);
    nsDecls.push([prefix, uri]);
  }
  let ns: string;
  let prefix = '';
  let local = qn;
  const colon = qn.indexOf(':');
  if (colon >= 0) {
    prefix = qn.slice(0, colon);
    const uri = prefix === 'xml' || prefix === 'xmlns' ? undefined : lookup(scope, prefix);
    if (uri === undefined) return undefined;
    ns = uri;
    local = qn.slice(colon + 1);
  } else ns = lookup(scope, '') ?? '';
  const attrs: XmlAttribute[] = [];
  if (plain > 0) {
    for (let a = 0; a < count; a++) {
      const an = rawNames[a]!;
      if (an === 'xmlns' || an.startsWith('xmlns:')) continue;
      const c = an.indexOf(':');
      if (c < 0) {
        attrs.push({ ns: '', local: an, prefix: '', value: values[a]! });
        continue;
      }
      const p = an.slice(0, c);
      const uri = p === 'xml' ? XML_NS : lookup(scope, p);
      if (uri === undefined || uri === '') return undefined;
      attrs.push({ ns: uri, local: an.slice(c + 1), prefix: p, value: values[a]! });
    }
    if (attrs.length > 1 && hasDuplicate(attrs.map((x) => `${x.ns}|${x.local}`))) return undefined;
  }
  return { type: 'element', ns, local, prefix, attrs, nsDecls, children: [] };
}
