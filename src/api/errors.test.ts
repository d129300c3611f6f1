import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { VesselError } from '../model/index.js';
import {
  API_ERROR_CODES,
  API_ERRORS,
  ApiError,
  ApiErrorInfoSchema,
  isApiError,
  isApiErrorCode,
} from './errors.js';
import {
  CIM_STATUS_OF,
  RSC_RETURN_OF,
  VSMS_RETURN_OF,
  VSMS_VALUE_MAP,
  type VsmsMethod,
  vsmsReturnFor,
} from './errors-cim.js';
import { CLI_EXIT_OF } from './errors-cli.js';
import { REST_STATUS_OF, restStatusOf } from './errors-rest.js';

const sorted = (a: readonly string[]) => [...a].sort();

describe('the error registry', () => {
  it('documents every code and lists each once', () => {
    expect(new Set(API_ERROR_CODES).size).toBe(API_ERROR_CODES.length);
    for (const code of API_ERROR_CODES) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(API_ERRORS[code].length).toBeGreaterThan(3);
    }
    expect(isApiErrorCode('VM_NOT_FOUND')).toBe(true);
    expect(isApiErrorCode('toString')).toBe(false);
    expect(isApiErrorCode('OVA_DIGEST_MISMATCH')).toBe(false);
  });

  it('makes ApiError a VesselError that keeps hint and detail across a transport', () => {
    const e = new ApiError('NOT_FOUND', 'No job "j9"', {
      hint: 'List jobs with vessel job list',
      detail: { domain: 'host', code: 'JOB_NOT_FOUND' },
    });
    expect(e).toBeInstanceOf(VesselError);
    expect(e.name).toBe('ApiError');
    const info = e.toInfo();
    expect(Value.Check(ApiErrorInfoSchema, JSON.parse(JSON.stringify(info)))).toBe(true);
    const back = ApiError.fromInfo(info);
    expect(back.toInfo()).toEqual(info);
    expect(isApiError(back, 'NOT_FOUND')).toBe(true);
    expect(isApiError(back, 'VM_NOT_FOUND')).toBe(false);
    expect(isApiError(new Error('x'))).toBe(false);
  });

  it("rebuilds an unknown code from a peer as PROTOCOL, with the peer's message kept", () => {
    const e = ApiError.fromInfo({ code: 'FROBNICATED', message: 'it broke' });
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('FROBNICATED');
    expect(e.message).toContain('it broke');
  });

  it('refuses error infos that are malformed or oversized', () => {
    expect(Value.Check(ApiErrorInfoSchema, { code: 'NOPE', message: 'x' })).toBe(false);
    expect(Value.Check(ApiErrorInfoSchema, { code: 'INTERNAL' })).toBe(false);
    expect(Value.Check(ApiErrorInfoSchema, { code: 'INTERNAL', message: 'x'.repeat(8193) })).toBe(false);
    expect(Value.Check(ApiErrorInfoSchema, { code: 'INTERNAL', message: 'x', detail: { domain: 'a' } })).toBe(
      false,
    );
  });
});

describe('CLI_EXIT_OF', () => {
  it('maps every code to a documented exit code', () => {
    expect(sorted(Object.keys(CLI_EXIT_OF))).toEqual(sorted(API_ERROR_CODES));
    for (const v of Object.values(CLI_EXIT_OF)) expect([1, 2, 3, 4, 70]).toContain(v);
  });

  it('keeps the README exit codes: 2 usage, 3 no host, 4 not supported, 70 a bug, 1 a refusal', () => {
    expect(CLI_EXIT_OF.INVALID_ARGUMENT).toBe(2);
    expect(CLI_EXIT_OF.HOST_NOT_RUNNING).toBe(3);
    expect(CLI_EXIT_OF.HOST_UNREACHABLE).toBe(3);
    expect(CLI_EXIT_OF.NOT_SUPPORTED).toBe(4);
    expect(CLI_EXIT_OF.INTERNAL).toBe(70);
    expect(CLI_EXIT_OF.IMAGE_NOT_FOUND).toBe(1);
    expect(CLI_EXIT_OF.INVALID_STATE).toBe(1);
  });
});

