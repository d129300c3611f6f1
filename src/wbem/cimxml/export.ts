import { CimError, type CimInstance, statusName } from '../../cim/index.js';
import type { XmlElement } from '../../xml/index.js';
import { printable } from '../http/exchange.js';
import { decodeInstance } from './decode-values.js';
import { type ClassLookup, encodeInstance, xmlAttr } from './encode-values.js';
import { CimXmlError } from './errors.js';
import { attr, expectName, invalid, kids, optAttr, readCimXml } from './xml-read.js';

/**
 * CIM-XML export messages (DSP0200 §5.4, DSP0201 §3.2.4): ExportIndication as an EXPMETHODCALL in a
 * SIMPLEEXPREQ, and its EXPMETHODRESPONSE. What the host's indication delivery sends and `vessel cim listen`
 * reads; the reader takes the hostile input a listener gets (see readCimXml's limits).
 */

const HEAD = '<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0">';

/**
 * The body of an ExportIndication request carrying one indication.
 *
 * @example
 * encodeExportIndication('1001', indication, lookup);
 */
export function encodeExportIndication(
  messageId: string,
  indication: CimInstance,
  lookup: ClassLookup,
): string {
  return `${HEAD}<MESSAGE ID="${xmlAttr(messageId)}" PROTOCOLVERSION="1.0"><SIMPLEEXPREQ><EXPMETHODCALL NAME="ExportIndication"><EXPPARAMVALUE NAME="NewIndication">${encodeInstance(indication, lookup)}</EXPPARAMVALUE></EXPMETHODCALL></SIMPLEEXPREQ></MESSAGE></CIM>`;
}

/**
 * The body of an export response: empty for success, or an ERROR (DSP0201 §3.2.6.10) for a CIM failure.
 *
 * @example
 * encodeExportResponse('1001', 'ExportIndication');
 */
export function encodeExportResponse(messageId: string, method: string, error?: CimError): string {
  const body = error ? `<ERROR CODE="${error.status}" DESCRIPTION="${xmlAttr(error.message)}"/>` : '';
  return `${HEAD}<MESSAGE ID="${xmlAttr(messageId)}" PROTOCOLVERSION="1.0"><SIMPLEEXPRSP><EXPMETHODRESPONSE NAME="${xmlAttr(method)}">${body}</EXPMETHODRESPONSE></SIMPLEEXPRSP></MESSAGE></CIM>`;
}

/** A decoded export request. */
export interface ExportRequest {
  messageId: string;
  /** The export method (only ExportIndication is defined). */
  method: string;
  /** The indication, for ExportIndication; embedded instances decoded. */
  indication?: CimInstance | undefined;
}

/** Reads an embedded instance's CIM-XML text (SourceInstance, PreviousInstance). */
function embedded(text: string): CimInstance {
  const root = readCimXml(text.trim(), { maxBytes: 1 << 20, maxDepth: 32, maxElements: 20_000 });
  if (root.local !== 'INSTANCE') invalid(root, `An embedded object is <${root.local}>, not <INSTANCE>`);
  return decodeInstance(root, embedded);
}

/**
 * Decodes an export request document (already read with {@link readCimXml} under the listener's limits); a
 * document that is not one is CIMXML_REQUEST_NOT_VALID, a version other than 2.x/1.x the matching
 * CIMXML_UNSUPPORTED_* code.
 *
 * @example
 * const r = decodeExportRequest(readCimXml(body, DEFAULT_REQUEST_LIMITS));
 */
export function decodeExportRequest(root: XmlElement): ExportRequest {
  if (root.local !== 'CIM') invalid(root, `The root element is <${root.local}>, not <CIM>`);
  if (!/^2\.\d+/.test(attr(root, 'CIMVERSION')))
    throw new CimXmlError('CIMXML_UNSUPPORTED_CIM_VERSION', 'CIMVERSION is not 2.x');
  if (!/^2\.\d+/.test(attr(root, 'DTDVERSION')))
    throw new CimXmlError('CIMXML_UNSUPPORTED_DTD_VERSION', 'DTDVERSION is not 2.x');
  const message = kids(root)[0];
  if (!message) invalid(root, '<CIM> has no <MESSAGE>');
  expectName(message, 'MESSAGE');
  const messageId = attr(message, 'ID');
  if (!/^1\.\d+/.test(attr(message, 'PROTOCOLVERSION')))
    throw new CimXmlError('CIMXML_UNSUPPORTED_PROTOCOL_VERSION', 'PROTOCOLVERSION is not 1.x');
  const req = kids(message)[0];
  if (!req) invalid(message, '<MESSAGE> is empty');
  if (req.local === 'MULTIEXPREQ')
    throw new CimXmlError(
      'CIMXML_MULTIPLE_REQUESTS_UNSUPPORTED',
      'Multiple export requests are not supported',
    );
  expectName(req, 'SIMPLEEXPREQ');
  const call = kids(req)[0];
  if (!call) invalid(req, '<SIMPLEEXPREQ> is empty');
  expectName(call, 'EXPMETHODCALL');
  const method = attr(call, 'NAME');
  if (method !== 'ExportIndication') return { messageId, method };
  const params = kids(call);
  const p = params.find(
    (x) => x.local === 'EXPPARAMVALUE' && optAttr(x, 'NAME')?.toLowerCase() === 'newindication',
  );
  if (!p || params.length !== 1)
    invalid(call, 'ExportIndication takes exactly one EXPPARAMVALUE, NewIndication');
  const inst = kids(p)[0];
  if (!inst) invalid(p, 'NewIndication has no <INSTANCE>');
  expectName(inst, 'INSTANCE');
  return { messageId, method, indication: decodeInstance(inst, embedded) };
}

/**
 * Checks an export response: success, or the CimError its ERROR carries; a body that is not an export response
 * is CIMXML_RESPONSE_INVALID.
 */
export function checkExportResponse(body: Buffer | string, maxBytes: number): void {
  let root: XmlElement;
  try {
    root = readCimXml(body, { maxBytes, maxDepth: 16, maxElements: 100 });
  } catch (e) {
    throw new CimXmlError(
      'CIMXML_RESPONSE_INVALID',
      `The listener's answer is not CIM-XML: ${(e as Error).message}`,
    );
  }
  const rsp = kids(kids(root)[0] ?? root)[0];
  const m = rsp && kids(rsp)[0];
  if (root.local !== 'CIM' || rsp?.local !== 'SIMPLEEXPRSP' || m?.local !== 'EXPMETHODRESPONSE')
    throw new CimXmlError('CIMXML_RESPONSE_INVALID', "The listener's answer is not an EXPMETHODRESPONSE");
  const err = kids(m).find((k) => k.local === 'ERROR');
  if (err) {
    const code = Number(attr(err, 'CODE'));
    throw new CimError(
      statusName(code) ?? 'CIM_ERR_FAILED',
      `The listener answered error ${code}: ${printable(optAttr(err, 'DESCRIPTION') ?? '').slice(0, 256)}`,
    );
  }
}
