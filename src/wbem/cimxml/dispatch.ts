import {
  type CimContext,
  CimError,
  type CimInstance,
  type CimInstanceName,
  type CimPropertyDecl,
  execQuery,
} from '../../cim/index.js';
import type { CimXmlCall, IntrinsicCall } from './decode-request.js';
import { invokeExtrinsic } from './dispatch-method.js';
import { pullOperation } from './dispatch-pull.js';
import { type CimXmlDispatcher, lookupIn, propertyFilter } from './dispatcher.js';
import { encodeClass } from './encode-class.js';
import {
  cimErrorElement,
  imethodResponse,
  internalErrorElement,
  ireturn,
  methodResponse,
} from './encode-response.js';
import { encodeInstance, encodeInstanceName, encodeInstancePath } from './encode-values.js';
import { IParams } from './iparams.js';

/**
 * Answers one decoded CIM-XML call with the response document. CIM failures become `<ERROR>` (HTTP 200);
 * unexpected failures become CIM_ERR_FAILED and are reported through `onInternalError`.
 */
export async function dispatch(d: CimXmlDispatcher, call: CimXmlCall, ctx: CimContext): Promise<string> {
  const wrap = call.kind === 'intrinsic' ? imethodResponse : methodResponse;
  try {
    const body =
      call.kind === 'intrinsic' ? await intrinsic(d, call, ctx) : await invokeExtrinsic(d, call, ctx);
    return wrap(call.messageId, call.method, body);
  } catch (e) {
    if (e instanceof CimError) return wrap(call.messageId, call.method, cimErrorElement(e));
    d.onInternalError?.(e);
    return wrap(call.messageId, call.method, internalErrorElement());
  }
}

