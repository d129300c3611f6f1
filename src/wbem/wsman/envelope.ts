import { isUtf8 } from 'node:buffer';
import {
  childElements,
  firstChild,
  getAttr,
  parseXmlAsync,
  textContent,
  type XmlElement,
  XmlError,
} from '../../xml/index.js';
import { CimXmlError } from '../cimxml/errors.js';
import { FAULT_DETAIL, WsmanFault } from './errors.js';
import { readPlainEnvelope } from './fast-read.js';
import { NS } from './names.js';
import { readPlainRequest } from './plain-request.js';
import type { EnvelopeLimits, WsmanRequest } from './request.js';
import { FAST_BYTES, parseDuration } from './request.js';
import { emptyRequest } from './request-template.js';

export type { EnvelopeLimits, WsmanOption, WsmanRequest } from './request.js';
export { parseDuration } from './request.js';

/** Most selectors in a SelectorSet (CIM classes have a handful of keys). */
const MAX_SELECTORS = 64;

/**
 * True when an element carries mustUnderstand="true"/"1", in the SOAP namespace or, as pywinrm writes it,
 * without a prefix.
 */
function mustUnderstand(el: XmlElement): boolean {
  const v = getAttr(el, NS.soap, 'mustUnderstand') ?? getAttr(el, '', 'mustUnderstand');
  return v === 'true' || v === '1';
}

