import {
  CIM_TYPES,
  type CimInstance,
  type CimInstanceName,
  type CimScalar,
  type CimType,
  type CimValue,
} from '../../cim/index.js';
import type { XmlElement } from '../../xml/index.js';
import { attr, expectName, invalid, kids, leafText, onlyChild, optAttr } from './xml-read.js';

/** The most key bindings an instance name may have (CIM classes have a handful of keys). */
export const MAX_KEYS = 64;

/** Sets an own property even for the name `__proto__`, which plain assignment would take as the prototype. */
function setOwn<T>(o: Record<string, T>, key: string, value: T): void {
  // defineProperty only where it is needed: it turns the object into a slow dictionary.
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

/** `<LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/>` → `root/virt`. */
export function decodeLocalNamespacePath(el: XmlElement): string {
  expectName(el, 'LOCALNAMESPACEPATH');
  const parts = kids(el).map((n) => {
    expectName(n, 'NAMESPACE');
    return attr(n, 'NAME');
  });
  if (parts.length === 0) invalid(el, '<LOCALNAMESPACEPATH> has no <NAMESPACE>');
  return parts.join('/');
}

/** `<NAMESPACEPATH><HOST>h</HOST><LOCALNAMESPACEPATH>..` → host and namespace. */
export function decodeNamespacePath(el: XmlElement): { host: string; namespace: string } {
  expectName(el, 'NAMESPACEPATH');
  const [h, l] = kids(el);
  if (!h || !l) invalid(el, '<NAMESPACEPATH> needs <HOST> and <LOCALNAMESPACEPATH>');
  expectName(h, 'HOST');
  return { host: leafText(h), namespace: decodeLocalNamespacePath(l) };
}

/** Decodes INSTANCENAME (DSP0201 §3.2.4.10): class name and key bindings. */
export function decodeInstanceName(el: XmlElement): CimInstanceName {
  expectName(el, 'INSTANCENAME');
  const keys: Record<string, string | CimInstanceName> = {};
  const bindings = kids(el);
  // Paths are compared key by key (samePath), so a path with thousands of keys would cost quadratic time.
  if (bindings.length > MAX_KEYS)
    invalid(el, `<INSTANCENAME> has ${bindings.length} key bindings; at most ${MAX_KEYS} are accepted`);
  for (const kb of bindings) {
    if (kb.local === 'KEYVALUE') {
      setOwn(keys, '', keyValue(kb));
      continue;
    }
    if (kb.local === 'VALUE.REFERENCE') {
      setOwn(keys, '', decodeReference(kb));
      continue;
    }
    expectName(kb, 'KEYBINDING');
    const v = onlyChild(kb, '<KEYVALUE> or <VALUE.REFERENCE>');
    expectName(v, 'KEYVALUE', 'VALUE.REFERENCE');
    if (v.local === 'VALUE.REFERENCE' && !/INSTANCE/.test(onlyChild(v, 'path').local))
      invalid(v, `Key ${attr(kb, 'NAME')} refers to a class; a key can only refer to an instance (DSP0004)`);
    setOwn(keys, attr(kb, 'NAME'), v.local === 'KEYVALUE' ? keyValue(v) : decodeReference(v));
  }
  return { className: attr(el, 'CLASSNAME'), keys };
}

/** KEYVALUE text without surrounding whitespace (OpenPegasus and pywbem read indented key values this way). */
function keyValue(el: XmlElement): string {
  const t = leafText(el).trim();
  return optAttr(el, 'VALUETYPE') === 'boolean' ? t.toLowerCase() : t;
}

/** INSTANCEPATH, LOCALINSTANCEPATH or INSTANCENAME → an instance name with namespace/host when given. */
export function decodeAnyInstancePath(el: XmlElement): CimInstanceName {
  if (el.local === 'INSTANCENAME') return decodeInstanceName(el);
  if (el.local === 'LOCALINSTANCEPATH') {
    const [ns, name] = kids(el);
    if (!ns || !name) invalid(el, '<LOCALINSTANCEPATH> needs <LOCALNAMESPACEPATH> and <INSTANCENAME>');
    return { ...decodeInstanceName(name), namespace: decodeLocalNamespacePath(ns) };
  }
  expectName(el, 'INSTANCEPATH');
  const [nsp, name] = kids(el);
  if (!nsp || !name) invalid(el, '<INSTANCEPATH> needs <NAMESPACEPATH> and <INSTANCENAME>');
  const { host, namespace } = decodeNamespacePath(nsp);
  return { ...decodeInstanceName(name), namespace, host };
}

/** A class path in any of its forms → class name and namespace. */
export function decodeAnyClassPath(el: XmlElement): { className: string; namespace?: string } {
  if (el.local === 'CLASSNAME') return { className: attr(el, 'NAME') };
  if (el.local === 'LOCALCLASSPATH') {
    const [ns, cn] = kids(el);
    if (!ns || !cn) invalid(el, '<LOCALCLASSPATH> needs <LOCALNAMESPACEPATH> and <CLASSNAME>');
    return { className: attr(cn, 'NAME'), namespace: decodeLocalNamespacePath(ns) };
  }
  expectName(el, 'CLASSPATH');
  const [nsp, cn] = kids(el);
  if (!nsp || !cn) invalid(el, '<CLASSPATH> needs <NAMESPACEPATH> and <CLASSNAME>');
  return { className: attr(cn, 'NAME'), namespace: decodeNamespacePath(nsp).namespace };
}

/** VALUE.REFERENCE → instance name (a class path becomes an instance name without keys). */
export function decodeReference(el: XmlElement): CimInstanceName {
  expectName(el, 'VALUE.REFERENCE');
  const c = onlyChild(el, 'path');
  if (c.local.startsWith('INSTANCE') || c.local === 'LOCALINSTANCEPATH') return decodeAnyInstancePath(c);
  const cp = decodeAnyClassPath(c);
  return { className: cp.className, keys: {}, namespace: cp.namespace };
}

/**
 * Decodes a value element: VALUE (text), VALUE.ARRAY, VALUE.REFERENCE, VALUE.REFARRAY; NULL array members are
 * dropped. With `type` boolean text is normalised to `true`/`false`.
 */
export function decodeValue(el: XmlElement, type?: string): CimValue {
  switch (el.local) {
    case 'VALUE':
      return scalarText(el, type);
    case 'VALUE.ARRAY':
      return kids(el)
        .filter((v) => v.local !== 'VALUE.NULL')
        .map((v) => {
          expectName(v, 'VALUE');
          return scalarText(v, type);
        });
    case 'VALUE.REFERENCE':
      return decodeReference(el);
    case 'VALUE.REFARRAY':
      return kids(el)
        .filter((v) => v.local !== 'VALUE.NULL')
        .map((v) => decodeReference(v));
    default:
      return invalid(el, `<${el.local}> is not a value`);
  }
}

function scalarText(el: XmlElement, type: string | undefined): string {
  const t = leafText(el);
  return type === 'boolean' ? t.trim().toLowerCase() : t;
}

/** A declared property type as read from an instance, for callers that need it (clients, tests). */
export interface DecodedPropertyType {
  name: string;
  type: CimType;
  isArray: boolean;
  referenceClass?: string | undefined;
  embeddedObject?: string | undefined;
}

/**
 * Decodes INSTANCE (DSP0201 §3.2.6.2). Embedded objects (`EmbeddedObject="instance"`) are decoded into nested
 * instances by `embedded`, when given; otherwise they stay text.
 */
export function decodeInstance(
  el: XmlElement,
  embedded?: (text: string) => CimInstance,
  types?: DecodedPropertyType[],
): CimInstance {
  expectName(el, 'INSTANCE');
  const properties: Record<string, CimValue | undefined> = {};
  for (const p of kids(el)) {
    if (p.local === 'QUALIFIER') continue;
    expectName(p, 'PROPERTY', 'PROPERTY.ARRAY', 'PROPERTY.REFERENCE');
    const name = attr(p, 'NAME');
    const isRef = p.local === 'PROPERTY.REFERENCE';
    const type = isRef ? 'reference' : attr(p, 'TYPE');
    if (!CIM_TYPES.has(type)) invalid(p, `Property ${name} has unknown TYPE "${type}"`);
    const eo = optAttr(p, 'EmbeddedObject') ?? optAttr(p, 'EMBEDDEDOBJECT');
    types?.push({
      name,
      type: type as CimType,
      isArray: p.local === 'PROPERTY.ARRAY',
      referenceClass: optAttr(p, 'REFERENCECLASS'),
      embeddedObject: eo,
    });
    const v = kids(p).find((c) => c.local !== 'QUALIFIER');
    if (!v) continue;
    let value = decodeValue(v, type);
    if (eo && embedded) value = mapEmbedded(value, embedded);
    setOwn(properties, name, value);
  }
  return { className: attr(el, 'CLASSNAME'), properties };
}

/** Turns embedded-object text (one or an array) into instances with `decode`. */
export function mapEmbedded(value: CimValue, decode: (text: string) => CimInstance): CimValue {
  const one = (s: CimScalar): CimScalar => (typeof s === 'string' ? decode(s) : s);
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** VALUE.NAMEDINSTANCE / VALUE.INSTANCEWITHPATH / VALUE.OBJECTWITHPATH → instance with its path. */
export function decodeInstanceWithPath(
  el: XmlElement,
  embedded?: (text: string) => CimInstance,
): CimInstance {
  const [p, i] = kids(el);
  if (!p || !i) invalid(el, `<${el.local}> needs a path and an <INSTANCE>`);
  const inst = decodeInstance(i, embedded);
  inst.path = decodeAnyInstancePath(p);
  return inst;
}
