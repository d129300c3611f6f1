import type { EnvelopeLimits, WsmanRequest } from './request.js';
import { parseDuration } from './request.js';

// The request fields a header's text sets (numbers shared with plain-request.ts's table of headers).
export const TO = 0;
export const ACTION = 1;
export const MESSAGE_ID = 2;
export const RESOURCE_URI = 3;
export const MAX_ENVELOPE_SIZE = 4;
export const OPERATION_TIMEOUT = 5;
export const IDENTIFIER = 6;

/**
 * What one leaf of a request gave, in document order: a header's text (`field` >= 0), a selector (`name`) or an
 * option (`name`, `mustComply`, `field` -1 and `option` true), with where its text was (start === end when empty;
 * -1 when the element closed itself).
 */
export interface Leaf {
  field: number;
  name: string;
  option: boolean;
  mustComply: boolean;
  start: number;
  end: number;
}

/** A request's text cut at its leaves' texts, and what each leaf sets. */
interface Template {
  /** The text around the leaves' texts: one more part than leaves with text. */
  parts: string[];
  /** The leaves in document order. */
  leaves: Leaf[];
  countEstimate: boolean;
  limits: EnvelopeLimits;
}

/** The most recent templates, newest first (a client sends a few shapes of request again and again). */
const TEMPLATES: Template[] = [];
const MAX_TEMPLATES = 4;
/** Longer requests are not remembered: a Get's envelope is 1-2 KiB, and a match costs a compare of the text. */
const MAX_TEMPLATE_CHARS = 8192;

/** A text run in an element the plain reader accepts: it decided on nothing else about a leaf's text. */
const BAD_TEXT = /[^\t\n\u0020-\u0025\u0027-\ud7ff\ue000-\ufffd]|]]>/;

function sameLimits(a: EnvelopeLimits, b: EnvelopeLimits): boolean {
  return (
    a === b ||
    (a.maxBytes === b.maxBytes &&
      a.maxDepth === b.maxDepth &&
      a.maxElements === b.maxElements &&
      a.maxAttributes === b.maxAttributes &&
      a.maxTextChars === b.maxTextChars)
  );
}

/**
 * True when `part` is in `src` at `at` (a slice and one comparison: several times faster than startsWith on the
 * few hundred characters of a request's head).
 */
function textAt(src: string, at: number, part: string): boolean {
  return src.slice(at, at + part.length) === part;
}

/** Sets a header's field from its trimmed text; false for a size or a duration that the tree path faults. */
export function setField(r: WsmanRequest, code: number, value: string): boolean {
  switch (code) {
    case TO:
      r.to = value.slice(0, 2048);
      return true;
    case ACTION:
      r.action = value;
      return true;
    case MESSAGE_ID:
      r.messageId = value;
      return true;
    case RESOURCE_URI:
      r.resourceUri = value;
      return true;
    case IDENTIFIER:
      r.identifier = value.slice(0, 256);
      return true;
    case MAX_ENVELOPE_SIZE: {
      const size = Number(value);
      if (!Number.isSafeInteger(size) || size <= 0) return false;
      r.maxEnvelopeSize = size;
      return true;
    }
    default: {
      const ms = parseDuration(value);
      if (ms === undefined || ms <= 0) return false;
      r.timeoutMs = ms;
      return true;
    }
  }
}

/** A request with nothing set. */
export function emptyRequest(): WsmanRequest {
  return {
    action: undefined,
    messageId: undefined,
    resourceUri: undefined,
    selectors: new Map(),
    options: [],
    maxEnvelopeSize: undefined,
    timeoutMs: undefined,
    countEstimate: false,
    body: undefined,
  };
}

/**
 * Keeps the shape of a request that the plain reader read in full: its text with the leaves' texts cut out. A
 * later request whose text is the same around its leaves' texts is the same document to that reader but for those
 * texts, so {@link readByTemplate} reads it by comparing the parts and taking the texts.
 *
 * @example
 * rememberTemplate(src, limits, leaves, r.countEstimate);
 */
export function rememberTemplate(
  src: string,
  limits: EnvelopeLimits,
  leaves: Leaf[],
  countEstimate: boolean,
): void {
  if (src.length > MAX_TEMPLATE_CHARS) return;
  const parts: string[] = [];
  let at = 0;
  for (const leaf of leaves)
    if (leaf.start >= 0) {
      parts.push(src.slice(at, leaf.start));
      at = leaf.end;
    }
  parts.push(src.slice(at));
  TEMPLATES.unshift({ parts, leaves, countEstimate, limits: { ...limits } });
  if (TEMPLATES.length > MAX_TEMPLATES) TEMPLATES.pop();
}

/**
 * The request of `src` when it has the shape of a remembered one (same text around the leaves' texts, same limits)
 * and its leaves' texts are ones the plain reader accepts; else undefined (the plain reader then reads it in full).
 *
 * @example
 * const r = readByTemplate(src, limits) ?? readInFull(src, limits);
 */
export function readByTemplate(src: string, limits: EnvelopeLimits): WsmanRequest | undefined {
  for (let k = 0; k < TEMPLATES.length; k++) {
    const t = TEMPLATES[k]!;
    if (!sameLimits(t.limits, limits) || !matches(t.parts, src)) continue;
    // The template that matched moves to the front (clients' few shapes stay there; others age out).
    if (k > 0) {
      TEMPLATES.splice(k, 1);
      TEMPLATES.unshift(t);
    }
    return fromTemplate(t, src, limits);
  }
  return undefined;
}

