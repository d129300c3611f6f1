import {
  CimError,
  type CimInstanceName,
  type CimNamespace,
  type ObjectManager,
  VIRT_NAMESPACE,
} from '../../cim/index.js';
import { childElements, textContent, type XmlElement } from '../../xml/index.js';
import { readSelectors } from './envelope.js';
import { FAULT_DETAIL, WsmanFault } from './errors.js';
import { ALL_CLASSES_URI, CIM_SCHEMA_URI, NS, WMI_URI } from './names.js';

/** The selector naming the CIM namespace (DSP0227 §7.2). */
export const NAMESPACE_SELECTOR = '__cimnamespace';

/** What a resource URI and its selectors name: a namespace, and a class unless the URI is a `*` form. */
export interface Resource {
  ns: CimNamespace;
  /** undefined for the `*` forms (all classes, chosen by a filter). */
  className: string | undefined;
  /** The URI as the client wrote it: the namespace of instance elements and the prefix of method actions. */
  uri: string;
  /** The key selectors (without `__cimnamespace`). */
  keys: Map<string, string | XmlElement>;
}

const unreachable = (uri: string, why: string) =>
  new WsmanFault('WSMAN_DESTINATION_UNREACHABLE', `The resource URI "${uri.slice(0, 200)}" ${why}`, {
    detail: FAULT_DETAIL.invalidResourceUri,
  });

/** What a resource URI spells, before any lookup: its form, class (undefined for `*`) and, for WMI, namespace. */
export interface ResourceUriParts {
  form: 'dmtf' | 'all' | 'wmi';
  className: string | undefined;
  namespace: string | undefined;
}

/**
 * Splits a resource URI into its form, class and (WMI form only) namespace; undefined for a URI of another kind.
 * A WMI URI without a namespace part answers `namespace` undefined.
 *
 * @example
 * splitResourceUri('http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ComputerSystem');
 * // { form: 'wmi', namespace: 'root/virtualization/v2', className: 'Msvm_ComputerSystem' }
 */
export function splitResourceUri(uri: string): ResourceUriParts | undefined {
  if (uri.startsWith(CIM_SCHEMA_URI))
    return { form: 'dmtf', className: uri.slice(CIM_SCHEMA_URI.length), namespace: undefined };
  if (uri === ALL_CLASSES_URI) return { form: 'all', className: undefined, namespace: undefined };
  if (!uri.startsWith(WMI_URI)) return undefined;
  const rest = uri.slice(WMI_URI.length);
  const cut = rest.lastIndexOf('/');
  if (cut <= 0) return { form: 'wmi', className: undefined, namespace: undefined };
  const last = rest.slice(cut + 1);
  return { form: 'wmi', namespace: rest.slice(0, cut), className: last === '*' ? undefined : last };
}

/** What a class name in a resource URI must look like. */
const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;

/** The class name of the last URI that named a class that exists (so passed {@link CLASS_NAME}): not tested again. */
let lastClassName: string | undefined;

/**
 * Resolves a resource URI (DSP0227 §7): `http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/<Class>` in the
 * namespace of the `__cimnamespace` selector (default root/virtualization), `http://schemas.dmtf.org/wbem/wscim/1/*`
 * with that selector, or Microsoft's `http://schemas.microsoft.com/wbem/wsman/1/wmi/<namespace>/<Class|*>`, whose
 * namespace a `__cimnamespace` selector must not contradict. Unknown classes and namespaces are
 * wsa:DestinationUnreachable (InvalidResourceURI).
 *
 * @example
 * resolveResource(om, 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem', selectors);
 */
export function resolveResource(
  om: ObjectManager,
  uri: string | undefined,
  selectors: Map<string, string | XmlElement>,
): Resource {
  if (uri === undefined || uri === '')
    throw new WsmanFault('WSMAN_DESTINATION_UNREACHABLE', 'The request has no ResourceURI', {
      detail: FAULT_DETAIL.invalidResourceUri,
    });
  // The keys are the selectors but the namespace's, copied in one pass (the length test spares most lower-casing).
  const keys = new Map<string, string | XmlElement>();
  let given: string | undefined;
  for (const [k, v] of selectors)
    if (k.length === NAMESPACE_SELECTOR.length && k.toLowerCase() === NAMESPACE_SELECTOR) {
      if (typeof v !== 'string')
        throw new WsmanFault('WSMAN_INVALID_SELECTORS', `${NAMESPACE_SELECTOR} must be text`, {
          detail: FAULT_DETAIL.invalidValue,
        });
      given = v;
    } else keys.set(k, v);
  const split = splitResourceUri(uri);
  if (split === undefined) throw unreachable(uri, 'is not a CIM class resource of this service');
  if (split.form === 'wmi' && split.namespace === undefined)
    throw unreachable(uri, 'names no namespace and class');
  const namespace = split.namespace ?? given ?? VIRT_NAMESPACE;
  let className = split.className;
  if (split.form === 'wmi' && given !== undefined && given.toLowerCase() !== namespace.toLowerCase())
    throw new WsmanFault(
      'WSMAN_INVALID_SELECTORS',
      `The ${NAMESPACE_SELECTOR} selector "${given.slice(0, 100)}" disagrees with the namespace "${namespace.slice(0, 100)}" of the resource URI`,
      { detail: FAULT_DETAIL.invalidValue },
    );
  if (className !== undefined && className !== lastClassName && !CLASS_NAME.test(className))
    throw unreachable(uri, 'does not end in a class name');
  const ns = om.repo.findNamespace(namespace);
  if (!ns) throw unreachable(uri, `names namespace "${namespace.slice(0, 100)}", which does not exist`);
  if (className !== undefined) {
    const cls = ns.get(className);
    if (!cls) throw unreachable(uri, `names class "${className}", which ${ns.name} does not have`);
    className = cls.name;
    lastClassName = split.className;
  }
  return { ns, className, uri, keys };
}

