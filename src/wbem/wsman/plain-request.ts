import { isAscii } from 'node:buffer';
import { XML_NS } from '../../xml/index.js';
import { NS } from './names.js';
import {
  CANONICAL,
  COUNT_ESTIMATE,
  headerAttr,
  KNOWN,
  LAST_TEXT,
  noMustUnderstand,
  OPTIONS,
  optionAttr,
  SELECTORS,
} from './plain-headers.js';
import type { EnvelopeLimits, WsmanOption, WsmanRequest } from './request.js';
import { FAST_BYTES } from './request.js';
import {
  emptyRequest,
  type Leaf,
  MESSAGE_ID,
  MESSAGE_ID_TEXT,
  readByTemplate,
  readRepeated,
  rememberRepeat,
  rememberTemplate,
  setField,
} from './request-template.js';
import {
  hasDuplicate,
  lookup,
  OUTSIDE_WS,
  plainStart,
  qName,
  RAW_NAMES,
  readAttributes,
  skipWs,
  TAG,
  VALUES,
} from './soap-read.js';

// What an open element is to the request (a small number per element of the stack).
const ENVELOPE = 1;
const HEADER = 2;
const BODY = 3;
/** A header whose trimmed text is a field of the request (To, Action, ...). */
const TEXT = 4;
const SELECTOR_SET = 5;
const SELECTOR = 6;
const OPTION_SET = 7;
const OPTION = 8;
/** A header the request takes nothing from, or anything inside one: any well-formed content. */
const SKIP = 9;

/** Most selectors in a SelectorSet, as readSelectors allows. */
const MAX_SELECTORS = 64;

// Scratch lists shared by every call (a read runs to its end synchronously): attributes resolved (as written: RAW_NAMES
// and VALUES of soap-read.ts).
const ATTR_NS: string[] = [];
const ATTR_LOCAL: string[] = [];
const ATTR_VALUE: string[] = [];
const KEYS: string[] = [];

/** The request's text with one code unit per byte when the bytes are ASCII and end with an empty Body, else undefined. */
function asciiText(body: Uint8Array | string): string | undefined {
  if (typeof body === 'string') return emptyBodyLast(body) ? body : undefined;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // The end first (a few hundred bytes as latin1): a request with a body goes without decoding the rest.
  if (!emptyBodyLast(bytes.toString('latin1', Math.max(0, bytes.length - TAIL)))) return undefined;
  if (!isAscii(body)) return undefined;
  return bytes.toString('latin1');
}

/** How much of a request's end holds its empty Body (with `</s:Envelope>` and blanks) in any plain envelope. */
const TAIL = 512;

/** True when every resolved attribute of an element is one that `allowed` accepts. */
function onlyAttrs(count: number, allowed: (ns: string, local: string) => boolean): boolean {
  for (let a = 0; a < count; a++) if (!allowed(ATTR_NS[a]!, ATTR_LOCAL[a]!)) return false;
  return true;
}

/**
 * Reads a small plain WS-Man request whose Body is empty (Get, Delete) straight into a WsmanRequest in one pass,
 * without an element tree: the same well-formedness, namespace and shape checks as readSimpleSoap (whose helpers it
 * shares) and the same header decoding as readEnvelope. A request with the shape of one read before (the same text
 * but for its headers', selectors' and options' texts: a client's next Get) is read by that template, and the
 * bytes of the last request so read again but for the MessageID by two compares (request-template.ts). It answers undefined for anything else (a body with content, a header given twice, an
 * unknown header marked mustUnderstand, an EPR or nameless selector, a bad MaxEnvelopeSize or OperationTimeout, an
 * attribute it does not expect, non-ASCII bytes, an envelope over the fast readers' size), and readEnvelope's tree
 * path then decides and reports as before. plain-request.test.ts checks that it never answers a request that
 * differs from the tree path's.
 *
 * @example
 * const r = readPlainRequest(bytes, limits) ?? (await readEnvelopeTree(bytes, limits));
 */
export function readPlainRequest(
  body: Uint8Array | string,
  limits: EnvelopeLimits,
): WsmanRequest | undefined {
  // The same bound as the tree path's fast readers (beyond it the hardened reader decides, and its limits).
  const size = typeof body === 'string' ? body.length * 3 : body.byteLength;
  if (size > FAST_BYTES || size > limits.maxBytes) return undefined;
  if (typeof body !== 'string') {
    const again = readRepeated(body, limits);
    if (again !== undefined) return again;
  }
  const src = asciiText(body);
  if (src === undefined) return undefined;
  const byTemplate = readByTemplate(src, limits);
  if (byTemplate === undefined) return readInFull(src, limits);
  // A shape seen again (a template's): its bytes are likely to come again but for the MessageID. A shape read
  // for the first time is not copied for that.
  if (typeof body !== 'string') rememberRepeat(body, limits, byTemplate);
  return byTemplate;
}

