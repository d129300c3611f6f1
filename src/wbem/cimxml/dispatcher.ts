import {
  CimError,
  type CimNamespace,
  type CimPropertyDecl,
  EnumerationContexts,
  type ObjectManager,
} from '../../cim/index.js';
import type { ClassLookup } from './encode-values.js';

/** What the dispatcher needs: the object manager, the open pull enumerations and the host name for paths. */
export interface CimXmlDispatcher {
  om: ObjectManager;
  contexts: EnumerationContexts<string>;
  hostName: string;
  /** Reports unexpected errors (they are answered as CIM_ERR_FAILED without details). */
  onInternalError?: (e: unknown) => void;
}

/** Creates a dispatcher over an object manager. */
export function createDispatcher(
  om: ObjectManager,
  hostName: string,
  onInternalError?: (e: unknown) => void,
): CimXmlDispatcher {
  const d: CimXmlDispatcher = { om, contexts: new EnumerationContexts<string>(), hostName };
  if (onInternalError) d.onInternalError = onInternalError;
  return d;
}

/** The class lookup of a namespace, for typing keys and properties while encoding. */
export function lookupIn(d: CimXmlDispatcher, ns: CimNamespace): ClassLookup {
  return (name) => ns.get(name) ?? findAnywhere(d, name);
}

function findAnywhere(d: CimXmlDispatcher, name: string) {
  for (const n of d.om.repo.namespaces()) {
    const c = d.om.repo.namespace(n).get(name);
    if (c) return c;
  }
  return undefined;
}

/** The property filter of instance answers: PropertyList, DeepInheritance=FALSE, explicit LocalOnly=TRUE. */
export function propertyFilter(
  ns: CimNamespace,
  requestedClass: string,
  opts: { propertyList?: Set<string> | undefined; deep?: boolean; localOnly?: boolean },
): ((p: CimPropertyDecl) => boolean) | undefined {
  const { propertyList, deep = true, localOnly = false } = opts;
  if (!propertyList && deep && !localOnly) return undefined;
  const base = ns.require(requestedClass);
  const baseProps = new Set(base.properties.map((p) => p.name.toLowerCase()));
  return (p) => {
    const n = p.name.toLowerCase();
    if (propertyList && !propertyList.has(n)) return false;
    if (!deep && !baseProps.has(n)) return false;
    if (localOnly) {
      const origin = p.classOrigin ?? '';
      if (base.ancestors.some((a) => a.toLowerCase() === origin.toLowerCase())) return false;
    }
    return true;
  };
}

/** The answer to an intrinsic method this server does not offer. */
export function notSupported(method: string): never {
  throw new CimError('CIM_ERR_NOT_SUPPORTED', `The operation ${method} is not supported`);
}
