import { describe, expect, it } from 'vitest';
import {
  API_ERROR_CODES,
  type ApiErrorCode,
  CIM_STATUS_OF,
  RSC_RETURN_OF,
  VSMS_RETURN_OF,
} from '../../../api/index.js';
import { CIM_STATUS, CimError, type CimStatusName } from '../../../cim/index.js';
import { CimHttpError } from '../client.js';
import { CimXmlError } from '../errors.js';
import {
  API_CODE_OF_RSC,
  API_CODE_OF_STATUS,
  API_CODE_OF_VSMS,
  type CallContext,
  fromCimStatus,
  fromReturnValue,
  toApiError,
} from './errors.js';

const WHERE = 'h1:5988';
const STATUSES = Object.keys(CIM_STATUS) as CimStatusName[];

/** The context a client would give for a call whose host raises `code`. */
function contextFor(code: ApiErrorCode): CallContext {
  return {
    what: 'Asking',
    ...(code === 'VM_NOT_FOUND' ? { notFound: 'VM_NOT_FOUND' } : {}),
    ...(code === 'DEFINITION_INVALID' ? { invalid: 'DEFINITION_INVALID' } : {}),
    ...(code === 'VM_EXISTS' ? { exists: 'VM_EXISTS' } : {}),
  } as CallContext;
}

describe('the CIM-XML client error tables', () => {
  it('map every CIM status, and only to codes of the registry or a context choice', () => {
    expect(Object.keys(API_CODE_OF_STATUS).sort()).toEqual([...STATUSES].sort());
    for (const s of STATUSES) {
      const e = fromCimStatus(s, 'text', { what: 'Asking' }, WHERE);
      expect(API_ERROR_CODES).toContain(e.code);
      expect(e.message).toBe('Asking on h1:5988: text');
      expect(e.detail).toEqual({ domain: 'cim', code: s });
    }
  });

  it('bring back the code a host raised wherever the CIM status tells it (src/api/errors-cim.ts reversed)', () => {
    const faithful = API_ERROR_CODES.filter((c) => CIM_STATUS_OF[c] !== 'CIM_ERR_FAILED');
    for (const code of faithful) {
      const back = fromCimStatus(CIM_STATUS_OF[code], 'x', contextFor(code), WHERE).code;
      // Several codes share CIM_ERR_INVALID_PARAMETER: the image and pool ones come back as the definition's.
      const expected = ['IMAGE_NOT_FOUND', 'IMAGE_UNSAFE', 'PATH_OUTSIDE_POOL'].includes(code)
        ? 'INVALID_ARGUMENT'
        : code === 'AUTH_FAILED'
          ? 'ACCESS_DENIED'
          : code;
      expect([code, back]).toEqual([code, expected]);
    }
  });

  it('bring back return values where the ValueMap keeps the code apart', () => {
    for (const code of ['INVALID_ARGUMENT', 'INVALID_STATE', 'BUSY', 'NOT_SUPPORTED', 'TIMEOUT'] as const)
      expect(fromReturnValue('RequestStateChange', RSC_RETURN_OF[code]!, contextFor(code), WHERE).code).toBe(
        code,
      );
    for (const code of ['INVALID_STATE', 'NOT_SUPPORTED', 'TIMEOUT'] as const)
      expect(fromReturnValue('DefineSystem', VSMS_RETURN_OF[code]!, contextFor(code), WHERE).code).toBe(code);
    // Vessel raises CIM_ERR_INVALID_PARAMETER for a bad definition; a peer answering 4 Invalid Parameter means the same.
    expect(fromReturnValue('DefineSystem', 4, contextFor('DEFINITION_INVALID'), WHERE).code).toBe(
      'DEFINITION_INVALID',
    );
    for (const v of Object.values(API_CODE_OF_RSC)) expect(API_ERROR_CODES).toContain(v);
    for (const v of Object.values(API_CODE_OF_VSMS)) expect([...API_ERROR_CODES, 'invalid']).toContain(v);
    const odd = fromReturnValue('DestroySystem', 77, { what: 'Cannot undefine "a"' }, WHERE);
    expect(odd.code).toBe('PROTOCOL');
    expect(odd.message).toBe(
      'Cannot undefine "a" on h1:5988: DestroySystem answered 77, which its ValueMap does not define',
    );
  });

  it('make transport failures HOST_UNREACHABLE, AUTH_FAILED, ACCESS_DENIED, LIMIT_EXCEEDED or PROTOCOL', () => {
    const ctx = { what: 'Listing' };
    const code = (e: unknown) => toApiError(e, ctx, WHERE).code;
    expect(code(new CimXmlError('HOST_UNREACHABLE', 'x'))).toBe('HOST_UNREACHABLE');
    expect(code(new CimXmlError('CIMXML_TIMEOUT', 'x'))).toBe('HOST_UNREACHABLE');
    expect(code(new CimXmlError('CIMXML_HTTP', 'self-signed certificate'))).toBe('HOST_UNREACHABLE');
    expect(toApiError(new CimXmlError('CIMXML_HTTP', 'self-signed certificate'), ctx, WHERE).hint).toMatch(
      /ca=FILE/,
    );
    expect(code(new CimXmlError('CIMXML_UNAUTHORIZED', 'x'))).toBe('AUTH_FAILED');
    expect(code(new CimHttpError(403, 'x'))).toBe('ACCESS_DENIED');
    for (const s of [413, 429, 503]) expect(code(new CimHttpError(s, 'x'))).toBe('LIMIT_EXCEEDED');
    for (const s of [400, 404, 500, 501]) expect(code(new CimHttpError(s, 'x'))).toBe('PROTOCOL');
    expect(code(new CimXmlError('CIMXML_RESPONSE_INVALID', 'x'))).toBe('PROTOCOL');
    expect(code(new CimError('CIM_ERR_NOT_FOUND', 'x'))).toBe('NOT_FOUND');
    expect(code(new TypeError('bug'))).toBe('INTERNAL');
  });
});
