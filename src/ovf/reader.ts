import { type XmlAttribute, type XmlElement, XSI_NS } from '../xml/index.js';
import type { Extensible, OvfMsg } from './types.js';

/**
 * Reads one element for the OVF parser: each attribute or child it asks for is marked as understood, and
 * {@link ElementReader.rest} returns everything else, so nothing the model does not name is lost.
 */
export class ElementReader {
  private readonly usedAttrs = new Set<XmlAttribute>();
  private readonly usedChildren = new Set<XmlElement>();

  constructor(
    readonly el: XmlElement,
    /** The envelope namespace: OVF attributes and elements live in it. */
    readonly ns: string,
  ) {}

  /** An OVF attribute (`ovf:NAME`); an unqualified attribute of the same name is accepted too. */
  attr(local: string): string | undefined {
    let fallback: XmlAttribute | undefined;
    for (const a of this.el.attrs) {
      if (a.local !== local) continue;
      if (a.ns === this.ns) {
        this.usedAttrs.add(a);
        return a.value;
      }
      if (a.ns === '') fallback = a;
    }
    if (fallback) {
      this.usedAttrs.add(fallback);
      return fallback.value;
    }
    return undefined;
  }

  /** An attribute in another namespace (such as `xml:lang` or `xsi:type`). */
  nsAttr(ns: string, local: string): string | undefined {
    for (const a of this.el.attrs) {
      if (a.ns === ns && a.local === local) {
        this.usedAttrs.add(a);
        return a.value;
      }
    }
    return undefined;
  }

  /** The first child element in the OVF namespace with that local name. */
  child(local: string): XmlElement | undefined {
    for (const c of this.el.children) {
      if (c.type === 'element' && c.ns === this.ns && c.local === local && !this.usedChildren.has(c)) {
        this.usedChildren.add(c);
        return c;
      }
    }
    return undefined;
  }

  /** Every child element in the OVF namespace with that local name. */
  children(local: string): XmlElement[] {
    const out: XmlElement[] = [];
    for (const c of this.el.children) {
      if (c.type === 'element' && c.ns === this.ns && c.local === local) {
        this.usedChildren.add(c);
        out.push(c);
      }
    }
    return out;
  }

  /** Marks a child as understood. */
  use(child: XmlElement): void {
    this.usedChildren.add(child);
  }

  /** The child elements not yet marked, in order. */
  unusedChildren(): XmlElement[] {
    const out: XmlElement[] = [];
    for (const c of this.el.children) if (c.type === 'element' && !this.usedChildren.has(c)) out.push(c);
    return out;
  }

  /** A localizable message child (`Info`, `Description`, ...), or undefined when absent. */
  msg(local: string): OvfMsg | undefined {
    const c = this.child(local);
    return c ? readMsg(c, this.ns) : undefined;
  }

  /** What the model did not take: unknown attributes and child elements, plus the element's position. */
  rest(): Extensible {
    return {
      attrs: this.el.attrs.filter((a) => !this.usedAttrs.has(a) && !(a.ns === XSI_NS && a.local === 'type')),
      extra: this.unusedChildren(),
      line: this.el.line,
      column: this.el.column,
    };
  }
}

/** Reads a Msg_Type element: its text and optional `ovf:msgid`. */
export function readMsg(el: XmlElement, ns: string): OvfMsg {
  let text = '';
  for (const c of el.children) if (c.type === 'text') text += c.value;
  const msgid = el.attrs.find((a) => a.local === 'msgid' && (a.ns === ns || a.ns === ''))?.value;
  return msgid === undefined ? { text } : { text, msgid };
}
