import {
  type CimContext,
  type CimInstance,
  execQuery,
  type Fits,
  isInstanceName,
  samePath,
} from '../../cim/index.js';
import { childElements, getAttr, textContent, type XmlElement } from '../../xml/index.js';
import { xmlText } from '../cimxml/escape.js';
import type { Deadline } from './deadline.js';
import type { WsmanDispatcher } from './dispatcher.js';
import { eprXml, instanceXml, uriStyle } from './encode.js';
import { parseDuration, readSelectors, type WsmanRequest } from './envelope.js';
import { FAULT_DETAIL, WsmanFault } from './errors.js';
import { DIALECT, NS } from './names.js';
import { type Resource, referenceOf, resolveResource } from './resource.js';

/** The namespace and kind under which WS-Man enumerations are kept (a Pull names no resource). */
const CONTEXT_NS = 'wsman';
const KIND = 'wsman';
/** The context of an unoptimized enumeration that found nothing: its one Pull answers EndOfSequence. */
const EMPTY_CONTEXT = 'empty';

type Mode = 'object' | 'epr' | 'objectAndEpr';

const child = (el: XmlElement, ns: string, local: string) => childElements(el, ns, local)[0];

/** A whole number element, or a fault naming it. */
function count(el: XmlElement | undefined, what: string): number | undefined {
  if (!el) return undefined;
  const n = Number(textContent(el).trim());
  if (!Number.isSafeInteger(n) || n < 0)
    throw new WsmanFault('WSMAN_INVALID_PARAMETER', `${what} must be a whole number`);
  return n;
}

/** wsen:Expires (a duration or a time) as whole seconds for the enumeration contexts. */
function expires(el: XmlElement | undefined): number | undefined {
  if (!el) return undefined;
  const t = textContent(el).trim();
  const ms = t.startsWith('P') ? parseDuration(t) : Date.parse(t) - Date.now();
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0)
    throw new WsmanFault(
      'WSMAN_INVALID_EXPIRATION_TIME',
      `Expires "${t.slice(0, 40)}" is not a time to come`,
    );
  return Math.ceil(ms / 1000);
}

/** Instances the Enumerate names, with the properties to write (from a query's SELECT list). */
async function select(
  d: WsmanDispatcher,
  r: Resource,
  filter: XmlElement | undefined,
  ctx: CimContext,
): Promise<{ list: CimInstance[]; selected?: Set<string> | undefined }> {
  const om = d.om;
  const dialect = filter ? (getAttr(filter, '', 'Dialect') ?? '') : undefined;
  if (dialect === undefined || dialect === DIALECT.selector) {
    if (r.className === undefined)
      throw new WsmanFault(
        'WSMAN_CANNOT_PROCESS_FILTER',
        'A "*" resource URI needs a query or association filter',
        {
          detail: FAULT_DETAIL.filteringRequired,
        },
      );
    const keys = new Map(r.keys);
    const set = filter && child(filter, NS.wsman, 'SelectorSet');
    if (set) readSelectors(set, keys);
    const cls = r.ns.require(r.className);
    const wanted = [...keys].map(([k, v]) => {
      const p = cls.propertyIndex.get(k.toLowerCase());
      if (!p)
        throw new WsmanFault('WSMAN_INVALID_SELECTORS', `${cls.name} has no property "${k.slice(0, 64)}"`, {
          detail: FAULT_DETAIL.unexpectedSelectors,
        });
      return { name: p.name, value: typeof v === 'string' ? v : referenceOf(om, v) };
    });
    const all = await om.enumerateInstances(ctx, r.ns.name, cls.name);
    const list = all.filter((i) =>
      wanted.every(({ name, value }) => {
        const v = i.properties[name];
        return typeof value === 'string'
          ? v === value
          : isInstanceName(v) && samePath(v, value, om.repo, r.ns.name);
      }),
    );
    return { list };
  }
  if (filter && (dialect === DIALECT.wql || dialect === DIALECT.cql)) {
    const q = await execQuery(
      om,
      ctx,
      r.ns.name,
      dialect === DIALECT.wql ? 'WQL' : 'DMTF:CQL',
      textContent(filter),
    );
    return { list: q.instances, selected: q.properties };
  }
  if (filter && dialect === DIALECT.association) {
    const assoc = childElements(filter).find((e) => e.ns === NS.wsmb);
    const obj = assoc && child(assoc, NS.wsmb, 'Object');
    if (!assoc || !obj || (assoc.local !== 'AssociatedInstances' && assoc.local !== 'AssociationInstances'))
      throw new WsmanFault(
        'WSMAN_CANNOT_PROCESS_FILTER',
        'An association filter needs AssociatedInstances or AssociationInstances with an Object',
      );
    const text = (local: string) => {
      const e = child(assoc, NS.wsmb, local);
      return e ? textContent(e).trim() : undefined;
    };
    const target = referenceOf(om, obj);
    if (assoc.local === 'AssociatedInstances') {
      const list = await om.associators(ctx, r.ns.name, target, {
        assocClass: text('AssociationClassName'),
        resultClass: text('ResultClassName'),
        role: text('Role'),
        resultRole: text('ResultRole'),
      });
      return { list };
    }
    const list = await om.references(ctx, r.ns.name, target, {
      resultClass: text('ResultClassName') ?? text('AssociationClassName'),
      role: text('Role'),
    });
    return { list };
  }
  throw new WsmanFault(
    'WSMAN_FILTER_DIALECT_UNAVAILABLE',
    `The filter dialect "${(dialect ?? '').slice(0, 200)}" is not supported`,
  );
}

