import {
  type CimClass,
  type CimInstance,
  type CimInstanceName,
  type CimPropertyDecl,
  type CimScalar,
  type CimType,
  type CimValue,
  isInstance,
  isInstanceName,
  isNumericType,
  qualifierValue,
} from '../../cim/index.js';
import { qualifierXml } from './encode-qualifier.js';
import { xmlAttr, xmlText } from './escape.js';

export { xmlAttr, xmlText };

/** Finds a class by name for the encoder (types of keys and properties); undefined means "unknown, use string". */
export type ClassLookup = (className: string) => CimClass | undefined;

/** `root/virt` → `<LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH>`. */
export function encodeLocalNamespacePath(ns: string): string {
  let s = '<LOCALNAMESPACEPATH>';
  for (const part of ns.split('/')) if (part) s += `<NAMESPACE NAME="${xmlAttr(part)}"/>`;
  return `${s}</LOCALNAMESPACEPATH>`;
}

/** INSTANCENAME with KEYVALUE types taken from the class declaration. */
export function encodeInstanceName(name: CimInstanceName, lookup: ClassLookup): string {
  const cls = lookup(name.className);
  let s = `<INSTANCENAME CLASSNAME="${xmlAttr(name.className)}">`;
  for (const k in name.keys) {
    const v = name.keys[k]!;
    s += `<KEYBINDING NAME="${xmlAttr(k)}">`;
    if (typeof v === 'string') {
      const t = cls?.propertyIndex.get(k.toLowerCase())?.type ?? 'string';
      const vt = t === 'boolean' ? 'boolean' : isNumericType(t) ? 'numeric' : 'string';
      const text = t === 'boolean' ? v.toUpperCase() : v;
      s += `<KEYVALUE VALUETYPE="${vt}">${xmlText(text)}</KEYVALUE>`;
    } else s += encodeReference(v, lookup);
    s += '</KEYBINDING>';
  }
  return `${s}</INSTANCENAME>`;
}

/** An instance path: INSTANCEPATH with host, LOCALINSTANCEPATH without, INSTANCENAME without namespace. */
export function encodeAnyInstancePath(name: CimInstanceName, lookup: ClassLookup): string {
  if (name.namespace === undefined) return encodeInstanceName(name, lookup);
  const local = encodeLocalNamespacePath(name.namespace);
  if (name.host === undefined)
    return `<LOCALINSTANCEPATH>${local}${encodeInstanceName(name, lookup)}</LOCALINSTANCEPATH>`;
  return `<INSTANCEPATH><NAMESPACEPATH><HOST>${xmlText(name.host)}</HOST>${local}</NAMESPACEPATH>${encodeInstanceName(name, lookup)}</INSTANCEPATH>`;
}

/** An INSTANCEPATH, with the given host and namespace when the name has none (pull and associator results). */
export function encodeInstancePath(
  name: CimInstanceName,
  host: string,
  namespace: string,
  lookup: ClassLookup,
): string {
  return encodeAnyInstancePath(
    { ...name, host: name.host ?? host, namespace: name.namespace ?? namespace },
    lookup,
  );
}

/** VALUE.REFERENCE around a path. */
export function encodeReference(name: CimInstanceName, lookup: ClassLookup): string {
  return `<VALUE.REFERENCE>${encodeAnyInstancePath(name, lookup)}</VALUE.REFERENCE>`;
}

/** The text form of a scalar of a given type (booleans in upper case, as CIM-XML writes them). */
function scalarText(type: CimType, v: string): string {
  return type === 'boolean' ? (v === 'true' ? 'TRUE' : v === 'false' ? 'FALSE' : v.toUpperCase()) : v;
}

/** A VALUE / VALUE.ARRAY / VALUE.REFERENCE / VALUE.REFARRAY for a value of a declared type. */
export function encodeValue(type: CimType, value: CimValue, lookup: ClassLookup): string {
  if (Array.isArray(value)) {
    if (type === 'reference') {
      let s = '<VALUE.REFARRAY>';
      for (const v of value) if (isInstanceName(v)) s += encodeReference(v, lookup);
      return `${s}</VALUE.REFARRAY>`;
    }
    let s = '<VALUE.ARRAY>';
    for (const v of value) s += `<VALUE>${scalarXml(type, v, lookup)}</VALUE>`;
    return `${s}</VALUE.ARRAY>`;
  }
  if (isInstanceName(value)) return encodeReference(value, lookup);
  return `<VALUE>${scalarXml(type, value, lookup)}</VALUE>`;
}

