import { CimError, statusName } from '../../../cim/index.js';
import { childElements, parseXmlAsync, textContent, type XmlElement, XmlError } from '../../../xml/index.js';
import { CimXmlError } from '../../cimxml/errors.js';
import { WSMAN_FAULTS, WsmanFault, type WsmanFaultCode } from '../errors.js';
import { NS } from '../names.js';

/** Limits of an answer the client reads. */
export interface AnswerLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
  maxAttributes: number;
}

/** Default limits: 16 MiB, 64 levels (WS-Man answers nest about 12 deep), 2,000,000 elements. */
export const DEFAULT_ANSWER_LIMITS: AnswerLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 2_000_000,
  maxAttributes: 64,
};

/** A decoded answer: its action and the body's first element. */
export interface WsmanReply {
  action: string | undefined;
  /** The first element of the body (undefined for an empty body, as Delete and Release answer). */
  body: XmlElement | undefined;
  /** The SOAP header, for TotalItemsCountEstimate and the like. */
  header: XmlElement | undefined;
}

/** The fault code of each subcode's local name (the prefixes servers use differ: `w:`, `wsman:`, `a:`). */
const BY_LOCAL = new Map<string, WsmanFaultCode>(
  Object.entries(WSMAN_FAULTS).map(([code, k]) => [
    k.subcode.slice(k.subcode.indexOf(':') + 1),
    code as WsmanFaultCode,
  ]),
);

const first = (el: XmlElement | undefined, ns: string, local: string) =>
  el === undefined ? undefined : childElements(el, ns, local)[0];

function descendant(el: XmlElement, local: string, depth = 0): XmlElement | undefined {
  if (depth > 8) return undefined;
  for (const c of childElements(el)) {
    if (c.local === local) return c;
    const hit = descendant(c, local, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * A SOAP fault (SOAP 1.2 §5.4, DSP0226 §14) as a {@link WsmanFault}: the code of its subcode (by local name, so
 * WinRM's `w:` and openwsman's `wsman:` prefixes both read), the reason, the `wsman:FaultDetail` URI, and the CIM
 * error a CIM_Error (or WMI's MSFT_WmiError) in the Detail carries (DSP0227 §10: CIMStatusCode). A subcode this
 * registry lacks is an internal error (Receiver) or an invalid parameter (Sender), named in the message.
 *
 * @example
 * const f = faultOf(faultElement); f.code; // 'WSMAN_DESTINATION_UNREACHABLE'; f.cim?.code; // 'CIM_ERR_NOT_FOUND'
 */
export function faultOf(fault: XmlElement): WsmanFault {
  const code = first(fault, NS.soap, 'Code');
  const value = (el: XmlElement | undefined) => {
    const v = first(el, NS.soap, 'Value');
    return v ? textContent(v).trim() : '';
  };
  const top = value(code);
  const sub = value(first(code, NS.soap, 'Subcode')) || top;
  const local = sub.slice(sub.indexOf(':') + 1);
  const reasonEl = first(first(fault, NS.soap, 'Reason'), NS.soap, 'Text');
  const reason = (reasonEl ? textContent(reasonEl).trim() : '').slice(0, 1000);
  const detail = first(fault, NS.soap, 'Detail');
  const detailUri = first(detail, NS.wsman, 'FaultDetail');
  let cim: CimError | undefined;
  const statusEl = detail && descendant(detail, 'CIMStatusCode');
  const status = statusEl ? statusName(Number(textContent(statusEl).trim())) : undefined;
  if (status !== undefined) {
    const m = detail && descendant(detail, 'Message');
    cim = new CimError(status, (m ? textContent(m).trim() : reason).slice(0, 1000) || reason);
  }
  const known = BY_LOCAL.get(local);
  const kind: WsmanFaultCode =
    known ?? (top.endsWith('Receiver') ? 'WSMAN_INTERNAL_ERROR' : 'WSMAN_INVALID_PARAMETER');
  const message = known ? reason || sub : `${sub || 'fault'}: ${reason}`;
  return new WsmanFault(kind, message, {
    detail: detailUri ? textContent(detailUri).trim() : undefined,
    cim,
    ...(cim ? { cause: cim } : {}),
  });
}

function invalid(where: string, operation: string, why: string, cause?: unknown): CimXmlError {
  return new CimXmlError(
    'CIMXML_RESPONSE_INVALID',
    `The answer of ${where} to ${operation} is not a WS-Man answer: ${why}`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * Reads an answer with the hardened XML reader (no DOCTYPE, no entities, size, depth, element and attribute caps,
 * in slices) and checks that it is a SOAP 1.2 envelope; a Fault in the body is thrown as a {@link WsmanFault}.
 *
 * @example
 * const a = await readAnswer(bytes, DEFAULT_ANSWER_LIMITS, 'the WS-Man service at h:5985', 'Get');
 */
export async function readAnswer(
  bytes: Uint8Array,
  limits: AnswerLimits,
  where: string,
  operation: string,
): Promise<WsmanReply> {
  let root: XmlElement;
  try {
    root = (await parseXmlAsync(bytes, { ...limits, keepWhitespace: false })).root;
  } catch (e) {
    if (e instanceof XmlError) throw invalid(where, operation, e.message, e);
    throw e;
  }
  if (root.ns !== NS.soap || root.local !== 'Envelope')
    throw invalid(
      where,
      operation,
      `<${root.local.slice(0, 64)}> in namespace "${root.ns.slice(0, 100)}" is not a SOAP 1.2 envelope`,
    );
  const header = first(root, NS.soap, 'Header');
  const body = first(root, NS.soap, 'Body');
  if (!body) throw invalid(where, operation, 'the envelope has no Body');
  const content = childElements(body)[0];
  if (content?.ns === NS.soap && content.local === 'Fault') throw faultOf(content);
  const actionEl = first(header, NS.wsa, 'Action');
  return { action: actionEl ? textContent(actionEl).trim() : undefined, body: content, header };
}
