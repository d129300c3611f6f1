import type { XmlElement, XmlNode } from '../../xml/index.js';
import { CimXmlError } from './errors.js';
import { AMP, BREAK, hasAttr, LT, scanName, VALUE_CHAR } from './fast-xml-chars.js';

/** Limits on the shape of a document, checked as it is read so that a hostile one costs little. */
export interface XmlShapeLimits {
  /** Deepest element nesting. */
  maxDepth: number;
  /** Most elements in the document. */
  maxElements: number;
  /** Most attributes on one element. */
  maxAttributes: number;
  /** Longest text of one element (text and CDATA together), in UTF-16 code units. */
  maxTextChars: number;
}

/** What {@link PlainXmlReader.run} returns when it stopped at its deadline and has more to read. */
export const MORE = Symbol('more');

/**
 * A fast reader for the plain XML that CIM-XML messages are: elements, attributes, text, the five predefined
 * entities, character references, CDATA and comments, no namespaces, names in ASCII. It is a fast path only:
 * whenever the input uses anything else (a DOCTYPE, a processing instruction, a prefix, a non-ASCII name, a
 * construct it does not check) or is not well formed, it returns undefined and the caller reads the input with
 * the hardened parser of src/xml, which decides and reports with line and column. It never accepts a document
 * that the hardened parser refuses (fast-xml.test.ts checks this against saxes on mutated inputs).
 *
 * Its cost is linear in the input: attribute names are checked for duplicates with a set, and a document over a
 * shape limit is refused (`CIMXML_TOO_LARGE`, with line and column) the moment the limit is passed. It works in
 * slices: `run(deadline)` stops once `performance.now()` passes the deadline and carries on at the next call, so
 * that a caller can give the event loop back between slices.
 *
 * @example
 * const r = new PlainXmlReader(text, limits);
 * let root = r.run(performance.now() + 4);
 * while (root === MORE) { await setImmediate(); root = r.run(performance.now() + 4); }
 */
export class PlainXmlReader {
  private src = '';
  /** Where the check for characters XML does not allow and the line-end normalisation have got to. */
  private prepared = 0;
  private readonly parts: string[] = [];
  private readonly hasCr: boolean;
  private i = 0;
  private started = false;
  private readonly stack: XmlElement[] = [];
  private root: XmlElement | undefined;
  private elements = 0;
  private readonly qualified: boolean;

  /**
   * With `qualifiedNames` (what WS-Man's reader asks for), names may carry one prefix (`s:Envelope`,
   * `xmlns:s`): they are kept as written in `local`, namespaces unresolved, for the caller to resolve or to
   * send to the hardened parser.
   */
  constructor(
    private readonly input: string,
    private readonly limits: XmlShapeLimits,
    options: { qualifiedNames?: boolean } = {},
  ) {
    this.hasCr = input.includes('\r');
    this.qualified = options.qualifiedNames === true;
  }

  /** Reads on until the end (the root, or undefined: not for the fast path) or the deadline ({@link MORE}). */
  run(deadline = Number.POSITIVE_INFINITY): XmlElement | undefined | typeof MORE {
    while (this.prepared < this.input.length) {
      if (!this.prepare(PREPARE_SLICE)) return undefined;
      if (performance.now() > deadline) return MORE;
    }
    if (!this.started) {
      this.src = this.hasCr ? this.parts.join('') : this.input;
      this.parts.length = 0;
      if (!this.start()) return undefined;
      this.started = true;
    }
    return this.body(deadline);
  }