/** Where each leaf's text ends in the request being read (reads run one at a time, to the end). */
const ENDS: number[] = [];

/** True when `src` is `parts` with texts between them (no `<` in those), noting where each text ends. */
function matches(parts: string[], src: string): boolean {
  if (!textAt(src, 0, parts[0]!)) return false;
  let at = parts[0]!.length;
  for (let k = 1; k < parts.length; k++) {
    const end = src.indexOf('<', at);
    const part = parts[k]!;
    if (end < 0 || !textAt(src, end, part)) return false;
    ENDS[k - 1] = end;
    at = end + part.length;
  }
  return at === src.length;
}

/** The request of a text that {@link matches} the template: its texts checked as the full pass checks text. */
function fromTemplate(t: Template, src: string, limits: EnvelopeLimits): WsmanRequest | undefined {
  const { parts, leaves } = t;
  const r = emptyRequest();
  r.countEstimate = t.countEstimate;
  let at = parts[0]!.length;
  let k = 0;
  MESSAGE_ID_TEXT[0] = -1;
  for (const leaf of leaves) {
    let value = '';
    if (leaf.start >= 0) {
      const end = ENDS[k]!;
      const text = src.slice(at, end);
      if (text.length > limits.maxTextChars || BAD_TEXT.test(text)) return undefined;
      value = text.trim();
      if (leaf.field === MESSAGE_ID) {
        MESSAGE_ID_TEXT[0] = at;
        MESSAGE_ID_TEXT[1] = end;
      }
      at = end + parts[++k]!.length;
    }
    if (!apply(r, leaf, value)) return undefined;
  }
  return r;
}

/**
 * Where the MessageID's text was in the request read last by a template or in full (start, end; start -1 when it
 * had none, or an empty element): set by each read, read by the caller at once.
 */
export const MESSAGE_ID_TEXT: [number, number] = [-1, -1];

function apply(r: WsmanRequest, leaf: Leaf, value: string): boolean {
  if (leaf.field >= 0) return setField(r, leaf.field, value);
  if (leaf.option) r.options.push({ name: leaf.name, value, mustComply: leaf.mustComply });
  else r.selectors.set(leaf.name, value);
  return true;
}

/**
 * The request read last from bytes, with where its MessageID's text was: a polling client sends the same bytes
 * again but for that text, and such a request is the same document to this reader but for the MessageID.
 */
let lastBytes:
  | { bytes: Buffer; idStart: number; idEnd: number; limits: EnvelopeLimits; request: WsmanRequest }
  | undefined;

/** A MessageID text the readers take as it is: ASCII without markup, `&`, CR or `]]>` (BAD_TEXT's rule, ASCII). */
const PLAIN_ID = /^[\t\n\u0020-\u0025\u0027-\u003b\u003d-\u007f]*$/;

/**
 * Remembers the bytes of a request just read by a template ({@link MESSAGE_ID_TEXT} says where its MessageID's
 * text is) for {@link readRepeated}; a request without a MessageID's text, or a long one, forgets the last.
 *
 * @example
 * rememberRepeat(body, limits, readByTemplate(src, limits)!);
 */
export function rememberRepeat(body: Uint8Array, limits: EnvelopeLimits, r: WsmanRequest): void {
  const [idStart, idEnd] = MESSAGE_ID_TEXT;
  if (idStart < 0 || body.byteLength > MAX_REPEAT_BYTES) {
    lastBytes = undefined;
    return;
  }
  // Copies: the caller's buffer, limits and request are the caller's to change.
  const request = { ...r, selectors: new Map(r.selectors), options: r.options.map((o) => ({ ...o })) };
  lastBytes = { bytes: Buffer.from(body), idStart, idEnd, limits: { ...limits }, request };
}

/** Longer requests are not remembered for {@link readRepeated} (a Get is 1-2 KiB). */
const MAX_REPEAT_BYTES = 8192;

/**
 * The request of `body` when it is the last request's bytes but for the MessageID's text, and that text is plain
 * ({@link PLAIN_ID}, within maxTextChars): two compares of bytes and the new text, instead of a read of the whole
 * text. Every other field is the last request's (a copy of each).
 */
export function readRepeated(body: Uint8Array, limits: EnvelopeLimits): WsmanRequest | undefined {
  const last = lastBytes;
  if (last === undefined || !sameLimits(last.limits, limits)) return undefined;
  const { bytes, idStart, idEnd } = last;
  const end = body.byteLength - (bytes.length - idEnd);
  if (end < idStart) return undefined;
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (b.compare(bytes, 0, idStart, 0, idStart) !== 0) return undefined;
  if (b.compare(bytes, idEnd, bytes.length, end, b.length) !== 0) return undefined;
  const text = b.toString('latin1', idStart, end);
  if (text.length > limits.maxTextChars || !PLAIN_ID.test(text) || text.includes(']]>')) return undefined;
  const q = last.request;
  return {
    ...q,
    messageId: text.trim(),
    selectors: new Map(q.selectors),
    options: q.options.map((o) => ({ ...o })),
  };
}
