import { type CimContext, CimError, type CimInstance, type CimNamespace } from '../../cim/index.js';
import type { IntrinsicCall } from './decode-request.js';
import { type CimXmlDispatcher, lookupIn, notSupported, propertyFilter } from './dispatcher.js';
import { ireturn, paramValueXml, valueXml } from './encode-response.js';
import { encodeInstance, encodeInstancePath } from './encode-values.js';
import type { IParams } from './iparams.js';

const OPEN_COMMON = [
  'OperationTimeout',
  'ContinueOnError',
  'MaxObjectCount',
  'FilterQueryLanguage',
  'FilterQuery',
];

/**
 * The pull operations (DSP0200 §5.3.2.22–5.3.2.34): Open* computes the whole result and hands out the first
 * `MaxObjectCount` items with an EnumerationContext; PullInstancesWithPath / PullInstancePaths hand out the rest;
 * CloseEnumeration drops it. Filter queries and ContinueOnError are refused with their own status codes.
 */
export async function pullOperation(
  d: CimXmlDispatcher,
  call: IntrinsicCall,
  ctx: CimContext,
  p: IParams,
  ns: CimNamespace,
): Promise<string> {
  const om = d.om;
  const checkOpen = (): { maxObjectCount: number; timeoutMs: number } => {
    if (p.string('FilterQueryLanguage') !== undefined || p.string('FilterQuery') !== undefined)
      throw new CimError('CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED', 'Filter queries are not supported');
    if (p.bool('ContinueOnError', false))
      throw new CimError('CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED', 'ContinueOnError is not supported');
    return {
      timeoutMs: d.contexts.timeoutMs(p.uint('OperationTimeout')),
      // DSP0200 §5.3.2.22: MaxObjectCount defaults to 0: the Open answers no instances, only a context to pull.
      maxObjectCount: d.contexts.maxCount(p.uint('MaxObjectCount') ?? 0, false),
    };
  };
  const assocFilter = () => ({
    assocClass: p.className('AssocClass', false),
    resultClass: p.className('ResultClass', false),
    role: p.string('Role'),
    resultRole: p.string('ResultRole'),
  });
  let kind: 'instances' | 'paths';
  switch (call.method) {
    case 'OpenEnumerateInstances':
    case 'OpenEnumerateInstancePaths': {
      kind = call.method === 'OpenEnumerateInstances' ? 'instances' : 'paths';
      p.only(
        'ClassName',
        ...OPEN_COMMON,
        ...(kind === 'instances' ? ['DeepInheritance', 'IncludeClassOrigin', 'PropertyList'] : []),
      );
      const o = checkOpen();
      const className = p.className('ClassName', true);
      const items = encodeAll(
        d,
        p,
        ns,
        kind,
        await om.enumerateInstances(ctx, ns.name, className),
        className,
      );
      return answer(d.contexts.open(kind, ns.name, ctx.user, items, o));
    }
    case 'OpenAssociatorInstances':
    case 'OpenAssociatorInstancePaths': {
      kind = call.method === 'OpenAssociatorInstances' ? 'instances' : 'paths';
      p.only(
        'InstanceName',
        'ObjectName',
        'AssocClass',
        'ResultClass',
        'Role',
        'ResultRole',
        ...OPEN_COMMON,
        ...(kind === 'instances' ? ['IncludeClassOrigin', 'PropertyList'] : []),
      );
      const o = checkOpen();
      const items = encodeAll(
        d,
        p,
        ns,
        kind,
        await om.associators(ctx, ns.name, p.objectName(true), assocFilter()),
      );
      return answer(d.contexts.open(kind, ns.name, ctx.user, items, o));
    }
    case 'OpenReferenceInstances':
    case 'OpenReferenceInstancePaths': {
      kind = call.method === 'OpenReferenceInstances' ? 'instances' : 'paths';
      p.only(
        'InstanceName',
        'ObjectName',
        'ResultClass',
        'Role',
        ...OPEN_COMMON,
        ...(kind === 'instances' ? ['IncludeClassOrigin', 'PropertyList'] : []),
      );
      const o = checkOpen();
      const found = await om.references(ctx, ns.name, p.objectName(true), {
        resultClass: p.className('ResultClass', false),
        role: p.string('Role'),
      });
      return answer(d.contexts.open(kind, ns.name, ctx.user, encodeAll(d, p, ns, kind, found), o));
    }
    case 'PullInstancesWithPath':
    case 'PullInstancePaths': {
      kind = call.method === 'PullInstancesWithPath' ? 'instances' : 'paths';
      p.only('EnumerationContext', 'MaxObjectCount');
      const context = requireContext(p);
      const max = d.contexts.maxCount(p.uint('MaxObjectCount'), true);
      return answer(d.contexts.pull(context, kind, ns.name, ctx.user, max));
    }
    case 'CloseEnumeration': {
      p.only('EnumerationContext');
      d.contexts.close(requireContext(p), ns.name, ctx.user);
      return '';
    }
    case 'EnumerationCount': {
      p.only('EnumerationContext');
      const n = d.contexts.remaining(requireContext(p), ns.name, ctx.user);
      return ireturn(valueXml(String(n)));
    }
    default:
      return notSupported(call.method);
  }
}

function requireContext(p: IParams): string {
  const c = p.string('EnumerationContext');
  if (c === undefined || c === '')
    throw new CimError('CIM_ERR_INVALID_ENUMERATION_CONTEXT', 'EnumerationContext is missing or empty');
  return c;
}

/** Encodes an Open's whole result once, with the Open's PropertyList and flags, so each Pull only slices. */
function encodeAll(
  d: CimXmlDispatcher,
  p: IParams,
  ns: CimNamespace,
  kind: 'instances' | 'paths',
  list: CimInstance[],
  filterClass?: string,
): string[] {
  const lookup = lookupIn(d, ns);
  const propertyList = kind === 'instances' ? p.propertyList() : undefined;
  const filter = filterClass
    ? propertyFilter(ns, filterClass, { propertyList, deep: p.bool('DeepInheritance', true) })
    : propertyList
      ? (x: { name: string }) => propertyList.has(x.name.toLowerCase())
      : undefined;
  const origin = kind === 'instances' ? p.bool('IncludeClassOrigin', false) : false;
  return list.map((i) => {
    const ins = d.om.repo.findNamespace(i.path?.namespace ?? ns.name) ?? ns;
    const lk = ins === ns ? lookup : lookupIn(d, ins);
    const path = encodeInstancePath(i.path!, d.hostName, ins.name, lk);
    if (kind === 'paths') return path;
    return `<VALUE.INSTANCEWITHPATH>${path}${encodeInstance(i, lk, { filter, includeClassOrigin: origin })}</VALUE.INSTANCEWITHPATH>`;
  });
}

function answer(r: { items: string[]; endOfSequence: boolean; context: string }): string {
  return (
    ireturn(r.items.join('')) +
    paramValueXml('EndOfSequence', 'boolean', valueXml(r.endOfSequence ? 'TRUE' : 'FALSE')) +
    paramValueXml('EnumerationContext', 'string', valueXml(r.context))
  );
}
