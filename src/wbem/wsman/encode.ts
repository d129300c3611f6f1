import { randomUUID } from 'node:crypto';
import {
  type CimInstance,
  type CimInstanceName,
  type CimPropertyDecl,
  type CimScalar,
  type CimType,
  type CimValue,
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
  let s = headOf(t, inst.className, o);
  for (const p of t.props) {
    if (o.filter && !o.filter(p.name)) continue;
    const v = inst.properties[p.name];
    if (v === undefined) s += p.nil;
    else if (Array.isArray(v)) for (const x of v) s += p.open + scalarXml(p.type, x, o, depth) + p.close;
    else s += p.open + scalarXml(p.type, v, o, depth) + p.close;
  }
  return `${s}</p:${inst.className}>`;
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
 * res.end(envelope(`${ACTION.get}Response`, req.messageId, instanceXml(inst, o)));
 */
export function envelope(action: string, relatesTo: string | undefined, body: string, headers = ''): string {
  const rel = relatesTo === undefined ? '' : `<wsa:RelatesTo>${xmlText(relatesTo)}</wsa:RelatesTo>`;
  return `${ENVELOPE_HEAD}${xmlText(action)}</wsa:Action><wsa:MessageID>uuid:${randomUUID()}</wsa:MessageID>${rel}${headers}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

/** What every answer begins with, up to the text of wsa:Action: built once. */
const ENVELOPE_HEAD =
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns:wsman="${NS.wsman}" xmlns:wsen="${NS.wsen}" xmlns:wse="${NS.wse}" xmlns:xsi="${NS.xsi}" xmlns:cim="${NS.cim}">` +
  `<s:Header><wsa:To>${ANONYMOUS}</wsa:To><wsa:Action>`;
