import { randomUUID } from 'node:crypto';
import {
  type CimInstance,
  type CimInstanceName,
  type CimPropertyDecl,
  type CimScalar,
  type CimType,
  type CimValue,
  isFrozenSet,
  isInstance,
  isInstanceName,
} from '../../cim/index.js';
import { xmlAttr, xmlText } from '../cimxml/escape.js';
import { ANONYMOUS, CIM_SCHEMA_URI, NS, WMI_URI } from './names.js';
import { NAMESPACE_SELECTOR } from './resource.js';

/** Finds a class declaration by name (in the namespace of the answer, then any). */
export type WsmanClassLookup = (className: string) => { properties: CimPropertyDecl[] } | undefined;

/** How resource URIs of answers are written: the DMTF form, or Microsoft's WMI form of the request. */
export type UriStyle = 'dmtf' | 'wmi';

/**
 * The resource URI of a class (DSP0227 §7.2), in the style the client used.
 *
 * @example
 * classUri('CIM_ComputerSystem', 'root/virtualization', 'dmtf'); // 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem'
 */
export function classUri(className: string, namespace: string, style: UriStyle): string {
  return style === 'wmi' ? `${WMI_URI}${namespace}/${className}` : `${CIM_SCHEMA_URI}${className}`;
}

/**
 * The URI style of a request's resource URI.
 *
 * @example
 * uriStyle('http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/*'); // 'wmi'
 */
export function uriStyle(uri: string): UriStyle {
  return uri.startsWith(WMI_URI) ? 'wmi' : 'dmtf';
}

/**
 * The content of an endpoint reference to an instance (DSP0227 §7.5): the anonymous address and reference
 * parameters with the class URI and a SelectorSet of `__cimnamespace` and the keys (reference keys nested).
 *
 * @example
 * `<wsa:EndpointReference>${eprXml(inst.path!, 'root/virtualization', 'dmtf')}</wsa:EndpointReference>`
 */
export function eprXml(name: CimInstanceName, defaultNs: string, style: UriStyle): string {
  const ns = name.namespace ?? defaultNs;
  let s = `<wsa:Address>${ANONYMOUS}</wsa:Address><wsa:ReferenceParameters><wsman:ResourceURI>${xmlText(classUri(name.className, ns, style))}</wsman:ResourceURI><wsman:SelectorSet>`;
  s += `<wsman:Selector Name="${NAMESPACE_SELECTOR}">${xmlText(ns)}</wsman:Selector>`;
  for (const [k, v] of Object.entries(name.keys)) {
    s += `<wsman:Selector Name="${xmlAttr(k)}">`;
    s +=
      typeof v === 'string'
        ? xmlText(v)
        : `<wsa:EndpointReference>${eprXml(v, ns, style)}</wsa:EndpointReference>`;
    s += '</wsman:Selector>';
  }
  return `${s}</wsman:SelectorSet></wsa:ReferenceParameters>`;
}

/** Options of {@link instanceXml}. */
export interface InstanceXmlOptions {
  lookup: WsmanClassLookup;
  namespace: string;
  style: UriStyle;
  /** Keep a property? Absent = all. */
  filter?: ((name: string) => boolean) | undefined;
}

/**
 * An instance as the element of its class (DSP0230 §6–7): `<p:Class xmlns:p="<class URI>">` with one element per
 * property in declaration order, arrays as repeated elements, NULL as `xsi:nil`, references as EPRs, datetimes
 * as `cim:Datetime`, embedded instances as the nested element of their class.
 *
 * @example
 * instanceXml(inst, { lookup, namespace: 'root/virtualization', style: 'dmtf' });
 */
