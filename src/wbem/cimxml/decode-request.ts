import type { CimInstance, CimInstanceName, CimValue } from '../../cim/index.js';
import type { XmlElement } from '../../xml/index.js';
import {
  decodeAnyClassPath,
  decodeAnyInstancePath,
  decodeInstance,
  decodeInstanceName,
  decodeInstanceWithPath,
  decodeLocalNamespacePath,
  decodeValue,
} from './decode-values.js';
import { CimXmlError } from './errors.js';
import {
  attr,
  type CimXmlReadLimits,
  DEFAULT_READ_LIMITS,
  expectName,
  invalid,
  kids,
  optAttr,
  readCimXml,
  readCimXmlAsync,
} from './xml-read.js';

/** The value of an intrinsic method's IPARAMVALUE, by the element it was written with. */
export type IParamValue =
  | { kind: 'value'; value: string }
  | { kind: 'array'; value: string[] }
  | { kind: 'reference'; value: CimInstanceName }
  | { kind: 'instancename'; value: CimInstanceName }
  | { kind: 'classname'; value: string }
  | { kind: 'instance'; value: CimInstance }
  | { kind: 'other'; element: string }
  | { kind: 'null' };

/** An extrinsic method's PARAMVALUE. `paramType` is absent when the client did not send one (wbemcli). */
export interface ParamValue {
  name: string;
  paramType?: string | undefined;
  /** `instance` or `object` when the client marked the value as an embedded object. */
  embeddedObject?: string | undefined;
  /** The value as sent; embedded objects are still text here. Absent = NULL. */
  value?: CimValue | undefined;
}

/** A decoded intrinsic operation call (DSP0200 §5.3). Parameter names are keyed in lower case. */
export interface IntrinsicCall {
  kind: 'intrinsic';
  messageId: string;
  protocolVersion: string;
  method: string;
  namespace: string;
  params: Map<string, { name: string; value: IParamValue }>;
}

/** A decoded extrinsic method call (DSP0200 §5.4) on an instance or (static) on a class. */
export interface ExtrinsicCall {
  kind: 'extrinsic';
  messageId: string;
  protocolVersion: string;
  method: string;
  namespace: string;
  /** The instance or, for a static method, the class (an instance name without keys). */
  target: CimInstanceName;
  targetIsClass: boolean;
  params: ParamValue[];
}

/** Either kind of call. */
export type CimXmlCall = IntrinsicCall | ExtrinsicCall;

/**
 * Decodes a CIM-XML request document (DSP0201 MESSAGE/SIMPLEREQ). Version and shape problems are
 * {@link CimXmlError}s that map to the HTTP status and `CIMError` header DSP0200 §7.5 prescribes. With
 * `headerProtocolVersion` (the CIMProtocolVersion header, 1.0 when absent) a body of another version is a
 * header mismatch, checked before the version itself, as OpenPegasus does.
 *
 * @example
 * const call = decodeRequest(body);
 * if (call.kind === 'intrinsic') call.params.get('classname');
 */
export function decodeRequest(
  input: string | Uint8Array,
  limits: CimXmlReadLimits = DEFAULT_READ_LIMITS,
  headerProtocolVersion?: string,
): CimXmlCall {
  return callOf(readCimXml(input, limits), headerProtocolVersion);
}

/**
 * {@link decodeRequest} for the server: the body is read in slices that give the event loop back (see
 * `readCimXmlAsync`), under the request limits.
 *
 * @example
 * const call = await decodeRequestAsync(body, DEFAULT_REQUEST_LIMITS, req.headers.cimprotocolversion);
 */
export async function decodeRequestAsync(
  input: string | Uint8Array,
  limits: CimXmlReadLimits,
  headerProtocolVersion?: string,
): Promise<CimXmlCall> {
  return callOf(await readCimXmlAsync(input, limits), headerProtocolVersion);
}

function callOf(root: XmlElement, headerProtocolVersion: string | undefined): CimXmlCall {
  if (root.local !== 'CIM' || root.ns !== '') invalid(root, `The root element is <${root.local}>, not <CIM>`);
  const cimVersion = attr(root, 'CIMVERSION');
  if (!/^2\.\d+/.test(cimVersion))
    throw new CimXmlError('CIMXML_UNSUPPORTED_CIM_VERSION', `CIMVERSION "${cimVersion}" is not supported`);
  const dtdVersion = attr(root, 'DTDVERSION');
  if (!/^2\.\d+/.test(dtdVersion))
    throw new CimXmlError('CIMXML_UNSUPPORTED_DTD_VERSION', `DTDVERSION "${dtdVersion}" is not supported`);
  const message = kids(root)[0];
  if (!message) invalid(root, '<CIM> has no <MESSAGE>');
  expectName(message, 'MESSAGE', 'DECLARATION');
  if (message.local !== 'MESSAGE') invalid(message, 'Declarations are not accepted in an operation request');
  const messageId = attr(message, 'ID');
  const protocolVersion = attr(message, 'PROTOCOLVERSION');
  if (headerProtocolVersion !== undefined && headerProtocolVersion !== protocolVersion)
    throw new CimXmlError(
      'CIMXML_HEADER_MISMATCH',
      `CIMProtocolVersion "${headerProtocolVersion}" does not match the request's protocol version "${protocolVersion}"`,
    );
  if (!/^1\.\d+/.test(protocolVersion))
    throw new CimXmlError(
      'CIMXML_UNSUPPORTED_PROTOCOL_VERSION',
      `PROTOCOLVERSION "${protocolVersion}" is not supported`,
    );
  const req = kids(message)[0];
  if (!req) invalid(message, '<MESSAGE> is empty');
  if (req.local === 'MULTIREQ')
    throw new CimXmlError('CIMXML_MULTIPLE_REQUESTS_UNSUPPORTED', 'Multiple requests are not supported');
  expectName(req, 'SIMPLEREQ');
  const call = kids(req).filter((c) => c.local !== 'CORRELATOR');
  if (call.length !== 1) invalid(req, '<SIMPLEREQ> must hold exactly one method call');
  const c = call[0]!;
  if (c.local === 'IMETHODCALL') return intrinsic(c, messageId, protocolVersion);
  if (c.local === 'METHODCALL') return extrinsic(c, messageId, protocolVersion);
  return invalid(c, `<${c.local}> is not an operation request`);
}