  /** Checks the characters of the next slice and applies end-of-line handling (XML 1.0 §2.11) to it. */
  private prepare(n: number): boolean {
    const s = this.input;
    let i = this.prepared;
    let end = Math.min(s.length, i + n);
    const from = i;
    // A whole input of one slice without control characters, surrogates or non-characters (every client's
    // request) is checked by one regular expression scan rather than character by character.
    if (from === 0 && end === s.length && !UNUSUAL_CHAR.test(s)) i = end;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0xd800) continue;
      if (c < 0x20) {
        if (c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
      } else if (c <= 0xdbff) {
        const next = s.charCodeAt(i + 1);
        if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
        i++;
      } else if (c <= 0xdfff || c === 0xfffe || c === 0xffff) return false;
    }
    // A CR LF pair is never split between two slices.
    if (i < s.length && s.charCodeAt(i - 1) === 0x0d && s.charCodeAt(i) === 0x0a) i++;
    end = i;
    if (this.hasCr) this.parts.push(s.slice(from, end).replace(/\r\n?/g, '\n'));
    this.prepared = end;
    return true;
  }

  /** The byte order mark and the XML declaration. */
  private start(): boolean {
    const src = this.src;
    if (src.charCodeAt(0) === 0xfeff) this.i = 1;
    if (src.startsWith('<?xml', this.i)) {
      const end = src.indexOf('?>', this.i);
      if (end < 0 || !XML_DECL.test(src.slice(this.i, end + 2))) return false;
      this.i = end + 2;
    }
    return true;
  }

  private body(deadline: number): XmlElement | undefined | typeof MORE {
    const src = this.src;
    const n = src.length;
    const stack = this.stack;
    let i = this.i;
    let steps = 0;
    while (i < n) {
      if (++steps % 256 === 0 && performance.now() > deadline) {
        this.i = i;
        return MORE;
      }
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
          this.pushText(top, t, i);
        }
      }
      if (lt < 0) break;
      i = lt;
      const c = src.charCodeAt(i + 1);
      if (c === 0x2f /* / */) {
        const gt = src.indexOf('>', i);
        if (gt < 0) return undefined;
        const top = stack.pop();
        if (!top || !closes(src, i + 2, gt, top.local)) return undefined;
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
          this.pushText(top, src.slice(i + 9, end), i);
          i = end + 3;
          continue;
        }
        return undefined; // DOCTYPE or anything else: the hardened parser decides
      }
      const tag = this.openTag(i);
      if (tag === undefined) return undefined;
      i = tag;
    }
    this.i = i;
    return this.root && stack.length === 0 ? this.root : undefined;
  }

  /** Reads an opening tag at `start` (its `<`); the index after it, or undefined when it is not plain. */
  private openTag(start: number): number | undefined {
    const src = this.src;
    const limits = this.limits;
    const nameEnd = scanName(src, start + 1, this.qualified);
    if (nameEnd < 0) return undefined;
    if (++this.elements > limits.maxElements)
      this.tooLarge(start, `The document has more than ${limits.maxElements} elements`);
    const el: XmlElement = {
      type: 'element',
      ns: '',
      local: src.slice(start + 1, nameEnd),
      prefix: '',
      attrs: [],
      nsDecls: [],
      children: [],
    };
    const attrs = el.attrs;
    let i = nameEnd;
    let seen: Set<string> | undefined;
    for (;;) {
      const ws = skipWs(src, i);
      const ch = src.charCodeAt(ws);
      if (ch === 0x3e /* > */ || (ch === 0x2f && src.charCodeAt(ws + 1) === 0x3e)) {
        i = ws;
        break;
      }
      if (ws === i) return undefined; // attributes must be separated by white space
      const aEnd = scanName(src, ws, this.qualified);
      if (aEnd < 0) return undefined;
      let j = skipWs(src, aEnd);
      if (src.charCodeAt(j) !== 0x3d /* = */) return undefined;
      j = skipWs(src, j + 1);
      const q = src.charCodeAt(j);
      if (q !== 0x22 /* " */ && q !== 0x27 /* ' */) return undefined;
      // One pass to the closing quote, noting what the value needs: a < ends the fast path, & a reference
      // decoded, a tab or line end a space (attribute-value normalisation, XML 1.0 §3.3.3).
      let end = j + 1;
      let special = 0;
      for (; end < src.length; end++) {
        const c = src.charCodeAt(end);
        if (c === q) break;
        if (c < 0x40) special |= VALUE_CHAR[c]!;
      }
      if (end >= src.length || special & LT) return undefined;
      let value = src.slice(j + 1, end);
      if (special & BREAK) value = value.replace(ATTR_BREAKS, ' ');
      if (special & AMP) {
        const decoded = decodeRefs(value);
        if (decoded === undefined) return undefined;
        value = decoded;
      }
      if (attrs.length >= limits.maxAttributes)
        this.tooLarge(ws, `<${el.local}> has more than ${limits.maxAttributes} attributes`);
      const local = src.slice(ws, aEnd);
      // Duplicates (XML 1.0 §3.1, Unique Att Spec): a scan for the first few, a set beyond, so that the check
      // stays linear whatever the number of attributes.
      if (seen === undefined && attrs.length >= 8) seen = new Set(attrs.map((x) => x.local));
      if (seen ? seen.has(local) : hasAttr(attrs, local)) return undefined;
      seen?.add(local);
      attrs.push({ ns: '', local, prefix: '', value });
      i = end + 1;
    }
    const selfClosing = src.charCodeAt(i) === 0x2f;
    i += selfClosing ? 2 : 1;
    // Every element counts for the depth, one that closes itself too (as saxes counts).
    if (this.stack.length >= limits.maxDepth)
      this.tooLarge(start, `Elements are nested deeper than ${limits.maxDepth} levels`);
    const top = this.stack[this.stack.length - 1];
    if (top) top.children.push(el);
    else if (this.root) return undefined;
    else this.root = el;
    if (!selfClosing) this.stack.push(el);
    return i;
  }

  private pushText(el: XmlElement, t: string, at: number): void {
    const last: XmlNode | undefined = el.children[el.children.length - 1];
    let length = t.length;
    if (last?.type === 'text') {
      length += last.value.length;
      last.value += t;
    } else el.children.push({ type: 'text', value: t });
    if (length > this.limits.maxTextChars)
      this.tooLarge(at, `The text of <${el.local}> is longer than ${this.limits.maxTextChars} characters`);
  }

  /** Throws `CIMXML_TOO_LARGE` with the line and column of `at` (counted only now, on this rare path). */
  private tooLarge(at: number, message: string): never {
    const before = this.src.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new CimXmlError('CIMXML_TOO_LARGE', `${message} (line ${line}, column ${column})`, {
      location: { line, column },
    });
  }
}

