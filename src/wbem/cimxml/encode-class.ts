import type {
  CimClass,
  CimMethodDecl,
  CimParameterDecl,
  CimPropertyDecl,
  CimQualifier,
} from '../../cim/index.js';
import { qualifierXml } from './encode-qualifier.js';
import { xmlAttr, xmlText } from './escape.js';

/** GetClass / EnumerateClasses options (DSP0200 §5.3.2.1). */
export interface ClassEncodeOptions {
  localOnly: boolean;
  includeQualifiers: boolean;
  includeClassOrigin: boolean;
  /** Lower-case property names to keep; absent = all. */
  propertyList?: ReadonlySet<string> | undefined;
}

/**
 * Encodes a CLASS element with its properties (with Key and other qualifiers), methods and parameters, as
 * wbemcli and pywbem need to type method parameters and find keys.
 */
export function encodeClass(cls: CimClass, o: ClassEncodeOptions): string {
  let s = `<CLASS NAME="${xmlAttr(cls.name)}"`;
  if (cls.superClass) s += ` SUPERCLASS="${xmlAttr(cls.superClass)}"`;
  s += '>';
  if (o.includeQualifiers) {
    const localNames = new Set(cls.local.qualifiers.map((q) => q.name.toLowerCase()));
    for (const q of cls.qualifiers) {
      const propagated = !localNames.has(q.name.toLowerCase());
      if (o.localOnly && propagated) continue;
      s += qualifierXml(q, propagated);
    }
  }
  for (const p of cls.properties) {
    if (o.localOnly && p.propagated) continue;
    if (o.propertyList && !o.propertyList.has(p.name.toLowerCase())) continue;
    s += propertyDeclXml(p, o);
  }
  for (const m of cls.methods) {
    if (o.localOnly && m.propagated) continue;
    s += methodXml(m, o);
  }
  return `${s}</CLASS>`;
}

function origin(o: ClassEncodeOptions, name: string | undefined, propagated: boolean | undefined): string {
  let s = '';
  if (o.includeClassOrigin && name) s += ` CLASSORIGIN="${xmlAttr(name)}"`;
  if (propagated) s += ' PROPAGATED="true"';
  return s;
}

function quals(list: CimQualifier[], o: ClassEncodeOptions): string {
  if (!o.includeQualifiers) return '';
  let s = '';
  for (const q of list) s += qualifierXml(q);
  return s;
}

function propertyDeclXml(p: CimPropertyDecl, o: ClassEncodeOptions): string {
  const attrs = origin(o, p.classOrigin, p.propagated);
  const q = quals(p.qualifiers, o);
  if (p.type === 'reference') {
    const rc = p.referenceClass ? ` REFERENCECLASS="${xmlAttr(p.referenceClass)}"` : '';
    return `<PROPERTY.REFERENCE NAME="${xmlAttr(p.name)}"${rc}${attrs}>${q}</PROPERTY.REFERENCE>`;
  }
  if (p.isArray) {
    const size = p.arraySize !== undefined ? ` ARRAYSIZE="${p.arraySize}"` : '';
    let d = '';
    if (Array.isArray(p.defaultValue))
      d = `<VALUE.ARRAY>${p.defaultValue.map((v) => `<VALUE>${xmlText(v)}</VALUE>`).join('')}</VALUE.ARRAY>`;
    return `<PROPERTY.ARRAY NAME="${xmlAttr(p.name)}" TYPE="${p.type}"${size}${attrs}>${q}${d}</PROPERTY.ARRAY>`;
  }
  const d =
    typeof p.defaultValue === 'string'
      ? `<VALUE>${xmlText(p.type === 'boolean' ? p.defaultValue.toUpperCase() : p.defaultValue)}</VALUE>`
      : '';
  return `<PROPERTY NAME="${xmlAttr(p.name)}" TYPE="${p.type}"${attrs}>${q}${d}</PROPERTY>`;
}

function methodXml(m: CimMethodDecl, o: ClassEncodeOptions): string {
  let s = `<METHOD NAME="${xmlAttr(m.name)}" TYPE="${m.returnType}"${origin(o, m.classOrigin, m.propagated)}>`;
  s += quals(m.qualifiers, o);
  for (const p of m.parameters) s += parameterXml(p, o);
  return `${s}</METHOD>`;
}

function parameterXml(p: CimParameterDecl, o: ClassEncodeOptions): string {
  const n = ` NAME="${xmlAttr(p.name)}"`;
  const size = p.arraySize !== undefined ? ` ARRAYSIZE="${p.arraySize}"` : '';
  const q = quals(p.qualifiers, o);
  if (p.type === 'reference') {
    const rc = p.referenceClass ? ` REFERENCECLASS="${xmlAttr(p.referenceClass)}"` : '';
    return p.isArray
      ? `<PARAMETER.REFARRAY${n}${rc}${size}>${q}</PARAMETER.REFARRAY>`
      : `<PARAMETER.REFERENCE${n}${rc}>${q}</PARAMETER.REFERENCE>`;
  }
  return p.isArray
    ? `<PARAMETER.ARRAY${n} TYPE="${p.type}"${size}>${q}</PARAMETER.ARRAY>`
    : `<PARAMETER${n} TYPE="${p.type}">${q}</PARAMETER>`;
}
