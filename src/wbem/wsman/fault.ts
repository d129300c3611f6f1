import { xmlText } from '../cimxml/escape.js';
import { envelope } from './encode.js';
import { WSMAN_FAULTS, type WsmanFault } from './errors.js';

const CIM_ERROR_URI = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_Error';

/**
 * A fault message (SOAP 1.2 §5.4, DSP0226 §14): Code (Sender or Receiver) with the WS-Man subcode, the reason,
 * and a Detail with `wsman:FaultDetail` and, for failures of the object manager, the CIM error as a CIM_Error
 * instance (DSP0227 §10: CIMStatusCode, its name, Message).
 *
 * @example
 * res.end(faultXml(new WsmanFault('WSMAN_ACCESS_DENIED', 'no'), request.messageId));
 */
export function faultXml(f: WsmanFault, relatesTo: string | undefined): string {
  const k = WSMAN_FAULTS[f.code];
  const soapCode = k.subcode.startsWith('s:');
  const code = soapCode
    ? `<s:Value>${k.subcode}</s:Value>`
    : `<s:Value>s:${k.code}</s:Value><s:Subcode><s:Value>${k.subcode}</s:Value></s:Subcode>`;
  let detail = f.detail ? `<wsman:FaultDetail>${xmlText(f.detail)}</wsman:FaultDetail>` : '';
  if (f.cim)
    detail +=
      `<p:CIM_Error xmlns:p="${CIM_ERROR_URI}"><p:CIMStatusCode>${f.cim.status}</p:CIMStatusCode>` +
      `<p:CIMStatusCodeDescription>${f.cim.code}</p:CIMStatusCodeDescription>` +
      `<p:Message>${xmlText(f.cim.message)}</p:Message></p:CIM_Error>`;
  const body =
    `<s:Fault><s:Code>${code}</s:Code><s:Reason><s:Text xml:lang="en-US">${xmlText(f.message)}</s:Text></s:Reason>` +
    `${detail ? `<s:Detail>${detail}</s:Detail>` : ''}</s:Fault>`;
  return envelope(k.action, relatesTo, body);
}