function intrinsic(el: XmlElement, messageId: string, protocolVersion: string): IntrinsicCall {
  const [nsEl, ...rest] = kids(el);
  if (!nsEl) invalid(el, '<IMETHODCALL> has no <LOCALNAMESPACEPATH>');
  const params = new Map<string, { name: string; value: IParamValue }>();
  for (const p of rest) {
    expectName(p, 'IPARAMVALUE');
    const name = attr(p, 'NAME');
    if (params.has(name.toLowerCase())) invalid(p, `Parameter ${name} is given twice`);
    params.set(name.toLowerCase(), { name, value: iparamValue(p) });
  }
  return {
    kind: 'intrinsic',
    messageId,
    protocolVersion,
    method: attr(el, 'NAME'),
    namespace: decodeLocalNamespacePath(nsEl),
    params,
  };
}

function iparamValue(p: XmlElement): IParamValue {
  const [v, extra] = kids(p);
  if (!v) return { kind: 'null' };
  if (extra) invalid(extra, `IPARAMVALUE ${attr(p, 'NAME')} holds more than one value`);
  switch (v.local) {
    case 'VALUE':
      return { kind: 'value', value: decodeValue(v) as string };
    case 'VALUE.ARRAY':
      return { kind: 'array', value: decodeValue(v) as string[] };
    case 'VALUE.REFERENCE':
      return { kind: 'reference', value: decodeValue(v) as CimInstanceName };
    case 'INSTANCENAME':
      return { kind: 'instancename', value: decodeInstanceName(v) };
    case 'CLASSNAME':
      return { kind: 'classname', value: attr(v, 'NAME') };
    case 'INSTANCE':
      return { kind: 'instance', value: decodeInstance(v) };
    case 'VALUE.NAMEDINSTANCE':
      return { kind: 'instance', value: decodeInstanceWithPath(v) };
    case 'CLASS':
    case 'QUALIFIER.DECLARATION':
      return { kind: 'other', element: v.local };
    default:
      return invalid(v, `<${v.local}> is not allowed in IPARAMVALUE`);
  }
}

function extrinsic(el: XmlElement, messageId: string, protocolVersion: string): ExtrinsicCall {
  const [pathEl, ...rest] = kids(el);
  if (!pathEl) invalid(el, '<METHODCALL> has no target path');
  let target: CimInstanceName;
  let targetIsClass = false;
  if (pathEl.local === 'LOCALINSTANCEPATH') target = decodeAnyInstancePath(pathEl);
  else if (pathEl.local === 'LOCALCLASSPATH') {
    const cp = decodeAnyClassPath(pathEl);
    target = { className: cp.className, keys: {}, namespace: cp.namespace };
    targetIsClass = true;
  } else return invalid(pathEl, '<METHODCALL> must start with <LOCALINSTANCEPATH> or <LOCALCLASSPATH>');
  const params: ParamValue[] = [];
  const seen = new Set<string>();
  for (const p of rest) {
    expectName(p, 'PARAMVALUE');
    const name = attr(p, 'NAME');
    if (seen.has(name.toLowerCase())) invalid(p, `Parameter ${name} is given twice`);
    seen.add(name.toLowerCase());
    const paramType = optAttr(p, 'PARAMTYPE');
    const embeddedObject = optAttr(p, 'EmbeddedObject') ?? optAttr(p, 'EMBEDDEDOBJECT');
    const [v, extra] = kids(p);
    if (extra) invalid(extra, `PARAMVALUE ${name} holds more than one value`);
    const pv: ParamValue = { name, paramType, embeddedObject };
    if (v) pv.value = paramElement(v, paramType);
    params.push(pv);
  }
  return {
    kind: 'extrinsic',
    messageId,
    protocolVersion,
    method: attr(el, 'NAME'),
    namespace: target.namespace ?? '',
    target,
    targetIsClass,
    params,
  };
}

function paramElement(v: XmlElement, paramType: string | undefined): CimValue {
  switch (v.local) {
    case 'INSTANCENAME':
      return decodeInstanceName(v);
    case 'CLASSNAME':
      return { className: attr(v, 'NAME'), keys: {} };
    case 'INSTANCE':
      return decodeInstance(v);
    case 'VALUE.NAMEDINSTANCE':
      return decodeInstanceWithPath(v);
    default:
      return decodeValue(v, paramType);
  }
}