async function intrinsic(d: CimXmlDispatcher, call: IntrinsicCall, ctx: CimContext): Promise<string> {
  const om = d.om;
  const ns = om.repo.namespace(call.namespace);
  const p = new IParams(call);
  const lookup = lookupIn(d, ns);
  const pathOf = (n: CimInstanceName) => encodeInstancePath(n, d.hostName, ns.name, lookup);
  switch (call.method) {
    case 'GetClass': {
      p.only('ClassName', 'LocalOnly', 'IncludeQualifiers', 'IncludeClassOrigin', 'PropertyList');
      const cls = ns.require(p.className('ClassName', true));
      return ireturn(
        encodeClass(cls, {
          localOnly: p.bool('LocalOnly', true),
          includeQualifiers: p.bool('IncludeQualifiers', true),
          includeClassOrigin: p.bool('IncludeClassOrigin', false),
          propertyList: p.propertyList(),
        }),
      );
    }
    case 'EnumerateClasses':
    case 'EnumerateClassNames': {
      const names = call.method === 'EnumerateClassNames';
      if (names) p.only('ClassName', 'DeepInheritance');
      else p.only('ClassName', 'DeepInheritance', 'LocalOnly', 'IncludeQualifiers', 'IncludeClassOrigin');
      const start = p.className('ClassName', false);
      if (start) ns.require(start);
      const deep = p.bool('DeepInheritance', false);
      const classes = deep ? (start ? ns.descendants(start).slice(1) : ns.all()) : ns.subclasses(start ?? '');
      if (names) return ireturn(classes.map((c) => `<CLASSNAME NAME="${c.name}"/>`).join(''));
      const o = {
        localOnly: p.bool('LocalOnly', true),
        includeQualifiers: p.bool('IncludeQualifiers', true),
        includeClassOrigin: p.bool('IncludeClassOrigin', false),
      };
      return ireturn(classes.map((c) => encodeClass(c, o)).join(''));
    }
    case 'GetInstance': {
      p.only('InstanceName', 'LocalOnly', 'IncludeQualifiers', 'IncludeClassOrigin', 'PropertyList');
      const name = p.instanceName('InstanceName');
      const inst = await om.getInstance(ctx, ns.name, name);
      const filter = propertyFilter(ns, name.className, {
        propertyList: p.propertyList(),
        localOnly: p.explicitTrue('LocalOnly'),
      });
      return ireturn(
        encodeInstance(inst, lookup, {
          filter,
          includeClassOrigin: p.bool('IncludeClassOrigin', false),
          includeQualifiers: p.bool('IncludeQualifiers', false),
        }),
      );
    }
    case 'EnumerateInstances': {
      p.only(
        'ClassName',
        'LocalOnly',
        'DeepInheritance',
        'IncludeQualifiers',
        'IncludeClassOrigin',
        'PropertyList',
      );
      const className = p.className('ClassName', true);
      const list = await om.enumerateInstances(ctx, ns.name, className);
      const filter = propertyFilter(ns, className, {
        propertyList: p.propertyList(),
        deep: p.bool('DeepInheritance', true),
        localOnly: p.explicitTrue('LocalOnly'),
      });
      const o = {
        filter,
        includeClassOrigin: p.bool('IncludeClassOrigin', false),
        includeQualifiers: p.bool('IncludeQualifiers', false),
      };
      const parts: string[] = [];
      for (const i of list)
        parts.push(
          `<VALUE.NAMEDINSTANCE>${encodeInstanceName(i.path!, lookup)}${encodeInstance(i, lookup, o)}</VALUE.NAMEDINSTANCE>`,
        );
      return ireturn(parts.join(''));
    }
    case 'EnumerateInstanceNames': {
      p.only('ClassName');
      const list = await om.enumerateInstanceNames(ctx, ns.name, p.className('ClassName', true));
      return ireturn(list.map((n) => encodeInstanceName(n, lookup)).join(''));
    }
    case 'Associators':
    case 'AssociatorNames': {
      const names = call.method === 'AssociatorNames';
      const base = ['ObjectName', 'AssocClass', 'ResultClass', 'Role', 'ResultRole'];
      p.only(...base, ...(names ? [] : ['IncludeQualifiers', 'IncludeClassOrigin', 'PropertyList']));
      const filter = {
        assocClass: p.className('AssocClass', false),
        resultClass: p.className('ResultClass', false),
        role: p.string('Role'),
        resultRole: p.string('ResultRole'),
      };
      const obj = p.objectName();
      if (names) {
        const list = await om.associatorNames(ctx, ns.name, obj, filter);
        return ireturn(list.map((n) => `<OBJECTPATH>${pathOf(n)}</OBJECTPATH>`).join(''));
      }
      const list = await om.associators(ctx, ns.name, obj, filter);
      return ireturn(objectsWithPath(d, list, p, ns.name));
    }
    case 'References':
    case 'ReferenceNames': {
      const names = call.method === 'ReferenceNames';
      p.only(
        'ObjectName',
        'ResultClass',
        'Role',
        ...(names ? [] : ['IncludeQualifiers', 'IncludeClassOrigin', 'PropertyList']),
      );
      const list = await om.references(ctx, ns.name, p.objectName(), {
        resultClass: p.className('ResultClass', false),
        role: p.string('Role'),
      });
      if (names) return ireturn(list.map((i) => `<OBJECTPATH>${pathOf(i.path!)}</OBJECTPATH>`).join(''));
      return ireturn(objectsWithPath(d, list, p, ns.name));
    }
    case 'ModifyInstance': {
      p.only('ModifiedInstance', 'IncludeQualifiers', 'PropertyList');
      await om.modifyInstance(ctx, ns.name, p.instance('ModifiedInstance'), p.propertyNames());
      return '';
    }
    case 'CreateInstance': {
      // DSP0200 §5.3.2.7: the new instance's name (DSP1054's filters, destinations and subscriptions).
      p.only('NewInstance');
      const name = await om.createInstance(ctx, ns.name, p.instance('NewInstance'));
      return ireturn(encodeInstanceName(name, lookup));
    }
    case 'DeleteInstance': {
      p.only('InstanceName');
      await om.deleteInstance(ctx, ns.name, p.instanceName('InstanceName'));
      return '';
    }
    case 'ExecQuery': {
      // DSP0200 §5.3.2.11: the matching instances as VALUE.OBJECTWITHPATH, with the selected properties only.
      p.only('QueryLanguage', 'Query');
      const r = await execQuery(om, ctx, ns.name, p.string('QueryLanguage'), p.string('Query'));
      return ireturn(objectsWithPath(d, r.instances, p, ns.name, r.properties));
    }
    default:
      return pullOperation(d, call, ctx, p, ns);
  }
}

function objectsWithPath(
  d: CimXmlDispatcher,
  list: CimInstance[],
  p: IParams,
  defaultNs: string,
  selected?: Set<string>,
): string {
  const propertyList = selected ?? p.propertyList();
  const origin = p.bool('IncludeClassOrigin', false);
  const includeQualifiers = p.bool('IncludeQualifiers', false);
  const parts: string[] = [];
  for (const i of list) {
    const ins = d.om.repo.namespace(i.path?.namespace ?? defaultNs);
    const lookup = lookupIn(d, ins);
    const filter = propertyList ? (x: CimPropertyDecl) => propertyList.has(x.name.toLowerCase()) : undefined;
    parts.push(
      `<VALUE.OBJECTWITHPATH>${encodeInstancePath(i.path!, d.hostName, ins.name, lookup)}${encodeInstance(i, lookup, { filter, includeClassOrigin: origin, includeQualifiers })}</VALUE.OBJECTWITHPATH>`,
    );
  }
  return parts.join('');
}
