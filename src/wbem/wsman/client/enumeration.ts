import type { CimInstance, CimInstanceName } from '../../../cim/index.js';
import { childElements, textContent, type XmlElement } from '../../../xml/index.js';
import { CimXmlError } from '../../cimxml/errors.js';
import { xmlAttr, xmlText } from '../../cimxml/escape.js';
import { eprXml } from '../encode.js';
import { DIALECT, NS } from '../names.js';
import { type SelectorValue, selectorSetXml } from './request.js';
import { instanceOfElement, nameOfEpr } from './values.js';

/** What an enumeration hands out (DSP0226 §8.7 EnumerationMode): objects, EPRs, or both. */
export type EnumerationMode = 'object' | 'epr' | 'objectAndEpr';

/** The DSP0227 §8.2 association filter: the instances associated with `object` (or the associations themselves). */
export interface AssociationFilter {
  kind: 'associated' | 'associations';
  object: CimInstanceName;
  associationClass?: string | undefined;
  role?: string | undefined;
  resultClass?: string | undefined;
  resultRole?: string | undefined;
}

/** An Enumerate filter: WQL (or CQL) text, the association filter, or a SelectorFilter. */
export type EnumerationFilter =
  | { wql: string }
  | { cql: string }
  | { association: AssociationFilter }
  | { selectors: ReadonlyArray<readonly [string, SelectorValue]> };

/** One item of an enumeration: the instance (with its path when the EPR came along) or the name alone. */
export interface EnumerationItem {
  instance?: CimInstance | undefined;
  name?: CimInstanceName | undefined;
}

/** One piece of an enumeration: its items, the context for the rest, and whether it is the last. */
export interface EnumerationPiece {
  items: EnumerationItem[];
  context: string | undefined;
  endOfSequence: boolean;
}

const MODE: Record<EnumerationMode, string> = {
  object: '',
  epr: 'EnumerateEPR',
  objectAndEpr: 'EnumerateObjectAndEPR',
};

function filterXml(f: EnumerationFilter, namespace: string): string {
  if ('wql' in f) return `<wsman:Filter Dialect="${DIALECT.wql}">${xmlText(f.wql)}</wsman:Filter>`;
  if ('cql' in f) return `<wsman:Filter Dialect="${DIALECT.cql}">${xmlText(f.cql)}</wsman:Filter>`;
  if ('selectors' in f)
    return `<wsman:Filter Dialect="${DIALECT.selector}">${selectorSetXml(f.selectors, namespace)}</wsman:Filter>`;
  const a = f.association;
  const el = a.kind === 'associated' ? 'AssociatedInstances' : 'AssociationInstances';
  const opt = (local: string, v: string | undefined) =>
    v === undefined ? '' : `<wsmb:${local}>${xmlText(v)}</wsmb:${local}>`;
  let s = `<wsmb:Object>${eprXml(a.object, namespace, 'dmtf')}</wsmb:Object>`;
  s += opt('AssociationClassName', a.associationClass) + opt('Role', a.role);
  if (a.kind === 'associated') s += opt('ResultClassName', a.resultClass) + opt('ResultRole', a.resultRole);
  return `<wsman:Filter Dialect="${xmlAttr(DIALECT.association)}"><wsmb:${el}>${s}</wsmb:${el}></wsman:Filter>`;
}

/**
 * The body of Enumerate (WS-Enumeration §3.1 with DSP0226 §8.2): the filter, the EnumerationMode, and with
 * `maxElements` OptimizeEnumeration and MaxElements, so that the first items come in the response.
 *
 * @example
 * enumerateXml({ mode: 'objectAndEpr', maxElements: 100, filter: { wql: 'SELECT * FROM CIM_ComputerSystem' } }, ns);
 */
export function enumerateXml(
  o: { mode: EnumerationMode; maxElements?: number | undefined; filter?: EnumerationFilter | undefined },
  namespace: string,
): string {
  let s = '<wsen:Enumerate>';
  if (o.filter) s += filterXml(o.filter, namespace);
  if (o.mode !== 'object') s += `<wsman:EnumerationMode>${MODE[o.mode]}</wsman:EnumerationMode>`;
  if (o.maxElements !== undefined)
    s += `<wsman:OptimizeEnumeration/><wsman:MaxElements>${o.maxElements}</wsman:MaxElements>`;
  return `${s}</wsen:Enumerate>`;
}

function itemOf(el: XmlElement): EnumerationItem {
  if (el.ns === NS.wsa && el.local === 'EndpointReference') return { name: nameOfEpr(el) };
  if (el.ns === NS.wsman && el.local === 'Item') {
    const parts = childElements(el);
    const eprEl = parts.find((p) => p.ns === NS.wsa && p.local === 'EndpointReference');
    const objEl = parts.find((p) => p !== eprEl);
    const name = eprEl ? nameOfEpr(eprEl) : undefined;
    const instance = objEl ? instanceOfElement(objEl) : undefined;
    if (instance && name) instance.path = name;
    return { instance, name };
  }
  return { instance: instanceOfElement(el) };
}

/**
 * The items, context and end of an EnumerateResponse (optimized: `wsman:Items`, `wsman:EndOfSequence`) or a
 * PullResponse (`wsen:Items`, `wsen:EndOfSequence`).
 *
 * @example
 * const piece = pieceOf(answer.body, 'PullResponse');
 */
export function pieceOf(
  body: XmlElement | undefined,
  local: 'EnumerateResponse' | 'PullResponse',
): EnumerationPiece {
  if (!body || body.ns !== NS.wsen || body.local !== local)
    throw new CimXmlError(
      'CIMXML_RESPONSE_INVALID',
      `A WS-Man answer is not valid: expected <wsen:${local}>, not <${(body?.local ?? 'nothing').slice(0, 64)}>`,
    );
  const itemsNs = local === 'PullResponse' ? NS.wsen : NS.wsman;
  const ctxEl = childElements(body, NS.wsen, 'EnumerationContext')[0];
  const itemsEl = childElements(body, itemsNs, 'Items')[0];
  const end = childElements(body, itemsNs, 'EndOfSequence').length > 0;
  const context = ctxEl ? textContent(ctxEl).trim() : undefined;
  if (!end && (context === undefined || context === ''))
    throw new CimXmlError(
      'CIMXML_RESPONSE_INVALID',
      'A WS-Man answer is not valid: an enumeration goes on but the answer has no EnumerationContext',
    );
  return {
    items: itemsEl ? childElements(itemsEl).map(itemOf) : [],
    context: context || undefined,
    endOfSequence: end,
  };
}