function scalarXml(type: CimType, v: CimScalar, lookup: ClassLookup): string {
  if (typeof v === 'string') return xmlText(scalarText(type, v));
  if (isInstance(v)) return xmlText(encodeInstance(v, lookup));
  return xmlText(encodeInstanceName(v, lookup));
}

/** Which properties to write, and whether to write CLASSORIGIN. */
export interface InstanceEncodeOptions {
  includeClassOrigin?: boolean;
  /** Write each property's qualifiers from the class (IncludeQualifiers, deprecated for instances in DSP0200). */
  includeQualifiers?: boolean;
  /** Keep a property? Absent = all. */
  filter?: ((p: CimPropertyDecl) => boolean) | undefined;
}

/**
 * Encodes an INSTANCE: every property of its class in declaration order (NULL ones without a VALUE), or the
 * properties the instance holds when its class is unknown. Embedded instances are written as escaped CIM-XML
 * with `EmbeddedObject="instance"`.
 */
export function encodeInstance(
  inst: CimInstance,
  lookup: ClassLookup,
  opts: InstanceEncodeOptions = {},
): string {
  const cls = lookup(inst.className);
  let s = `<INSTANCE CLASSNAME="${xmlAttr(inst.className)}">`;
  if (!cls) {
    for (const [k, v] of Object.entries(inst.properties)) {
      if (v === undefined) continue;
      const type: CimType = isInstanceName(Array.isArray(v) ? v[0] : v) ? 'reference' : 'string';
      s += propertyXml({ name: k, type, isArray: Array.isArray(v), qualifiers: [] }, v, lookup, false);
    }
    return `${s}</INSTANCE>`;
  }
  const props = inst.properties;
  for (const p of cls.properties) {
    if (opts.filter && !opts.filter(p)) continue;
    s += propertyXml(
      p,
      props[p.name],
      lookup,
      opts.includeClassOrigin ?? false,
      opts.includeQualifiers ?? false,
    );
  }
  return `${s}</INSTANCE>`;
}

const openCache = new WeakMap<CimPropertyDecl, [string, string, string]>();

function propertyOpen(p: CimPropertyDecl, origin: boolean): [string, string] {
  let c = openCache.get(p);
  if (!c) {
    const el = p.type === 'reference' ? 'PROPERTY.REFERENCE' : p.isArray ? 'PROPERTY.ARRAY' : 'PROPERTY';
    let a = `<${el} NAME="${xmlAttr(p.name)}"`;
    if (p.type === 'reference') {
      if (p.referenceClass) a += ` REFERENCECLASS="${xmlAttr(p.referenceClass)}"`;
    } else a += ` TYPE="${p.type}"`;
    const eo = qualifierValue(p.qualifiers, 'EmbeddedInstance');
    if (eo !== undefined) a += ' EmbeddedObject="instance"';
    else if (qualifierValue(p.qualifiers, 'EmbeddedObject') === 'true') a += ' EmbeddedObject="object"';
    const withOrigin = p.classOrigin ? `${a} CLASSORIGIN="${xmlAttr(p.classOrigin)}"` : a;
    c = [a, withOrigin, `</${el}>`];
    openCache.set(p, c);
  }
  return [origin ? c[1] : c[0], c[2]];
}

function propertyXml(
  p: CimPropertyDecl,
  v: CimValue | undefined,
  lookup: ClassLookup,
  origin: boolean,
  qualifiers = false,
): string {
  const [open, close] = propertyOpen(p, origin);
  const quals = qualifiers ? p.qualifiers.map((q) => qualifierXml(q)).join('') : '';
  // NULL as an empty element, not `<PROPERTY/>`: wbemcli's parser needs the end tag.
  if (v === undefined || (!p.isArray && Array.isArray(v))) return `${open}>${quals}${close}`;
  const value = p.isArray && !Array.isArray(v) ? [v] : v;
  return `${open}>${quals}${encodeValue(p.type, value as CimValue, lookup)}${close}`;
}