function encodeItem(
  d: WsmanDispatcher,
  r: Resource,
  i: CimInstance,
  mode: Mode,
  selected?: Set<string>,
): string {
  const namespace = i.path?.namespace ?? r.ns.name;
  const ns = d.om.repo.findNamespace(namespace) ?? r.ns;
  const o = {
    lookup: (c: string) => ns.get(c),
    namespace: ns.name,
    style: uriStyle(r.uri),
    filter: selected ? (n: string) => selected.has(n.toLowerCase()) : undefined,
  };
  const epr = () => `<wsa:EndpointReference>${eprXml(i.path!, ns.name, o.style)}</wsa:EndpointReference>`;
  if (mode === 'epr') return epr();
  if (mode === 'objectAndEpr') return `<wsman:Item>${instanceXml(i, o)}${epr()}</wsman:Item>`;
  return instanceXml(i, o);
}

/**
 * Enumerate (WS-Enumeration, DSP0226 §8): the instances of the resource's class, or those a filter selects
 * (SelectorFilter, WQL and CQL through the object manager's ExecQuery, the DSP0227 association filter), encoded
 * once in the EnumerationMode asked for and kept in the CIM pull contexts (per user, bounded, expiring after
 * `Expires`); with OptimizeEnumeration the first MaxElements come in the response.
 *
 * @example
 * const body = await enumerate(d, req, newContext('admin', 'admin'), () => true);
 */
export async function enumerate(
  d: WsmanDispatcher,
  req: WsmanRequest,
  ctx: CimContext,
  fits: Fits<string>,
  deadline?: Deadline,
): Promise<{ body: string; count: number }> {
  const body = req.body;
  if (!body || body.ns !== NS.wsen || body.local !== 'Enumerate')
    throw new WsmanFault('WSMAN_SCHEMA_VALIDATION', 'The body of Enumerate must be <wsen:Enumerate>');
  const r = resolveResource(d.om, req.resourceUri, req.selectors);
  const modeText = child(body, NS.wsman, 'EnumerationMode');
  const m = modeText ? textContent(modeText).trim() : '';
  if (m !== '' && m !== 'EnumerateEPR' && m !== 'EnumerateObjectAndEPR')
    throw new WsmanFault('WSMAN_UNSUPPORTED_FEATURE', `EnumerationMode "${m.slice(0, 40)}" is not supported`);
  const mode: Mode = m === 'EnumerateEPR' ? 'epr' : m === 'EnumerateObjectAndEPR' ? 'objectAndEpr' : 'object';
  const optimize = child(body, NS.wsman, 'OptimizeEnumeration') !== undefined;
  const max = count(child(body, NS.wsman, 'MaxElements'), 'MaxElements');
  const filter = child(body, NS.wsman, 'Filter') ?? child(body, NS.wsen, 'Filter');
  const timeoutMs = d.contexts.timeoutMs(expires(child(body, NS.wsen, 'Expires')));
  const { list, selected } = await select(d, r, filter, ctx);
  // Read too late: no context is opened for an answer nobody waits for (it would hold one of the user's).
  deadline?.check();
  const items = list.map((i) => encodeItem(d, r, i, mode, selected));
  const first = optimize ? d.contexts.maxCount(max ?? 1, false) : 0;
  const out = d.contexts.open(KIND, CONTEXT_NS, ctx.user, items, { maxObjectCount: first, timeoutMs, fits });
  if (optimize && first > 0 && out.items.length === 0 && !out.endOfSequence) {
    d.contexts.close(out.context, CONTEXT_NS, ctx.user);
    throw new WsmanFault('WSMAN_ENCODING_LIMIT', 'The first item does not fit in MaxEnvelopeSize', {
      detail: FAULT_DETAIL.maxEnvelopeSize,
    });
  }
  const context = out.context === '' && !optimize ? EMPTY_CONTEXT : out.context;
  let s = '<wsen:EnumerateResponse>';
  if (context !== '') s += `<wsen:EnumerationContext>${xmlText(context)}</wsen:EnumerationContext>`;
  if (optimize) s += `<wsman:Items>${out.items.join('')}</wsman:Items>`;
  if (optimize && out.endOfSequence) s += '<wsman:EndOfSequence/>';
  return { body: `${s}</wsen:EnumerateResponse>`, count: items.length };
}