describe('REST_STATUS_OF', () => {
  it('maps every code to an HTTP error status', () => {
    expect(sorted(Object.keys(REST_STATUS_OF))).toEqual(sorted(API_ERROR_CODES));
    for (const v of Object.values(REST_STATUS_OF)) expect(v >= 400 && v <= 599).toBe(true);
  });

  it("answers a caller's mistake 4xx and the host's failure 5xx", () => {
    expect(REST_STATUS_OF.INVALID_ARGUMENT).toBe(400);
    expect(REST_STATUS_OF.VM_NOT_FOUND).toBe(404);
    expect(REST_STATUS_OF.ACCESS_DENIED).toBe(403);
    expect(REST_STATUS_OF.CONFLICT).toBe(412);
    expect(REST_STATUS_OF.INVALID_STATE).toBe(409);
    expect(REST_STATUS_OF.INTERNAL).toBe(500);
  });

  it('tells a full pool (507) and a size (413) from a rate (429) by the domain code', () => {
    const limit = (code?: string) =>
      restStatusOf({ code: 'LIMIT_EXCEEDED', detail: code === undefined ? undefined : { code } });
    expect([limit(), limit('POOL_FULL'), limit('UPLOAD_TOO_LONG'), limit('OVA_TOO_LARGE')]).toEqual([
      429, 507, 413, 413,
    ]);
    // A domain code the table does not name keeps the Api code's status.
    expect(restStatusOf({ code: 'VM_NOT_FOUND', detail: { code: 'POOL_FULL_NOT' } })).toBe(404);
  });
});

// CIM_EnabledLogicalElement.RequestStateChange return ValueMap (CIM 2.41), less 0 and 4096 (not errors).
const RSC_VALUES = [1, 2, 3, 4, 5, 6, 4097, 4098, 4099];

describe('CIM error tables', () => {
  it('map every code', () => {
    for (const table of [CIM_STATUS_OF, RSC_RETURN_OF, VSMS_RETURN_OF]) {
      expect(sorted(Object.keys(table))).toEqual(sorted(API_ERROR_CODES));
    }
  });

  it('return RequestStateChange values of its ValueMap only', () => {
    for (const v of Object.values(RSC_RETURN_OF)) if (v !== undefined) expect(RSC_VALUES).toContain(v);
    expect(RSC_RETURN_OF.INVALID_STATE).toBe(4097);
    expect(RSC_RETURN_OF.BUSY).toBe(4099);
    expect(RSC_RETURN_OF.VM_NOT_FOUND).toBeUndefined();
    expect(CIM_STATUS_OF.VM_NOT_FOUND).toBe('CIM_ERR_NOT_FOUND');
  });

  it('never make a DSP1042 method return a value outside its own ValueMap', () => {
    for (const method of Object.keys(VSMS_VALUE_MAP) as VsmsMethod[]) {
      for (const code of API_ERROR_CODES) {
        const v = vsmsReturnFor(method, code);
        if (v !== undefined)
          expect([method, code, VSMS_VALUE_MAP[method].includes(v)]).toEqual([method, code, true]);
        else expect(VSMS_RETURN_OF[code]).toBeUndefined();
      }
    }
  });

  it('use Invalid State and Incompatible Parameters only where the ValueMap has them', () => {
    expect(vsmsReturnFor('ModifySystemSettings', 'INVALID_STATE')).toBe(5);
    expect(vsmsReturnFor('DestroySystem', 'INVALID_STATE')).toBe(5);
    expect(vsmsReturnFor('AddResourceSettings', 'INVALID_STATE')).toBe(2);
    expect(vsmsReturnFor('DefineSystem', 'INVALID_STATE')).toBe(2);
    expect(vsmsReturnFor('ModifyResourceSettings', 'CONFLICT')).toBe(6);
    expect(vsmsReturnFor('RemoveResourceSettings', 'CONFLICT')).toBe(2);
    expect(vsmsReturnFor('DefineSystem', 'DEFINITION_INVALID')).toBeUndefined();
    expect(vsmsReturnFor('DestroySystem', 'VM_NOT_FOUND')).toBeUndefined();
  });
});
