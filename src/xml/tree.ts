/**
 * A small namespace-aware XML tree that keeps everything a round trip needs: prefixes, namespace declarations
 * where they were written, attribute order, comments, text, and the 1-based line and column of each element.
 */

/** An element. `ns` is the namespace URI ('' for none); names are matched by URI, never by prefix. */
export interface XmlElement {
  readonly type: 'element';
  ns: string;
  local: string;
  /** The prefix it was written with ('' for the default namespace); a hint for the writer only. */
  prefix: string;
  attrs: XmlAttribute[];
  /** Namespace declarations written on this element, in order: [prefix ('' = default), uri]. */
  nsDecls: Array<[string, string]>;
  children: XmlNode[];
  line?: number | undefined;
  column?: number | undefined;
}

/** An attribute. `ns` is '' for unqualified attributes. */
export interface XmlAttribute {
  ns: string;
  local: string;
  prefix: string;
  value: string;
}

/** Character data (text and CDATA are both kept as text). */
export interface XmlText {
  readonly type: 'text';
  value: string;
}

/** A comment, kept so that a round trip does not lose it. */
export interface XmlComment {
  readonly type: 'comment';
  value: string;
}

/** A processing instruction inside the document element. */
export interface XmlPi {
  readonly type: 'pi';
  target: string;
  body: string;
}

/** Any node of the tree. */
export type XmlNode = XmlElement | XmlText | XmlComment | XmlPi;

/** Well-known namespace URIs of the XML specification itself. */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** Creates an element; `prefix` is only a preference for the writer. */
export function element(ns: string, local: string, prefix = '', children: XmlNode[] = []): XmlElement {
  return { type: 'element', ns, local, prefix, attrs: [], nsDecls: [], children };
}

/** Creates a text node. */
export function text(value: string): XmlText {
  return { type: 'text', value };
}

/** The child elements of `el`, optionally only those with the given namespace and local name. */
export function childElements(el: XmlElement, ns?: string, local?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.type !== 'element') continue;
    if (ns !== undefined && c.ns !== ns) continue;
    if (local !== undefined && c.local !== local) continue;
    out.push(c);
  }
  return out;
}

/** The first child element with that namespace and local name, or undefined. */
export function firstChild(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.type === 'element' && c.ns === ns && c.local === local) return c;
  return undefined;
}

/** The concatenated text content of an element and its descendants. */
export function textContent(el: XmlElement): string {
  let s = '';
  for (const c of el.children) {
    if (c.type === 'text') s += c.value;
    else if (c.type === 'element') s += textContent(c);
  }
  return s;
}

/** The value of an attribute by namespace URI and local name, or undefined. */
export function getAttr(el: XmlElement, ns: string, local: string): string | undefined {
  for (const a of el.attrs) if (a.ns === ns && a.local === local) return a.value;
  return undefined;
}

/** Sets (or, with `undefined`, removes) an attribute, keeping its position when it exists. */
export function setAttr(
  el: XmlElement,
  ns: string,
  local: string,
  value: string | undefined,
  prefix = '',
): void {
  const i = el.attrs.findIndex((a) => a.ns === ns && a.local === local);
  if (value === undefined) {
    if (i >= 0) el.attrs.splice(i, 1);
    return;
  }
  const existing = i >= 0 ? el.attrs[i] : undefined;
  if (existing) existing.value = value;
  else el.attrs.push({ ns, local, prefix, value });
}

/** A deep copy of a node. */
export function cloneNode<T extends XmlNode>(node: T): T {
  return structuredClone(node);
}