/**
 * False when the text plainly does not end with an empty Body (`<p:Body/>` or `<p:Body></p:Body>`, blanks aside),
 * looked for from the end: an Enumerate, a Pull or an Invoke goes to the tree path at once, not after a pass over
 * its headers. A cheap filter that only ever refuses more than the reader does.
 */
function emptyBodyLast(src: string): boolean {
  const at = src.lastIndexOf('Body');
  if (at < 0) return false;
  const k = skipWs(src, at + 4);
  const c = src.charCodeAt(k);
  if (c === 0x2f /* / */) return src.charCodeAt(k + 1) === 0x3e;
  if (c !== 0x3e /* > */) return false;
  // The end tag's name: its start tag must end just before it, blanks aside.
  let m = src.lastIndexOf('<', at) - 1;
  while (m >= 0 && (src.charCodeAt(m) === 0x20 || src.charCodeAt(m) === 0x0a || src.charCodeAt(m) === 0x09))
    m--;
  return src.charCodeAt(m) === 0x3e && src.startsWith('Body', m - 4);
}

/** The plain reader proper: one pass over the text; a request it reads becomes a template for the next ones. */
function readInFull(src: string, limits: EnvelopeLimits): WsmanRequest | undefined {
  let i = plainStart(src);
  if (i < 0) return undefined;
  const n = src.length;
  const kinds: number[] = [];
  // The open elements' names as written, for their end tags.
  const names: string[] = [];
  const marks: number[] = [];
  const scope: string[] = ['xml', XML_NS];
  const r = emptyRequest();
  // What the leaves gave, for the template.
  const leaves: Leaf[] = [];
  let rooted = false;
  let sawHeader = false;
  let sawBody = false;
  let seen = 0;
  let elements = 0;
  let selectorCount = 0;
  // The open text header or selector or option, and the text read inside it.
  let field = -1;
  let leafText = '';
  let leafStart = -1;
  let leafEnd = -1;
  let selectorName = '';
  let option: WsmanOption | undefined;
  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const t = src.slice(i, textEnd);
      const top = kinds.length === 0 ? 0 : kinds[kinds.length - 1]!;
      if (top === 0) {
        if (!OUTSIDE_WS.test(t)) return undefined;
      } else {
        if (t.length > limits.maxTextChars || t.includes(']]>')) return undefined;
        if (top === TEXT || top === SELECTOR || top === OPTION) leafText = t;
        else if (top !== SKIP && t.trim() !== '') return undefined;
      }
    }
    if (lt < 0) break;
    i = lt;
    if (src.charCodeAt(i + 1) === 0x2f /* / */) {
      const gt = src.indexOf('>', i);
      const name = names.pop();
      if (
        gt < 0 ||
        name === undefined ||
        !src.startsWith(name, i + 2) ||
        skipWs(src, i + 2 + name.length) < gt
      )
        return undefined;
      leafEnd = i;
      if (!close(kinds.pop()!)) return undefined;
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
    // Declarations into the scope, then the element's and its attributes' namespaces, as readSimpleSoap does.
    let attrs = 0;
    for (let a = 0; a < count; a++) {
      const an = RAW_NAMES[a]!;
      if (an !== 'xmlns' && !an.startsWith('xmlns:')) continue;
      const prefix = an === 'xmlns' ? '' : an.slice(6);
      const uri = VALUES[a]!;
      if (uri !== uri.trim()) return undefined; // saxes trims a namespace name: left to the parser
      if (prefix === 'xmlns' || uri === 'http://www.w3.org/2000/xmlns/') return undefined;
      if ((prefix === 'xml') !== (uri === XML_NS)) return undefined;
      if (prefix !== '' && uri === '') return undefined;
      scope.push(prefix, CANONICAL.get(uri) ?? uri);
    }
    let ns: string;
    let local = qn;
    const colon = qn.indexOf(':');
    if (colon >= 0) {
      const prefix = qn.slice(0, colon);
      const uri = prefix === 'xml' || prefix === 'xmlns' ? undefined : lookup(scope, prefix);
      if (uri === undefined) return undefined;
      ns = uri;
      local = qn.slice(colon + 1);
    } else ns = lookup(scope, '') ?? '';
    for (let a = 0; a < count; a++) {
      const an = RAW_NAMES[a]!;
      if (an === 'xmlns' || an.startsWith('xmlns:')) continue;
      const c = an.indexOf(':');
      let uri = '';
      if (c >= 0) {
        const p = an.slice(0, c);
        const bound = p === 'xml' ? XML_NS : lookup(scope, p);
        if (bound === undefined || bound === '') return undefined;
        uri = bound;
      }
      ATTR_NS[attrs] = uri;
      ATTR_LOCAL[attrs] = c >= 0 ? an.slice(c + 1) : an;
      ATTR_VALUE[attrs] = VALUES[a]!;
      attrs++;
    }
    if (attrs > 1) {
      for (let a = 0; a < attrs; a++) KEYS[a] = `${ATTR_NS[a]}|${ATTR_LOCAL[a]}`;
      if (hasDuplicate(KEYS, attrs)) return undefined;
    }
    const kind = open(kinds.length === 0 ? 0 : kinds[kinds.length - 1]!, ns, local, attrs);
    if (kind === 0) return undefined;
    const selfClosing = src.charCodeAt(k) === 0x2f;
    i = k + (selfClosing ? 2 : 1);
    // Every element counts for the depth, one that closes itself too (as the hardened reader counts).
    if (kinds.length >= limits.maxDepth) return undefined;
    if (selfClosing) {
      restore(scope, mark);
      leafStart = -1;
      if (!close(kind)) return undefined;
    } else {
      kinds.push(kind);
      leafStart = i;
      names.push(qn);
      marks.push(mark);
    }
  }
  if (!rooted || kinds.length !== 0 || !sawBody) return undefined;
  rememberTemplate(src, limits, leaves, r.countEstimate);
  const id = leaves.find((l) => l.field === MESSAGE_ID);
  MESSAGE_ID_TEXT[0] = id === undefined ? -1 : id.start;
  MESSAGE_ID_TEXT[1] = id === undefined ? -1 : id.end;
  return r;

  /** What the element opening under `parent` is, or 0 when the tree path must read the request. */
  function open(parent: number, ns: string, local: string, attrs: number): number {
    switch (parent) {
      case 0:
        if (rooted || ns !== NS.soap || local !== 'Envelope' || attrs > 0) return 0;
        rooted = true;
        return ENVELOPE;
      case ENVELOPE:
        if (ns !== NS.soap || attrs > 0) return 0;
        if (local === 'Header' && !sawHeader) {
          sawHeader = true;
          return HEADER;
        }
        if (local === 'Body' && !sawBody) {
          sawBody = true;
          return BODY;
        }
        return 0;
      case HEADER:
        return openHeader(ns, local, attrs);
      case SELECTOR_SET: {
        if (ns !== NS.wsman || local !== 'Selector' || attrs !== 1) return 0;
        if (ATTR_NS[0] !== '' || ATTR_LOCAL[0] !== 'Name' || ATTR_VALUE[0] === '') return 0;
        if (++selectorCount > MAX_SELECTORS) return 0;
        selectorName = ATTR_VALUE[0]!;
        leafText = '';
        return SELECTOR;
      }
      case OPTION_SET: {
        if (ns !== NS.wsman || local !== 'Option' || !onlyAttrs(attrs, optionAttr)) return 0;
        let name = '';
        let mc = '';
        for (let a = 0; a < attrs; a++) {
          if (ATTR_LOCAL[a] === 'Name') name = ATTR_VALUE[a]!;
          else mc = ATTR_VALUE[a]!;
        }
        option = { name, value: '', mustComply: mc === 'true' || mc === '1' };
        leafText = '';
        return OPTION;
      }
      case SKIP:
        return SKIP;
      default:
        // An element in the body, or inside a text header, a selector or an option.
        return 0;
    }
  }

  function openHeader(ns: string, local: string, attrs: number): number {
    const code = KNOWN.get(ns)?.get(local);
    if (code === undefined) return onlyAttrs(attrs, noMustUnderstand) ? SKIP : 0;
    if ((seen & (1 << code)) !== 0 || !onlyAttrs(attrs, headerAttr)) return 0;
    seen |= 1 << code;
    if (code <= LAST_TEXT) {
      field = code;
      leafText = '';
      return TEXT;
    }
    if (code === SELECTORS) return SELECTOR_SET;
    if (code === OPTIONS) return OPTION_SET;
    if (code === COUNT_ESTIMATE) r.countEstimate = true;
    return SKIP;
  }

  /** Takes what an element that ends gave; false when the tree path must read the request. */
  function close(kind: number): boolean {
    if (kind !== TEXT && kind !== SELECTOR && kind !== OPTION) return true;
    const start = leafStart;
    const end = leafStart < 0 ? -1 : leafEnd;
    const value = leafText.trim();
    if (kind === TEXT) {
      leaves.push({ field, name: '', option: false, mustComply: false, start, end });
      return setField(r, field, value);
    }
    if (kind === SELECTOR) {
      const lower = selectorName.toLowerCase();
      for (const key of r.selectors.keys()) if (key.toLowerCase() === lower) return false;
      r.selectors.set(selectorName, value);
      leaves.push({ field: -1, name: selectorName, option: false, mustComply: false, start, end });
    } else if (option !== undefined) {
      option.value = value;
      r.options.push(option);
      leaves.push({ field: -1, name: option.name, option: true, mustComply: option.mustComply, start, end });
    }
    return true;
  }
}

/** Drops the bindings after the first `length` entries of `scope`. */
function restore(scope: string[], length: number): void {
  while (scope.length > length) scope.pop();
}
