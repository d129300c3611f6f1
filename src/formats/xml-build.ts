import { element, text, type XmlElement, type XmlNode } from '../xml/index.js';

/**
 * Terse construction of XML trees for the writers: `el('disk', { type: 'file' }, [el('source', { file })])`.
 * Attributes whose value is undefined are left out, in the order given.
 */
export function el(
  name: string,
  attrs: Record<string, string | number | undefined> = {},
  children: Array<XmlNode | string | undefined> = [],
  ns = '',
  prefix = '',
): XmlElement {
  const e = element(ns, name, prefix);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined) e.attrs.push({ ns: '', local: k, prefix: '', value: String(v) });
  }
  for (const c of children) {
    if (c === undefined) continue;
    e.children.push(typeof c === 'string' ? text(c) : c);
  }
  return e;
}

/** The first child element with a local name (any namespace), or undefined. */
export function child(parent: XmlElement, local: string): XmlElement | undefined {
  for (const c of parent.children) if (c.type === 'element' && c.local === local) return c;
  return undefined;
}

/** The child elements with a local name (any namespace). */
export function children(parent: XmlElement, local?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of parent.children)
    if (c.type === 'element' && (local === undefined || c.local === local)) out.push(c);
  return out;
}

/** An unqualified attribute's value, or undefined. */
export function attr(e: XmlElement | undefined, name: string): string | undefined {
  if (!e) return undefined;
  for (const a of e.attrs) if (a.ns === '' && a.local === name) return a.value;
  return undefined;
}
