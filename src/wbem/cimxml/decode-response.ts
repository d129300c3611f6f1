import {
  type CimClassDecl,
  CimError,
  type CimInstance,
  type CimInstanceName,
  type CimValue,
  statusName,
} from '../../cim/index.js';
import type { XmlElement } from '../../xml/index.js';
import { decodeClass } from './decode-class.js';
import {
  decodeAnyInstancePath,
  decodeInstance,
  decodeInstanceName,
  decodeInstanceWithPath,
  decodeValue,
  mapEmbedded,
} from './decode-values.js';
import { CimXmlError } from './errors.js';
import { attr, type CimXmlReadLimits, DEFAULT_READ_LIMITS, kids, optAttr, readCimXml } from './xml-read.js';

/** One item of an IRETURNVALUE. */
export type ReturnItem =
  | { kind: 'instance'; instance: CimInstance }
  | { kind: 'path'; path: CimInstanceName }
  | { kind: 'class'; decl: CimClassDecl }
  | { kind: 'classname'; name: string }
  | { kind: 'value'; value: CimValue }
  /** Something this client does not model (qualifier declarations). */
  | { kind: 'other'; element: string };

/** A decoded (I)METHODRESPONSE. */
export interface CimXmlResponse {
  messageId: string;
  method: string;
  intrinsic: boolean;
  /** IRETURNVALUE items (intrinsic), in order. */
  items: ReturnItem[];
  /** RETURNVALUE (extrinsic), as text; '' when the element is there without a value. */
  returnValue?: string | undefined;
  /** True when the response had an IRETURNVALUE element (even an empty one). */
  hasIReturnValue: boolean;
  /** PARAMVALUEs: OUT parameters, EndOfSequence, EnumerationContext. Embedded instances are decoded. */
  params: Record<string, CimValue | undefined>;
}

function responseError(message: string, el?: XmlElement): CimXmlError {
  return new CimXmlError(
    'CIMXML_RESPONSE_INVALID',
    `The CIM server's answer is not valid CIM-XML: ${message}`,
    {
      location: el ? { line: el.line, column: el.column } : undefined,
    },
  );
}

/** Reads an embedded INSTANCE given as escaped text; an embedded CLASS is kept as its text. */
function embeddedInstance(text: string): CimInstance {
  const root = readCimXml(text.trim());
  if (root.local === 'CLASS') return { className: '', properties: { '': text } };
  if (root.local !== 'INSTANCE') throw responseError(`an embedded object is <${root.local}>`);
  return decodeInstance(root, embeddedInstance);
}

function returnItem(el: XmlElement): ReturnItem {
  switch (el.local) {
    case 'INSTANCE':
      return { kind: 'instance', instance: decodeInstance(el, embeddedInstance) };
    case 'VALUE.OBJECT': {
      const c = kids(el)[0];
      if (!c) throw responseError('<VALUE.OBJECT> is empty', el);
      return returnItem(c);
    }
    case 'VALUE.OBJECTWITHPATH':
    case 'VALUE.OBJECTWITHLOCALPATH': {
      const c = kids(el)[1];
      if (c?.local === 'CLASS') return { kind: 'class', decl: decodeClass(c) };
      return { kind: 'instance', instance: decodeInstanceWithPath(el, embeddedInstance) };
    }
    case 'VALUE.NAMEDINSTANCE':
    case 'VALUE.INSTANCEWITHPATH':
      return { kind: 'instance', instance: decodeInstanceWithPath(el, embeddedInstance) };
    case 'QUALIFIER.DECLARATION':
      return { kind: 'other', element: el.local };
    case 'INSTANCENAME':
      return { kind: 'path', path: decodeInstanceName(el) };
    case 'INSTANCEPATH':
    case 'LOCALINSTANCEPATH':
      return { kind: 'path', path: decodeAnyInstancePath(el) };
    case 'OBJECTPATH': {
      const c = kids(el)[0];
      if (!c) throw responseError('<OBJECTPATH> is empty', el);
      if (c.local === 'CLASSPATH') return { kind: 'classname', name: attr(kids(c)[1] ?? c, 'NAME') };
      return { kind: 'path', path: decodeAnyInstancePath(c) };
    }
    case 'CLASS':
      return { kind: 'class', decl: decodeClass(el) };
    case 'CLASSNAME':
      return { kind: 'classname', name: attr(el, 'NAME') };
    default:
      return { kind: 'value', value: decodeValue(el) };
  }
}

/**
 * Decodes a CIM-XML response document. An `<ERROR>` becomes a thrown {@link CimError} with the server's status
 * and description; a document that is not a CIM-XML response is `CIMXML_RESPONSE_INVALID`.
 *
 * @example
 * const r = decodeResponse(body);
 * r.items.filter((i) => i.kind === 'instance');
 */
export function decodeResponse(
  input: string | Uint8Array,
  limits: CimXmlReadLimits = DEFAULT_READ_LIMITS,
): CimXmlResponse {
  let root: XmlElement;
  try {
    root = readCimXml(input, limits);
  } catch (e) {
    throw responseError((e as Error).message);
  }
  if (root.local !== 'CIM') throw responseError(`the root element is <${root.local}>`, root);
  const message = kids(root)[0];
  if (message?.local !== 'MESSAGE') throw responseError('<CIM> has no <MESSAGE>', root);
  const rsp = kids(message)[0];
  if (rsp?.local !== 'SIMPLERSP') throw responseError('<MESSAGE> has no <SIMPLERSP>', message);
  const m = kids(rsp)[0];
  if (!m || (m.local !== 'IMETHODRESPONSE' && m.local !== 'METHODRESPONSE'))
    throw responseError('<SIMPLERSP> has no method response', rsp);
  const out: CimXmlResponse = {
    messageId: attr(message, 'ID'),
    method: attr(m, 'NAME'),
    intrinsic: m.local === 'IMETHODRESPONSE',
    items: [],
    params: {},
    hasIReturnValue: false,
  };
  for (const c of kids(m)) {
    if (c.local === 'ERROR') {
      const code = Number(attr(c, 'CODE'));
      const name = statusName(code) ?? 'CIM_ERR_FAILED';
      const desc = optAttr(c, 'DESCRIPTION') ?? name;
      throw new CimError(name, desc.replace(new RegExp(`^${name}:\\s*`), ''));
    }
    if (c.local === 'IRETURNVALUE') {
      out.hasIReturnValue = true;
      out.items.push(...kids(c).map(returnItem));
    } else if (c.local === 'RETURNVALUE') {
      const v = kids(c)[0];
      out.returnValue = v ? String(decodeValue(v)) : '';
    } else if (c.local === 'PARAMVALUE') {
      const v = kids(c)[0];
      const type = optAttr(c, 'PARAMTYPE');
      const eo = optAttr(c, 'EmbeddedObject') ?? optAttr(c, 'EMBEDDEDOBJECT');
      let value: CimValue | undefined;
      if (v?.local === 'INSTANCENAME') value = decodeInstanceName(v);
      else if (v?.local === 'CLASS' || v?.local === 'INSTANCE') continue;
      else if (v) value = decodeValue(v, type);
      if (value !== undefined && eo) value = mapEmbedded(value, embeddedInstance);
      out.params[attr(c, 'NAME')] = value;
    }
  }
  return out;
}
