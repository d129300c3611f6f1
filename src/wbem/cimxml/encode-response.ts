import { CIM_STATUS, type CimError, statusName } from '../../cim/index.js';
import { xmlAttr, xmlText } from './encode-values.js';

const HEAD = '<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0">';

/**
 * Wraps an intrinsic method's answer: `body` is what goes inside IMETHODRESPONSE (an ERROR, or IRETURNVALUE and
 * PARAMVALUEs), already encoded.
 */
export function imethodResponse(messageId: string, method: string, body: string): string {
  return `${HEAD}<MESSAGE ID="${xmlAttr(messageId)}" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="${xmlAttr(method)}">${body}</IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>\n`;
}

/** Wraps an extrinsic method's answer (ERROR, or RETURNVALUE and PARAMVALUEs). */
export function methodResponse(messageId: string, method: string, body: string): string {
  return `${HEAD}<MESSAGE ID="${xmlAttr(messageId)}" PROTOCOLVERSION="1.0"><SIMPLERSP><METHODRESPONSE NAME="${xmlAttr(method)}">${body}</METHODRESPONSE></SIMPLERSP></MESSAGE></CIM>\n`;
}

/** `<IRETURNVALUE>..</IRETURNVALUE>`, or nothing for an empty result. */
export function ireturn(content: string): string {
  return content === '' ? '' : `<IRETURNVALUE>${content}</IRETURNVALUE>`;
}

/**
 * The ERROR element for a CIM status; DESCRIPTION follows the `CIM_ERR_NAME: text` convention of OpenPegasus and
 * pywbem.
 */
export function errorElement(status: number, message: string): string {
  const name = statusName(status) ?? 'CIM_ERR_FAILED';
  return `<ERROR CODE="${status}" DESCRIPTION="${xmlAttr(`${name}: ${message}`)}"/>`;
}

/** The ERROR element for a {@link CimError}. */
export function cimErrorElement(e: CimError): string {
  return errorElement(e.status, e.message);
}

/** An error for anything unexpected: CIM_ERR_FAILED with a generic description. */
export function internalErrorElement(): string {
  return errorElement(CIM_STATUS.CIM_ERR_FAILED, 'Internal error in the CIM server');
}

/** A PARAMVALUE with a plain value (e.g. EndOfSequence, EnumerationContext). */
export function paramValueXml(name: string, type: string, valueXml: string): string {
  return `<PARAMVALUE NAME="${xmlAttr(name)}" PARAMTYPE="${type}">${valueXml}</PARAMVALUE>`;
}

/** `<VALUE>text</VALUE>`. */
export function valueXml(text: string): string {
  return `<VALUE>${xmlText(text)}</VALUE>`;
}