/** The bytes as text when they are UTF-8, else undefined (the hardened reader then reports the error). */
function utf8(bytes: Uint8Array): string | undefined {
  if (!isUtf8(bytes)) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function readXml(e: unknown): never {
  if (e instanceof CimXmlError && e.code === 'CIMXML_TOO_LARGE')
    throw new WsmanFault('WSMAN_ENCODING_LIMIT', `The request is not accepted: ${e.message}`, { cause: e });
  if (e instanceof XmlError) {
    const code =
      e.code === 'XML_TOO_LARGE' || e.code === 'XML_TOO_DEEP'
        ? 'WSMAN_ENCODING_LIMIT'
        : 'WSMAN_SCHEMA_VALIDATION';
    throw new WsmanFault(code, `The request is not accepted: ${e.message}`, { cause: e });
  }
  throw e;
}

/**
 * Reads a SOAP 1.2 envelope with the hardened reader of src/xml (no DOCTYPE, no entities, size, depth, element,
 * attribute and text caps, linear time, in slices that give the event loop back) and decodes its WS-Addressing and
 * WS-Man headers (DSP0226 §5–6). Headers marked mustUnderstand that the server does not know are faulted
 * (s:MustUnderstand), FragmentTransfer among them; Locale, DataLocale and other headers without mustUnderstand are
 * ignored; the wsa:To address is not compared with the server's (clients name another host, pywinrm a fixed one).
 *
 * @example
 * const r = await readEnvelope(body, limits);
 * r.action; // 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get'
 */
export function readEnvelope(body: Uint8Array | string, limits: EnvelopeLimits): Promise<WsmanRequest> {
  // A Get's or a Delete's envelope straight into the request (no tree); anything else through the tree path. Not
  // an async function: one promise fewer per request (readPlainRequest does not throw).
  const r = readPlainRequest(body, limits);
  return r !== undefined ? Promise.resolve(r) : readEnvelopeTree(body, limits);
}

/**
 * readEnvelope's general path: the envelope read into a tree (the fast readers, else the hardened one), then its
 * headers decoded from the tree. It decides, and reports the faults, for every envelope that readPlainRequest
 * leaves.
 *
 * @example
 * const r = await readEnvelopeTree(body, limits);
 */
export async function readEnvelopeTree(
  body: Uint8Array | string,
  limits: EnvelopeLimits,
): Promise<WsmanRequest> {
  let root: XmlElement | undefined;
  try {
    // Small plain envelopes (every client's) through the fast reader; anything else through saxes.
    const size = typeof body === 'string' ? body.length * 3 : body.byteLength;
    if (size <= FAST_BYTES && size <= limits.maxBytes) {
      const text = typeof body === 'string' ? body : utf8(body);
      if (text !== undefined) root = readPlainEnvelope(text, limits);
    }
    root ??= (await parseXmlAsync(body, { ...limits, keepWhitespace: false })).root;
  } catch (e) {
    readXml(e);
  }
  if (root.local !== 'Envelope' || root.ns !== NS.soap)
    throw new WsmanFault(
      'WSMAN_VERSION_MISMATCH',
      `The request is not a SOAP 1.2 envelope: <${root.local}> in namespace "${root.ns}"`,
    );
  const parts = childElements(root);
  const header = parts.find((p) => p.ns === NS.soap && p.local === 'Header');
  const bodyEl = parts.find((p) => p.ns === NS.soap && p.local === 'Body');
  if (!bodyEl) throw new WsmanFault('WSMAN_SCHEMA_VALIDATION', 'The envelope has no SOAP Body');
  const r = emptyRequest();
  r.body = childElements(bodyEl)[0];
  if (header) for (const h of header.children) if (h.type === 'element') readHeader(h, r);
  return r;
}

/** A header's trimmed text. */
const text = (h: XmlElement): string => textContent(h).trim();

/** What a header sets on the request. */
type HeaderReader = (h: XmlElement, r: WsmanRequest) => void;

/** A header the server understands and has nothing to read from (ReplyTo, Locale, ...). */
const understood: HeaderReader = () => undefined;

/**
 * The headers this server understands, by namespace and local name, with what each sets on the request: a
 * mustUnderstand header outside this table is faulted. Two small lookups per header, the namespace's string being
 * the same for every header of a request.
 */
const HEADERS: ReadonlyMap<string, ReadonlyMap<string, HeaderReader>> = new Map([
  [
    NS.wsa,
    new Map<string, HeaderReader>([
      [
        'To',
        (h, r) => {
          r.to = text(h).slice(0, 2048);
        },
      ],
      [
        'Action',
        (h, r) => {
          r.action = text(h);
        },
      ],
      [
        'MessageID',
        (h, r) => {
          r.messageId = text(h);
        },
      ],
      ['ReplyTo', understood],
      ['FaultTo', understood],
      ['From', understood],
    ]),
  ],
  [
    NS.wsman,
    new Map<string, HeaderReader>([
      [
        'ResourceURI',
        (h, r) => {
          r.resourceUri = text(h);
        },
      ],
      ['SelectorSet', (h, r) => readSelectors(h, r.selectors)],
      ['OptionSet', readOptions],
      ['MaxEnvelopeSize', readMaxEnvelopeSize],
      ['OperationTimeout', readOperationTimeout],
      ['Locale', understood],
      [
        'RequestTotalItemsCountEstimate',
        (_h, r) => {
          r.countEstimate = true;
        },
      ],
    ]),
  ],
  [
    NS.msWsman,
    new Map<string, HeaderReader>([
      ['DataLocale', understood],
      ['SessionId', understood],
      ['OperationID', understood],
      ['SequenceId', understood],
    ]),
  ],
  [
    NS.wse,
    new Map<string, HeaderReader>([
      [
        'Identifier',
        (h, r) => {
          r.identifier = text(h).slice(0, 256);
        },
      ],
    ]),
  ],
]);

function readOptions(h: XmlElement, r: WsmanRequest): void {
  for (const o of childElements(h, NS.wsman, 'Option')) {
    const mc = getAttr(o, '', 'MustComply');
    r.options.push({
      name: getAttr(o, '', 'Name') ?? '',
      value: textContent(o).trim(),
      mustComply: mc === 'true' || mc === '1',
    });
  }
}

function readMaxEnvelopeSize(h: XmlElement, r: WsmanRequest): void {
  const n = Number(text(h));
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new WsmanFault('WSMAN_INVALID_HEADER', `MaxEnvelopeSize "${text(h).slice(0, 32)}" is not a size`);
  r.maxEnvelopeSize = n;
}

function readOperationTimeout(h: XmlElement, r: WsmanRequest): void {
  const ms = parseDuration(text(h));
  if (ms === undefined || ms <= 0)
    throw new WsmanFault(
      'WSMAN_INVALID_HEADER',
      `OperationTimeout "${text(h).slice(0, 32)}" is not a duration`,
    );
  r.timeoutMs = ms;
}

function readHeader(h: XmlElement, r: WsmanRequest): void {
  const reader = HEADERS.get(h.ns)?.get(h.local);
  if (reader !== undefined) {
    reader(h, r);
    return;
  }
  if (!mustUnderstand(h)) return;
  const feature = h.ns === NS.wsman && h.local === 'FragmentTransfer';
  throw new WsmanFault(
    feature ? 'WSMAN_UNSUPPORTED_FEATURE' : 'WSMAN_MUST_UNDERSTAND',
    `The header <${h.local}> (${h.ns}) is marked mustUnderstand and this server does not understand it`,
    feature ? { detail: FAULT_DETAIL.fragmentLevelAccess } : {},
  );
}

/** True when `map` has `name` as a key, whatever its case. */
function hasName(map: Map<string, unknown>, name: string): boolean {
  const lower = name.toLowerCase();
  for (const k of map.keys()) if (k.toLowerCase() === lower) return true;
  return false;
}

/**
 * Reads a wsman:SelectorSet into `into`; duplicate names are faulted (DSP0226 §7.4: DuplicateSelectors).
 *
 * @example
 * const selectors = new Map(); readSelectors(selectorSetElement, selectors);
 */
export function readSelectors(set: XmlElement, into: Map<string, string | XmlElement>): void {
  const list = childElements(set, NS.wsman, 'Selector');
  if (list.length > MAX_SELECTORS)
    throw new WsmanFault('WSMAN_INVALID_SELECTORS', `More than ${MAX_SELECTORS} selectors`, {
      detail: FAULT_DETAIL.unexpectedSelectors,
    });
  for (const s of list) {
    const name = getAttr(s, '', 'Name');
    if (!name)
      throw new WsmanFault('WSMAN_INVALID_SELECTORS', 'A selector has no Name', {
        detail: FAULT_DETAIL.invalidValue,
      });
    if (hasName(into, name))
      throw new WsmanFault('WSMAN_INVALID_SELECTORS', `Selector "${name.slice(0, 64)}" is given twice`, {
        detail: FAULT_DETAIL.duplicateSelectors,
      });
    const epr = firstChild(s, NS.wsa, 'EndpointReference');
    into.set(name, epr ?? textContent(s).trim());
  }
}
