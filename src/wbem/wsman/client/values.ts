import type { CimInstance, CimInstanceName, CimScalar, CimValue } from '../../../cim/index.js';
import { childElements, getAttr, textContent, type XmlElement } from '../../../xml/index.js';
import { CimXmlError } from '../../cimxml/errors.js';
import { readSelectors } from '../envelope.js';
import { NS } from '../names.js';
import { NAMESPACE_SELECTOR, splitResourceUri } from '../resource.js';

/** Deepest nesting of embedded instances and references read from an answer. */
const MAX_DEPTH = 8;

function invalid(message: string): CimXmlError {
  return new CimXmlError('CIMXML_RESPONSE_INVALID', `A WS-Man answer is not valid: ${message}`);
}

const isNil = (el: XmlElement) => {
  const v = getAttr(el, NS.xsi, 'nil');
  return v === 'true' || v === '1';
};

/** True when the element holds an endpoint reference (DSP0227 §7.5): Address and ReferenceParameters. */
function isEpr(el: XmlElement): boolean {
  return (
    childElements(el, NS.wsa, 'ReferenceParameters').length > 0 ||
    childElements(el, NS.wsa, 'EndpointReference').length > 0
  );
}

/**
 * The instance name an endpoint reference gives (DSP0227 §7.5): the class from its ResourceURI (DMTF or WMI form),
 * the namespace from `__cimnamespace` (or the WMI URI), the keys from the other selectors, reference keys nested.
 * Read with the server's selector reader (duplicates refused).
 *
 * @example
 * nameOfEpr(eprElement); // { className: 'Vessel_ComputerSystem', keys: { CreationClassName: ..., Name: 'vm1' }, namespace: 'root/virtualization' }
 */
export function nameOfEpr(epr: XmlElement, depth = 0): CimInstanceName {
  if (depth > MAX_DEPTH) throw invalid('references are nested too deeply');
  const inner = childElements(epr, NS.wsa, 'EndpointReference')[0];
  const params = childElements(inner ?? epr, NS.wsa, 'ReferenceParameters')[0] ?? inner ?? epr;
  const uriEl = childElements(params, NS.wsman, 'ResourceURI')[0];
  const uri = uriEl ? textContent(uriEl).trim() : '';
  const parts = splitResourceUri(uri);
  if (parts?.className === undefined)
    throw invalid(`the reference's ResourceURI "${uri.slice(0, 200)}" names no class`);
  const selectors = new Map<string, string | XmlElement>();
  const set = childElements(params, NS.wsman, 'SelectorSet')[0];
  try {
    if (set) readSelectors(set, selectors);
  } catch (e) {
    throw invalid(`a reference's selectors: ${(e as Error).message}`);
  }
  let namespace = parts.namespace;
  const keys: Record<string, string | CimInstanceName> = {};
  for (const [k, v] of selectors) {
    if (k.toLowerCase() === NAMESPACE_SELECTOR) {
      if (typeof v === 'string') namespace ??= v;
    } else keys[k] = typeof v === 'string' ? v : nameOfEpr(v, depth + 1);
  }
  return { className: parts.className, keys, ...(namespace === undefined ? {} : { namespace }) };
}

function scalarOf(el: XmlElement, depth: number): CimScalar | undefined {
  if (isNil(el)) return undefined;
  if (isEpr(el)) return nameOfEpr(el, depth + 1);
  const inner = childElements(el)[0];
  if (inner === undefined) return textContent(el);
  // cim:Datetime, cim:Interval, cim:Date, cim:Time (DSP0230 §6.2): the CIM datetime text.
  if (inner.ns === NS.cim) return textContent(inner).trim();
  return instanceOfElement(inner, depth + 1);
}

/**
 * An instance from the element of its class (DSP0230 §6–7) without its declaration: each child a property,
 * repeated children an array, `xsi:nil` NULL, EPRs references, `cim:Datetime` datetimes, nested class elements
 * embedded instances; text as it stands. Single-valued arrays are told apart only by the class (see
 * WsmanCimOperations, which reads declarations).
 *
 * @example
 * instanceOfElement(getResponseBody); // { className: 'Vessel_ComputerSystem', properties: { Name: 'vm1', ... } }
 */
export function instanceOfElement(el: XmlElement, depth = 0): CimInstance {
  if (depth > MAX_DEPTH) throw invalid('embedded instances are nested too deeply');
  const properties: Record<string, CimValue | undefined> = {};
  const counts = new Map<string, number>();
  for (const c of childElements(el)) counts.set(c.local, (counts.get(c.local) ?? 0) + 1);
  for (const c of childElements(el)) {
    const v = scalarOf(c, depth);
    if ((counts.get(c.local) ?? 0) > 1) {
      const list = (properties[c.local] as CimScalar[] | undefined) ?? [];
      if (v !== undefined) list.push(v);
      properties[c.local] = list;
    } else properties[c.local] = v;
  }
  return { className: el.local, properties };
}

/**
 * The output parameters of a custom action (`<p:M_OUTPUT>`, DSP0227 §9): ReturnValue and the rest, decoded as
 * instance properties are.
 *
 * @example
 * outputOf(body); // { returnValue: 4096, out: { Job: { className: 'CIM_ConcreteJob', keys: {...} } } }
 */
export function outputOf(el: XmlElement): { returnValue: number; out: Record<string, CimValue | undefined> } {
  const { properties } = instanceOfElement(el);
  const rv = properties.ReturnValue;
  delete properties.ReturnValue;
  const n = typeof rv === 'string' ? Number(rv.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw invalid(`<${el.local.slice(0, 64)}> has no whole ReturnValue`);
  return { returnValue: n, out: properties };
}
