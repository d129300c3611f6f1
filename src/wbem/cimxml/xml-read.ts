import { childElements, getAttr, parseXml, type XmlElement, XmlError } from '../../xml/index.js';
import { CimXmlError } from './errors.js';
import { readPlainXml } from './fast-xml.js';

/** Limits applied to every CIM-XML document read (requests, responses, embedded instances). */
export interface CimXmlReadLimits {
  maxBytes: number;
  maxDepth: number;
}

/** Default limits: 16 MiB, 64 levels (CIM-XML never nests deeper than about 20). */
export const DEFAULT_READ_LIMITS: CimXmlReadLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 64 };

/**
 * Parses CIM-XML text: the plain XML of CIM-XML messages through a fast reader, anything else through the hardened
 * reader of src/xml, which refuses a DOCTYPE, entity declarations, undefined entities, bad UTF-8, oversized or too
 * deeply nested input as `CIMXML_REQUEST_NOT_WELL_FORMED` (or `_NOT_VALID` for a DOCTYPE, which CIM-XML never
 * carries).
 */
export function readCimXml(
  input: string | Uint8Array,
  limits: CimXmlReadLimits = DEFAULT_READ_LIMITS,
): XmlElement {
  const size = typeof input === 'string' ? input.length * 3 : input.byteLength;
  if (size <= limits.maxBytes) {
    const text = typeof input === 'string' ? input : utf8(input);
    const fast = text === undefined ? undefined : readPlainXml(text, limits.maxDepth);
    if (fast) return fast;
  }
  try {
    return parseXml(input, { maxBytes: limits.maxBytes, maxDepth: limits.maxDepth }).root;
  } catch (e) {
    if (e instanceof XmlError) {
      const code = e.code === 'XML_DOCTYPE' ? 'CIMXML_REQUEST_NOT_VALID' : 'CIMXML_REQUEST_NOT_WELL_FORMED';
      throw new CimXmlError(code, e.message, { location: e.location, cause: e });
    }
    throw e;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
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
