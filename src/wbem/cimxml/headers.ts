import type { IncomingHttpHeaders } from 'node:http';
import { type CimInstanceName, parseObjectPath, samePath } from '../../cim/index.js';
import type { CimXmlCall, decodeRequest } from './decode-request.js';
import { MAX_KEYS } from './decode-values.js';
import { CimXmlError } from './errors.js';

/** The CIM headers of an operation request (DSP0200 §7.3), already checked for presence and syntax. */
export interface CimRequestHeaders {
  method: string;
  object: string;
  protocolVersion?: string | undefined;
}

function one(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** %-decodes a header value (wbemcli escapes `/` and `:`, pywbem sends them raw); undecodable → header-mismatch. */
function percentDecode(name: string, v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    throw new CimXmlError('CIMXML_HEADER_MISMATCH', `The ${name} header "${v}" is not validly %-encoded`);
  }
}

/**
 * Checks the HTTP headers of a CIM-XML request before its body is read: Content-Type, CIMOperation, CIMBatch,
 * CIMMethod, CIMObject and CIMProtocolVersion, with OpenPegasus's choice of status and CIMError value.
 */
export function checkRequestHeaders(h: IncomingHttpHeaders): CimRequestHeaders {
  const type = (one(h, 'content-type') ?? '').toLowerCase();
  const mime = type.split(';')[0]!.trim();
  if (mime !== 'application/xml' && mime !== 'text/xml')
    throw new CimXmlError('CIMXML_BAD_REQUEST', `Content-Type "${type}" is not application/xml`);
  const charset = /charset\s*=\s*"?([^";\s]+)/.exec(type)?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8')
    throw new CimXmlError('CIMXML_REQUEST_NOT_VALID', `Charset "${charset}" is not supported; use utf-8`);
  const op = one(h, 'cimoperation');
  if (op === undefined) throw new CimXmlError('CIMXML_BAD_REQUEST', 'The CIMOperation header is missing');
  if (op.trim().toLowerCase() !== 'methodcall')
    throw new CimXmlError('CIMXML_UNSUPPORTED_OPERATION', `CIMOperation value "${op}" is not supported`);
  if (h.cimbatch !== undefined)
    throw new CimXmlError(
      'CIMXML_MULTIPLE_REQUESTS_UNSUPPORTED',
      'Batched (multiple) requests are not supported',
    );
  const method = one(h, 'cimmethod');
  if (method === undefined || method.trim() === '')
    throw new CimXmlError('CIMXML_HEADER_MISMATCH', 'The CIMMethod header is missing');
  const object = one(h, 'cimobject');
  if (object === undefined || object.trim() === '')
    throw new CimXmlError('CIMXML_HEADER_MISMATCH', 'The CIMObject header is missing');
  return {
    method: percentDecode('CIMMethod', method.trim()),
    object: percentDecode('CIMObject', object.trim()),
    protocolVersion: one(h, 'cimprotocolversion')?.trim(),
  };
}

/**
 * Checks that CIMMethod and CIMObject name what the body does (DSP0200 §7.3.2–7.3.4), else `header-mismatch`
 * (CIMProtocolVersion is checked by {@link decodeRequest}).
 */
export function checkHeadersMatch(hd: CimRequestHeaders, call: CimXmlCall): void {
  if (hd.method !== call.method)
    throw new CimXmlError(
      'CIMXML_HEADER_MISMATCH',
      `CIMMethod "${hd.method}" does not match the request method "${call.method}"`,
    );
  if (call.kind === 'intrinsic') {
    if (hd.object.toLowerCase() !== call.namespace.toLowerCase())
      throw new CimXmlError(
        'CIMXML_HEADER_MISMATCH',
        `CIMObject "${hd.object}" does not match the namespace "${call.namespace}"`,
      );
    return;
  }
  let path: CimInstanceName;
  try {
    path = parseObjectPath(hd.object);
  } catch {
    throw new CimXmlError('CIMXML_HEADER_MISMATCH', `CIMObject "${hd.object}" is not an object path`);
  }
  if (Object.keys(path.keys).length > MAX_KEYS)
    throw new CimXmlError('CIMXML_HEADER_MISMATCH', `CIMObject names more than ${MAX_KEYS} keys`);
  const target = call.target;
  const same =
    (path.namespace ?? '').toLowerCase() === call.namespace.toLowerCase() &&
    path.className.toLowerCase() === target.className.toLowerCase() &&
    samePath({ ...path, namespace: undefined }, { ...target, namespace: undefined });
  if (!same)
    throw new CimXmlError(
      'CIMXML_HEADER_MISMATCH',
      `CIMObject "${hd.object}" does not match the request's object ${call.namespace}:${target.className}`,
    );
}