export function instanceXml(inst: CimInstance, o: InstanceXmlOptions, depth = 0): string {
  const cls = o.lookup(inst.className);
  if (cls === undefined) {
    // No declaration (a client's instance): its own properties, as strings, in its order.
    const uri = classUri(inst.className, o.namespace, o.style);
    let s = `<p:${inst.className} xmlns:p="${xmlAttr(uri)}">`;
    for (const name of Object.keys(inst.properties)) {
      if (o.filter && !o.filter(name)) continue;
      s += propertyXml(name, 'string', inst.properties[name], o, depth);
    }
    return `${s}</p:${inst.className}>`;
  }
  const t = templateOf(cls.properties);
  const head = headOf(t, inst.className, o);
  const keep = o.filter === undefined && isFrozenSet(inst.properties);
  if (keep) {
    const kept = encoded.get(inst.properties);
    if (kept !== undefined && kept.props === t.props && kept.head === head) return kept.xml;
  }
  let s = head;
  let textOnly = true;
  for (const p of t.props) {
    if (o.filter && !o.filter(p.name)) continue;
    const v = inst.properties[p.name];
    if (v === undefined) s += p.nil;
    else if (Array.isArray(v))
      for (const x of v) {
        if (typeof x !== 'string') textOnly = false;
        s += p.open + scalarXml(p.type, x, o, depth) + p.close;
      }
    else {
      if (typeof v !== 'string') textOnly = false;
      s += p.open + scalarXml(p.type, v, o, depth) + p.close;
    }
  }
  s += `</p:${inst.className}>`;
  // Kept flat: the answer that embeds it is then a few long pieces, not hundreds of short ones to copy together.
  if (keep && textOnly) encoded.set(inst.properties, { props: t.props, head, xml: flat(s) });
  return s;
}

/**
 * What a frozen property set of text values encoded to ({@link isFrozenSet}: it cannot change), with the class's
 * tags and the opening tag (class, URI style, namespace) it was written with: a monitor polling a system's state
 * gets the same set while nothing changed, and its instance is written once.
 */
const encoded = new WeakMap<object, KeptEncoding>();

/** A kept encoding: the tags and opening tag it was written with, the text, and its UTF-8 bytes once asked for. */
interface KeptEncoding {
  props: PropertyTags[];
  head: string;
  xml: string;
  bytes?: Buffer | undefined;
}

/**
 * {@link instanceXml} as an answer's body: the kept UTF-8 bytes when the instance's encoding is kept (a frozen set
 * of text values), else the text.
 *
 * @example
 * envelopeBytes(`${ACTION.get}Response`, req.messageId, instanceBody(inst, o));
 */
export function instanceBody(inst: CimInstance, o: InstanceXmlOptions): string | Buffer {
  const xml = instanceXml(inst, o);
  const kept = encoded.get(inst.properties);
  if (kept === undefined || kept.xml !== xml) return xml;
  kept.bytes ??= Buffer.from(xml);
  return kept.bytes;
}

/**
 * The string as one flat run of characters: V8 keeps `a + b` as a pair (a rope) until something needs it flat, and
 * a rope of many pieces costs a walk each time it is written. Reading it as a number flattens it in place.
 */
function flat(s: string): string {
  Number(s);
  return s;
}

/** The tags of one property, written once per class declaration: `<p:Name>`, `</p:Name>` and the NULL form. */
interface PropertyTags {
  name: string;
  type: CimType;
  open: string;
  close: string;
  nil: string;
}

/** A class's prebuilt tags: its properties in declaration order, its opening tags by class, URI style and namespace. */
interface ClassTemplate {
  props: PropertyTags[];
  heads: Map<string, string>;
  /** The opening tag given last, with what it was built from. */
  last?: { className: string; namespace: string; style: UriStyle; head: string } | undefined;
}

/** Templates by the declaration list of a class (the repository's own array, the same while the class stands). */
const templates = new WeakMap<readonly CimPropertyDecl[], ClassTemplate>();

/** Most opening tags kept per class (class spellings, URI styles and namespaces seen); beyond, they are rebuilt. */
const MAX_HEADS = 64;

function templateOf(decls: readonly CimPropertyDecl[]): ClassTemplate {
  let t = templates.get(decls);
  if (t === undefined) {
    t = {
      props: decls.map((d) => ({
        name: d.name,
        type: d.type,
        open: `<p:${d.name}>`,
        close: `</p:${d.name}>`,
        nil: `<p:${d.name} xsi:nil="true"/>`,
      })),
      heads: new Map(),
    };
    templates.set(decls, t);
  }
  return t;
}