/**
 * The instance name the selectors give (DSP0227 §7.4): every key of the class, no other selector; reference keys
 * as nested EPRs. Missing keys are InsufficientSelectors, others UnexpectedSelectors.
 *
 * @example
 * instanceNameOf(om, resolveResource(om, uri, selectors)); // { className: 'Vessel_ComputerSystem', keys: {...} }
 */
export function instanceNameOf(om: ObjectManager, r: Resource, depth = 0): CimInstanceName {
  if (r.className === undefined)
    throw new WsmanFault('WSMAN_DESTINATION_UNREACHABLE', 'A "*" resource URI names no single instance', {
      detail: FAULT_DETAIL.invalidResourceUri,
    });
  const cls = r.ns.require(r.className);
  const keys: Record<string, string | CimInstanceName> = {};
  for (const [k, v] of r.keys) {
    const p = cls.propertyIndex.get(k.toLowerCase());
    if (!p || !cls.keys.includes(p))
      throw new WsmanFault('WSMAN_INVALID_SELECTORS', `${cls.name} has no key "${k.slice(0, 64)}"`, {
        detail: FAULT_DETAIL.unexpectedSelectors,
      });
    if (p.type === 'reference') {
      if (typeof v === 'string')
        throw new WsmanFault('WSMAN_INVALID_SELECTORS', `Selector ${p.name} must be an endpoint reference`, {
          detail: FAULT_DETAIL.invalidValue,
        });
      keys[p.name] = referenceOf(om, v, depth + 1);
    } else {
      if (typeof v !== 'string')
        throw new WsmanFault('WSMAN_INVALID_SELECTORS', `Selector ${p.name} must be text`, {
          detail: FAULT_DETAIL.invalidValue,
        });
      keys[p.name] = v;
    }
  }
  let complete = true;
  for (const k of cls.keys) if (keys[k.name] === undefined) complete = false;
  const missing = complete ? [] : cls.keys.filter((k) => keys[k.name] === undefined).map((k) => k.name);
  if (missing.length > 0)
    throw new WsmanFault(
      'WSMAN_INVALID_SELECTORS',
      `Selectors missing for ${cls.name}: ${missing.join(', ')}`,
      {
        detail: FAULT_DETAIL.insufficientSelectors,
      },
    );
  return { className: cls.name, keys, namespace: r.ns.name };
}

/** Deepest nesting of references inside references (a reference key naming an association). */
const MAX_REFERENCE_DEPTH = 4;

/**
 * The instance an endpoint reference names (DSP0227 §7.5): `wsa:ReferenceParameters` (or, as some clients send,
 * the EPR element itself) with a ResourceURI and a SelectorSet.
 *
 * @example
 * referenceOf(om, affectedSystemElement); // the instance name its SelectorSet gives
 */
export function referenceOf(om: ObjectManager, epr: XmlElement, depth = 0): CimInstanceName {
  if (depth > MAX_REFERENCE_DEPTH)
    throw new WsmanFault('WSMAN_INVALID_SELECTORS', 'References are nested too deeply', {
      detail: FAULT_DETAIL.invalidValue,
    });
  const params = childElements(epr, NS.wsa, 'ReferenceParameters')[0] ?? epr;
  const uriEl = childElements(params, NS.wsman, 'ResourceURI')[0];
  const selectors = new Map<string, string | XmlElement>();
  const set = childElements(params, NS.wsman, 'SelectorSet')[0];
  if (set) readSelectors(set, selectors);
  try {
    return instanceNameOf(
      om,
      resolveResource(om, uriEl ? textContent(uriEl).trim() : undefined, selectors),
      depth,
    );
  } catch (e) {
    if (e instanceof WsmanFault && e.code !== 'WSMAN_INVALID_SELECTORS')
      throw new CimError('CIM_ERR_INVALID_PARAMETER', `A reference is not valid: ${e.message}`, { cause: e });
    throw e;
  }
}
