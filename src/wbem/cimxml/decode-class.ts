import {
  CIM_TYPES,
  type CimClassDecl,
  type CimMethodDecl,
  type CimParameterDecl,
  type CimPropertyDecl,
  type CimQualifier,
  type CimType,
} from '../../cim/index.js';
import type { XmlElement } from '../../xml/index.js';
import { decodeValue } from './decode-values.js';
import { attr, expectName, invalid, kids, optAttr } from './xml-read.js';

function type(el: XmlElement, name = 'TYPE'): CimType {
  const t = attr(el, name);
  if (!CIM_TYPES.has(t)) invalid(el, `Unknown CIM type "${t}"`);
  return t as CimType;
}

/** QUALIFIER (DSP0201 §3.2.6.3). */
export function decodeQualifier(el: XmlElement): CimQualifier {
  expectName(el, 'QUALIFIER');
  const v = kids(el)[0];
  const t = type(el);
  const value = v ? decodeValue(v, t) : undefined;
  return {
    name: attr(el, 'NAME'),
    type: t,
    value: value as string | string[] | undefined,
    toSubclass: optAttr(el, 'TOSUBCLASS') !== 'false',
    overridable: optAttr(el, 'OVERRIDABLE') !== 'false',
    translatable: optAttr(el, 'TRANSLATABLE') === 'true',
  };
}

function qualifiersOf(el: XmlElement): CimQualifier[] {
  return kids(el)
    .filter((c) => c.local === 'QUALIFIER')
    .map(decodeQualifier);
}

function property(el: XmlElement): CimPropertyDecl {
  const isRef = el.local === 'PROPERTY.REFERENCE';
  const v = kids(el).find((c) => c.local !== 'QUALIFIER');
  const t = isRef ? 'reference' : type(el);
  const size = optAttr(el, 'ARRAYSIZE');
  return {
    name: attr(el, 'NAME'),
    type: t,
    isArray: el.local === 'PROPERTY.ARRAY',
    arraySize: size === undefined ? undefined : Number(size),
    referenceClass: optAttr(el, 'REFERENCECLASS'),
    qualifiers: qualifiersOf(el),
    defaultValue: v && !isRef ? (decodeValue(v, t) as string | string[]) : undefined,
    classOrigin: optAttr(el, 'CLASSORIGIN'),
    propagated: optAttr(el, 'PROPAGATED') === 'true',
  };
}

function parameter(el: XmlElement): CimParameterDecl {
  const size = optAttr(el, 'ARRAYSIZE');
  const isRef = el.local === 'PARAMETER.REFERENCE' || el.local === 'PARAMETER.REFARRAY';
  return {
    name: attr(el, 'NAME'),
    type: isRef ? 'reference' : type(el),
    isArray: el.local === 'PARAMETER.ARRAY' || el.local === 'PARAMETER.REFARRAY',
    arraySize: size === undefined ? undefined : Number(size),
    referenceClass: optAttr(el, 'REFERENCECLASS'),
    qualifiers: qualifiersOf(el),
  };
}

function method(el: XmlElement): CimMethodDecl {
  return {
    name: attr(el, 'NAME'),
    returnType: type(el),
    qualifiers: qualifiersOf(el),
    parameters: kids(el)
      .filter((c) => c.local.startsWith('PARAMETER'))
      .map(parameter),
    classOrigin: optAttr(el, 'CLASSORIGIN'),
    propagated: optAttr(el, 'PROPAGATED') === 'true',
  };
}

/** CLASS (DSP0201 §3.2.6.1) → a class declaration with its properties, methods and qualifiers. */
export function decodeClass(el: XmlElement): CimClassDecl {
  expectName(el, 'CLASS');
  const properties: CimPropertyDecl[] = [];
  const methods: CimMethodDecl[] = [];
  for (const c of kids(el)) {
    if (c.local.startsWith('PROPERTY')) properties.push(property(c));
    else if (c.local === 'METHOD') methods.push(method(c));
    else if (c.local !== 'QUALIFIER') invalid(c, `<${c.local}> is not allowed in <CLASS>`);
  }
  return {
    name: attr(el, 'NAME'),
    superClass: optAttr(el, 'SUPERCLASS'),
    qualifiers: qualifiersOf(el),
    properties,
    methods,
  };
}
