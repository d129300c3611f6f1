import {
  CimError,
  type CimInstance,
  type CimNamespace,
  type CimQualifier,
  type CimScalar,
  type CimType,
  type CimValue,
  hasQualifier,
  type ObjectManager,
  parseEmbeddedInstance,
  qualifierValue,
} from '../../cim/index.js';
import { childElements, getAttr, textContent, type XmlElement } from '../../xml/index.js';
import { embeddedFromXml, MAX_EMBEDDED_CHARS } from '../cimxml/dispatch-method.js';
import { NS } from './names.js';
import { referenceOf } from './resource.js';

/** A declared property or parameter, as far as decoding needs it. */
export interface ValueDecl {
  name: string;
  type: CimType;
  isArray: boolean;
  qualifiers: readonly CimQualifier[];
}

/** Deepest nesting of embedded instances read. */
const MAX_EMBEDDED_DEPTH = 4;

function isNil(el: XmlElement): boolean {
  const v = getAttr(el, NS.xsi, 'nil');
  return v === 'true' || v === '1';
}

/**
 * An embedded instance given in any of the three forms clients send (DSP0230 §7.3 and the CIM-XML habit of
 * WS-Man clients): the typed element of its class, or text holding CIM-XML (`<INSTANCE>`, escaped or as CDATA) or
 * MOF, read by the CIM-XML edge's bounded reader.
 */
function embeddedOf(om: ObjectManager, ns: CimNamespace, el: XmlElement, depth: number): CimInstance {
  const typed = childElements(el)[0];
  if (typed) return decodeInstanceElement(om, ns, typed, depth + 1);
  const text = textContent(el).trim();
  if (text.length > MAX_EMBEDDED_CHARS)
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `An embedded instance of ${text.length} characters is over the limit of ${MAX_EMBEDDED_CHARS}`,
    );
  try {
    return parseEmbeddedInstance(text, embeddedFromXml);
  } catch (e) {
    if (e instanceof CimError) throw e;
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `An embedded instance cannot be read: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

/**
 * One value element typed by its declaration.
 *
 * @example
 * decodeWsmanValue(om, ns, { name: 'RequestedState', type: 'uint16', isArray: false, qualifiers: [] }, el); // '2'
 */
export function decodeWsmanValue(
  om: ObjectManager,
  ns: CimNamespace,
  decl: ValueDecl,
  el: XmlElement,
  depth = 0,
): CimScalar | undefined {
  if (isNil(el)) return undefined;
  if (decl.type === 'reference') return referenceOf(om, el);
  const embedded =
    qualifierValue(decl.qualifiers, 'EmbeddedInstance') !== undefined ||
    hasQualifier(decl.qualifiers, 'EmbeddedObject');
  if (embedded) {
    if (depth >= MAX_EMBEDDED_DEPTH)
      throw new CimError('CIM_ERR_INVALID_PARAMETER', 'Embedded instances are nested too deeply');
    return embeddedOf(om, ns, el, depth);
  }
  const inner = childElements(el)[0];
  if (inner) {
    if (decl.type === 'datetime' && inner.ns === NS.cim) return textContent(inner).trim();
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `${decl.name} must be a ${decl.type} value, not an element`,
    );
  }
  const text = textContent(el);
  return decl.type === 'string' ? text : text.trim();
}

/**
 * Collects the value elements of a property or parameter list (arrays as repeated elements) by the declarations;
 * an element no declaration names is `unknown`'s error.
 *
 * @example
 * decodeValues(om, ns, childElements(input), (n) => decl.parameters.find((p) => p.name === n), unknown);
 */
export function decodeValues(
  om: ObjectManager,
  ns: CimNamespace,
  elements: XmlElement[],
  declOf: (name: string) => ValueDecl | undefined,
  unknown: (name: string) => CimError,
  depth = 0,
): Record<string, CimValue | undefined> {
  const out: Record<string, CimValue | undefined> = {};
  const seen = new Set<string>();
  for (const el of elements) {
    const d = declOf(el.local);
    if (!d) throw unknown(el.local);
    const v = decodeWsmanValue(om, ns, d, el, depth);
    if (d.isArray) {
      const list = (out[d.name] as CimScalar[] | undefined) ?? [];
      if (v !== undefined) list.push(v);
      out[d.name] = list;
    } else {
      if (seen.has(d.name))
        throw new CimError(
          'CIM_ERR_INVALID_PARAMETER',
          `${d.name} is a single value but is given more than once`,
        );
      out[d.name] = v;
    }
    seen.add(d.name);
  }
  return out;
}

/**
 * An instance from the typed element of its class (DSP0230): what Put sends, and typed embedded instances.
 *
 * @example
 * decodeInstanceElement(om, ns, putBody); // { className: 'Vessel_ResourceAllocationSettingData', properties: { VirtualQuantity: '3' } }
 */
export function decodeInstanceElement(
  om: ObjectManager,
  ns: CimNamespace,
  el: XmlElement,
  depth = 0,
): CimInstance {
  const cls =
    ns.get(el.local) ??
    om.repo
      .namespaces()
      .map((n) => om.repo.namespace(n).get(el.local))
      .find(Boolean);
  if (!cls) throw new CimError('CIM_ERR_INVALID_CLASS', `No class "${el.local.slice(0, 64)}"`);
  const properties = decodeValues(
    om,
    ns,
    childElements(el),
    (n) => cls.propertyIndex.get(n.toLowerCase()),
    (n) => new CimError('CIM_ERR_NO_SUCH_PROPERTY', `${cls.name} has no property "${n.slice(0, 64)}"`),
    depth,
  );
  return { className: cls.name, properties };
}
