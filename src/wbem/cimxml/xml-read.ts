import { isUtf8 } from 'node:buffer';
import {
  childElements,
  getAttr,
  parseXml,
  parseXmlAsync,
  type XmlElement,
  XmlError,
  type XmlParseOptions,
} from '../../xml/index.js';
import { CimXmlError } from './errors.js';
import { MORE, PlainXmlReader, readPlainXml, type XmlShapeLimits } from './fast-xml.js';

/** Limits applied to every CIM-XML document read (requests, responses, embedded instances). */
export interface CimXmlReadLimits {
  maxBytes: number;
  maxDepth: number;
  /** Most elements in the document (default 2,000,000). */
  maxElements?: number | undefined;
  /** Most attributes on one element (default 64; CIM-XML elements carry at most about ten). */
  maxAttributes?: number | undefined;
  /** Longest text of one element, in UTF-16 code units (default: `maxBytes`). */
  maxTextChars?: number | undefined;
}

/** Default limits of documents a client reads: 16 MiB, 64 levels (CIM-XML never nests deeper than about 20). */
export const DEFAULT_READ_LIMITS: CimXmlReadLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 2_000_000,
  maxAttributes: 64,
};

/**
 * Default limits of a request the server reads: 1 MiB, 64 levels, 20,000 elements (a DefineSystem with a hundred
 * embedded RASDs has a few hundred; embedded instances are text and read on their own), 64 attributes on an
 * element, 1 MiB of text in one.
 */
export const DEFAULT_REQUEST_LIMITS = {
  maxBytes: 1 << 20,
  maxDepth: 64,
  maxElements: 20_000,
  maxAttributes: 64,
  maxTextChars: 1 << 20,
} satisfies CimXmlReadLimits;

function shapeOf(limits: CimXmlReadLimits): XmlShapeLimits & XmlParseOptions {
  return {
    maxBytes: limits.maxBytes,
    maxDepth: limits.maxDepth,
    maxElements: limits.maxElements ?? 2_000_000,
    maxAttributes: limits.maxAttributes ?? 64,
    maxTextChars: limits.maxTextChars ?? limits.maxBytes,
  };
}

/**
 * Parses CIM-XML text: the plain XML of CIM-XML messages through a fast reader, anything else through the hardened
 * reader of src/xml, which refuses a DOCTYPE, entity declarations, undefined entities and bad UTF-8 as
 * `CIMXML_REQUEST_NOT_WELL_FORMED` (or `_NOT_VALID` for a DOCTYPE, which CIM-XML never carries). A document over
 * a limit (size, depth, elements, attributes, text) is `CIMXML_TOO_LARGE`. Both readers take time linear in the
 * input.
 */
export function readCimXml(
  input: string | Uint8Array,
  limits: CimXmlReadLimits = DEFAULT_READ_LIMITS,
): XmlElement {
  const shape = shapeOf(limits);
  const size = typeof input === 'string' ? input.length * 3 : input.byteLength;
  if (size <= limits.maxBytes) {
    const text = typeof input === 'string' ? input : utf8(input);
    const fast = text === undefined ? undefined : readPlainXml(text, shape);
    if (fast) return fast;
  }
  try {
    return parseXml(input, shape).root;
  } catch (e) {
    throw fromXmlError(e);
  }
}

/**
 * {@link readCimXml} in slices of about `sliceMs` (default 4 ms) with the event loop given back between them: what
 * the server reads request bodies with, so that a large or hostile body never holds up other clients.
 *
 * @example
 * const root = await readCimXmlAsync(body, DEFAULT_REQUEST_LIMITS);
 */
export async function readCimXmlAsync(
  input: string | Uint8Array,
  limits: CimXmlReadLimits = DEFAULT_REQUEST_LIMITS,
  sliceMs = 4,
): Promise<XmlElement> {
  const shape = shapeOf(limits);
  const size = typeof input === 'string' ? input.length * 3 : input.byteLength;
  if (size <= limits.maxBytes) {
    const text = typeof input === 'string' ? input : utf8(input);
    if (text !== undefined) {
      const reader = new PlainXmlReader(text, shape);
      let r = reader.run(performance.now() + sliceMs);
      while (r === MORE) {
        await yieldToLoop();
        r = reader.run(performance.now() + sliceMs);
      }
      if (r) return r;
    }
  }
  try {
    return (await parseXmlAsync(input, { ...shape, sliceMs })).root;
  } catch (e) {
    throw fromXmlError(e);
  }
}

function fromXmlError(e: unknown): unknown {
  if (!(e instanceof XmlError)) return e;
  const code =
    e.code === 'XML_DOCTYPE'
      ? 'CIMXML_REQUEST_NOT_VALID'
      : e.code === 'XML_TOO_LARGE' || e.code === 'XML_TOO_DEEP'
        ? 'CIMXML_TOO_LARGE'
        : 'CIMXML_REQUEST_NOT_WELL_FORMED';
  return new CimXmlError(code, e.message, { location: e.location, cause: e });
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The bytes as text when they are UTF-8 (checked with simdutf, then decoded natively), else undefined. */
function utf8(bytes: Uint8Array): string | undefined {
  if (!isUtf8(bytes)) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Throws `CIMXML_REQUEST_NOT_VALID` pointing at an element. */
export function invalid(el: XmlElement | undefined, message: string): never {
  throw new CimXmlError('CIMXML_REQUEST_NOT_VALID', message, {
    location: el ? { line: el.line, column: el.column } : undefined,
  });
}

/** The element children (CIM-XML elements have no namespace). */
export function kids(el: XmlElement): XmlElement[] {
  return childElements(el);
}

/** The single child element, or an error naming what was expected. */
export function onlyChild(el: XmlElement, what: string): XmlElement {
  const c = kids(el);
  if (c.length !== 1) invalid(el, `<${el.local}> must contain exactly one ${what}, found ${c.length}`);
  return c[0]!;
}

/** A required attribute. */
export function attr(el: XmlElement, name: string): string {
  const v = getAttr(el, '', name);
  if (v === undefined) invalid(el, `<${el.local}> has no ${name} attribute`);
  return v;
}

/** An optional attribute. */
export function optAttr(el: XmlElement, name: string): string | undefined {
  return getAttr(el, '', name);
}

/** Asserts an element's name. */
export function expectName(el: XmlElement, ...names: string[]): void {
  if (!names.includes(el.local) || el.ns !== '')
    invalid(el, `Expected <${names.join('> or <')}>, found <${el.local}>`);
}

/** The character content of a leaf element (VALUE, KEYVALUE, HOST). */
export function leafText(el: XmlElement): string {
  let s = '';
  for (const c of el.children) {
    if (c.type === 'text') s += c.value;
    else if (c.type === 'element') invalid(c, `<${el.local}> cannot contain <${c.local}>`);
  }
  return s;
}
