import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { METHOD_NAMES } from './methods.js';
import { decodeParams, decodeResult, encodeParams, encodeResult } from './wire.js';

const T = '2026-12-02T13:42:00.000Z';

describe('decodeParams() and encodeParams()', () => {
  it('round-trip a call through JSON, bigint and Infinity included', () => {
    const params = { id: 'images', name: 'a.qcow2', options: { sizeBytes: 1n << 40n } };
    const wire = JSON.parse(JSON.stringify(encodeParams('pools.upload', params)));
    expect(wire.options.sizeBytes).toBe('1099511627776');
    expect(decodeParams('pools.upload', wire)).toEqual(params);
    const wait = encodeParams('jobs.wait', { id: 'j1', options: { timeoutMs: 5 } });
    expect(decodeParams('jobs.wait', wait)).toEqual({ id: 'j1', options: { timeoutMs: 5 } });
    const change = JSON.parse(
      JSON.stringify(
        encodeParams('systems.changeState', {
          ref: 'w',
          operation: 'start',
          options: { waitMs: Number.POSITIVE_INFINITY },
        }),
      ),
    );
    expect(change.options.waitMs).toBe(-1);
  });

  it('refuses what does not fit with INVALID_ARGUMENT naming the method and the place', () => {
    expect(() => decodeParams('systems.get', {})).toThrow(/^Invalid parameters of systems.get: \/ref: /);
    expect(() => decodeParams('systems.get', { ref: 'a', extra: 1 })).toThrow(/\/extra/);
    expect(() =>
      decodeParams('pools.upload', { id: 'p', name: 'n', options: { sizeBytes: '99999999999999999999' } }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/beyond an unsigned 64-bit integer/),
      }),
    );
    expect(() => decodeParams('host.info', null)).toThrow(ApiError);
  });

  it('answers any JSON value for any method with parameters or an ApiError (property test)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...METHOD_NAMES), fc.jsonValue({ maxDepth: 4 }), (method, value) => {
        try {
          decodeParams(method, value);
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
          expect((e as ApiError).code).toBe('INVALID_ARGUMENT');
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('encodeResult() and decodeResult()', () => {
  it('round-trip a result, and call a malformed answer PROTOCOL', () => {
    const job = {
      id: 'j1',
      operation: 'define' as const,
      owner: 'a',
      state: 'completed' as const,
      percent: 100,
      createdAt: T,
      deleteOnCompletion: false,
    };
    expect(decodeResult('jobs.get', JSON.parse(JSON.stringify(encodeResult('jobs.get', job))))).toEqual(job);
    expect(() => decodeResult('jobs.get', { ...job, state: 'exploded' })).toThrow(
      expect.objectContaining({
        code: 'PROTOCOL',
        message: expect.stringMatching(/^The host's answer to jobs.get is malformed: \/state/),
      }),
    );
  });

  it("decode a job's result by its operation: an export's sizes cross as strings and come back as bigints", () => {
    const result = {
      destination: { kind: 'hostPath' as const, path: '/tmp/x.ova' },
      format: 'ova' as const,
      target: 'generic',
      ovfVersion: '1.0' as const,
      manifest: 'x.mf',
      signed: false,
      files: [{ name: 'x.ovf', sizeBytes: 68_096n }],
      notes: [],
      warnings: [],
    };
    const job = {
      id: 'j2',
      operation: 'export' as const,
      owner: 'a',
      state: 'completed' as const,
      percent: 100,
      createdAt: T,
      deleteOnCompletion: false,
      result,
    };
    const wire = JSON.parse(JSON.stringify(encodeResult('jobs.list', [job]))) as { result: typeof result }[];
    expect(wire[0]?.result.files[0]?.sizeBytes).toBe('68096');
    expect(decodeResult('jobs.list', wire)).toEqual([job]);
    const bad = [{ ...job, result: { ...result, files: [{ name: 'x', sizeBytes: -1 }] } }];
    expect(() => decodeResult('jobs.list', bad)).toThrow(expect.objectContaining({ code: 'PROTOCOL' }));
  });
});