function contextOf(body: XmlElement | undefined, local: string): string {
  if (!body || body.ns !== NS.wsen || body.local !== local)
    throw new WsmanFault('WSMAN_SCHEMA_VALIDATION', `The body must be <wsen:${local}>`);
  const c = child(body, NS.wsen, 'EnumerationContext');
  const text = c ? textContent(c).trim() : '';
  if (text === '')
    throw new WsmanFault('WSMAN_INVALID_ENUMERATION_CONTEXT', 'The request has no EnumerationContext');
  return text;
}

/**
 * Pull (WS-Enumeration §3.2): the next MaxElements items (default 1) that fit MaxEnvelopeSize.
 *
 * @example
 * const body = pull(d, req, ctx, () => true); // <wsen:PullResponse>...
 */
export function pull(
  d: WsmanDispatcher,
  req: WsmanRequest,
  ctx: CimContext,
  fits: Fits<string>,
  deadline?: Deadline,
): { body: string; count: number } {
  const context = contextOf(req.body, 'Pull');
  if (context === EMPTY_CONTEXT)
    return {
      body: '<wsen:PullResponse><wsen:Items></wsen:Items><wsen:EndOfSequence/></wsen:PullResponse>',
      count: 0,
    };
  const max = d.contexts.maxCount(count(child(req.body!, NS.wsen, 'MaxElements'), 'MaxElements') ?? 1, false);
  // Items are taken from the context only while time is left: a Pull that times out leaves the context as it was.
  deadline?.check();
  const out = d.contexts.pull(context, KIND, CONTEXT_NS, ctx.user, max, fits);
  if (out.items.length === 0 && !out.endOfSequence && max > 0)
    throw new WsmanFault('WSMAN_ENCODING_LIMIT', 'The next item does not fit in MaxEnvelopeSize', {
      detail: FAULT_DETAIL.maxEnvelopeSize,
    });
  let s = '<wsen:PullResponse>';
  if (!out.endOfSequence) s += `<wsen:EnumerationContext>${xmlText(out.context)}</wsen:EnumerationContext>`;
  s += `<wsen:Items>${out.items.join('')}</wsen:Items>`;
  if (out.endOfSequence) s += '<wsen:EndOfSequence/>';
  const left = out.endOfSequence ? 0 : d.contexts.remaining(out.context, CONTEXT_NS, ctx.user);
  return { body: `${s}</wsen:PullResponse>`, count: left };
}

/**
 * Release (WS-Enumeration §3.5): drops the context.
 *
 * @example
 * release(d, req, ctx); // ''
 */
export function release(d: WsmanDispatcher, req: WsmanRequest, ctx: CimContext): string {
  const context = contextOf(req.body, 'Release');
  if (context !== EMPTY_CONTEXT) d.contexts.close(context, CONTEXT_NS, ctx.user);
  return '';
}