/** `<p:Class xmlns:p="<class URI>">` for the class as the instance spells it, built once per style and namespace. */
function headOf(t: ClassTemplate, className: string, o: InstanceXmlOptions): string {
  // The last one asked for again (most answers are of one class, style and namespace): no key to build and hash.
  const last = t.last;
  if (
    last !== undefined &&
    last.className === className &&
    last.namespace === o.namespace &&
    last.style === o.style
  )
    return last.head;
  const key = `${o.style} ${o.namespace} ${className}`;
  let head = t.heads.get(key);
  if (head === undefined) {
    if (t.heads.size >= MAX_HEADS) t.heads.clear();
    head = `<p:${className} xmlns:p="${xmlAttr(classUri(className, o.namespace, o.style))}">`;
    t.heads.set(key, head);
  }
  t.last = { className, namespace: o.namespace, style: o.style, head };
  return head;
}

/**
 * One property or parameter as `p:Name` elements (repeated for arrays, `xsi:nil` for NULL).
 *
 * @example
 * propertyXml('OperationalStatus', 'uint16', ['2', '10'], o); // '<p:OperationalStatus>2</p:OperationalStatus><p:OperationalStatus>10</p:OperationalStatus>'
 */
export function propertyXml(
  name: string,
  type: CimType,
  v: CimValue | undefined,
  o: InstanceXmlOptions,
  depth = 0,
): string {
  if (v === undefined) return `<p:${name} xsi:nil="true"/>`;
  const list = Array.isArray(v) ? v : [v];
  let s = '';
  for (const x of list) s += `<p:${name}>${scalarXml(type, x, o, depth)}</p:${name}>`;
  return s;
}

function scalarXml(type: CimType, v: CimScalar, o: InstanceXmlOptions, depth: number): string {
  if (typeof v === 'string')
    return type === 'datetime' ? `<cim:Datetime>${xmlText(v)}</cim:Datetime>` : xmlText(v);
  if (isInstance(v)) return depth > 8 ? '' : instanceXml(v, o, depth + 1);
  if (isInstanceName(v)) return eprXml(v, o.namespace, o.style);
  return '';
}

/**
 * Response headers (WS-Addressing 2004/08): anonymous To, the action, a new MessageID, RelatesTo the request.
 *
 * @example
 * faultEnvelope = envelope(`${NS.wsa}/fault`, req.messageId, faultBody);
 */
export function envelope(action: string, relatesTo: string | undefined, body: string, headers = ''): string {
  return `${ENVELOPE_HEAD}${headerTail(action, relatesTo, headers)}${body}${ENVELOPE_TAIL}`;
}

/**
 * {@link envelope} as the UTF-8 bytes sent: a body kept as bytes ({@link instanceBody}) is copied in as it is, not
 * written out from text again.
 *
 * @example
 * res.end(envelopeBytes(`${ACTION.get}Response`, req.messageId, instanceBody(inst, o)));
 */
export function envelopeBytes(
  action: string,
  relatesTo: string | undefined,
  body: string | Buffer,
  headers = '',
): Buffer {
  const middle = headerTail(action, relatesTo, headers);
  if (typeof body === 'string') return Buffer.from(`${ENVELOPE_HEAD}${middle}${body}${ENVELOPE_TAIL}`);
  return Buffer.concat([ENVELOPE_HEAD_BYTES, Buffer.from(middle), body, ENVELOPE_TAIL_BYTES]);
}

/** The headers after wsa:Action's opening tag, up to the body's opening tag. */
function headerTail(action: string, relatesTo: string | undefined, headers: string): string {
  const rel = relatesTo === undefined ? '' : `<wsa:RelatesTo>${xmlText(relatesTo)}</wsa:RelatesTo>`;
  return `${xmlText(action)}</wsa:Action><wsa:MessageID>uuid:${randomUUID()}</wsa:MessageID>${rel}${headers}</s:Header><s:Body>`;
}

/** What every answer begins with, up to the text of wsa:Action: built once. */
const ENVELOPE_HEAD =
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns:wsman="${NS.wsman}" xmlns:wsen="${NS.wsen}" xmlns:wse="${NS.wse}" xmlns:xsi="${NS.xsi}" xmlns:cim="${NS.cim}">` +
  `<s:Header><wsa:To>${ANONYMOUS}</wsa:To><wsa:Action>`;
const ENVELOPE_TAIL = '</s:Body></s:Envelope>';
const ENVELOPE_HEAD_BYTES = Buffer.from(ENVELOPE_HEAD);
const ENVELOPE_TAIL_BYTES = Buffer.from(ENVELOPE_TAIL);