/**
 * Reads plain CIM-XML in one go (see {@link PlainXmlReader}); undefined when the input needs the hardened parser.
 * Throws `CIMXML_TOO_LARGE` when the document is over a shape limit.
 */
export function readPlainXml(
  input: string,
  limits: XmlShapeLimits,
  options: { qualifiedNames?: boolean } = {},
): XmlElement | undefined {
  const r = new PlainXmlReader(input, limits, options).run();
  return r === MORE ? undefined : r;
}

/** Characters checked between two looks at the clock while preparing the input. */
const PREPARE_SLICE = 64 * 1024;

const WS_ONLY = /^[ \t\r\n]*$/;
// Any UTF-16 code unit outside tab, LF, CR, U+0020-U+D7FF and U+E000-U+FFFD: a character XML does not allow, or a
// surrogate (allowed in pairs), which the character-by-character check then decides on.
const UNUSUAL_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd]/;
// Tabs and line ends in an attribute value, which attribute-value normalisation makes spaces.
const ATTR_BREAKS = /[\t\n]/g;
// The XML declaration only in the single-spaced forms clients write; any other spelling goes to saxes, which
// has its own view of the white space allowed there.
const XML_DECL =
  /^<\?xml version=(["'])1\.0\1( encoding=(["'])[Uu][Tt][Ff]-8\3)?( standalone=(["'])(yes|no)\5)? ?\?>$/;

const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/g;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * True when `s[from, gt)`, the inside of an end tag, is `name` and white space (XML 1.0 §3.1 ETag), compared in
 * place: no slice, no regular expression.
 */
function closes(s: string, from: number, gt: number, name: string): boolean {
  // Character by character: startsWith at an offset costs a runtime call per end tag.
  for (let k = 0; k < name.length; k++) if (s.charCodeAt(from + k) !== name.charCodeAt(k)) return false;
  return skipWs(s, from + name.length) >= gt;
}

function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
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
