import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { ApiMethodName } from './api.js';
import { isApiMethodName, METHOD_NAMES, METHODS, StreamTicketSchema } from './methods.js';
import { type Agrees, METHODS_AGREE, type MethodTable } from './methods-check.js';
import { ROLES, roleAllows } from './principal.js';
import type { SystemSummarySchema } from './systems-data.js';

const def = { system: { ElementName: 'web1' }, resources: [] };

describe('METHODS', () => {
  it('names each method namespace.member, gives it a role, and names its wire parameters exactly', () => {
    expect(METHODS_AGREE).toBe(true);
    for (const name of METHOD_NAMES) {
      const spec = METHODS[name];
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(ROLES).toContain(spec.role);
      const named: unknown[] = spec.args.filter((a) => a !== null);
      expect([name, named.map(String).sort()]).toEqual([name, Object.keys(spec.params.properties).sort()]);
      expect(spec.params.additionalProperties).toBe(false);
    }
  });

  it('answers downloads and consoles with a stream ticket, and marks uploads', () => {
    for (const name of METHOD_NAMES) {
      const spec: { stream?: string; result: unknown; args: readonly (string | null)[] } = METHODS[name];
      if (spec.stream === 'download' || spec.stream === 'duplex')
        expect(spec.result).toBe(StreamTicketSchema);
      if (spec.args.includes(null)) expect(['upload', 'events']).toContain(spec.stream);
    }
    expect(METHODS['packages.deploy'].stream).toBe('upload');
    expect(METHODS['pools.upload'].args).toEqual(['id', 'name', null, 'options']);
  });

  it('lets readers read, operators change states and open consoles, admins do the rest', () => {
    expect(METHODS['systems.list'].role).toBe('reader');
    expect(METHODS['systems.get'].role).toBe('reader');
    expect(METHODS['systems.changeState'].role).toBe('operator');
    expect(METHODS['consoles.open'].role).toBe('operator');
    for (const n of [
      'systems.define',
      'systems.undefine',
      'packages.deploy',
      'users.add',
      'users.setRole',
      'users.setPassword',
      'pools.add',
    ] as const) {
      expect(METHODS[n].role).toBe('admin');
    }
    const forReaders = METHOD_NAMES.filter((n) => METHODS[n].role === 'reader');
    const reads = /\.(list|get|info|capabilities|images|stats|metadata|wait|subscribe|current|series)$/;
    // Besides reads, a reader manages only its own tokens (the host checks whose they are).
    expect(forReaders.filter((n) => !reads.test(n)).sort()).toEqual([
      'users.changePassword',
      'users.createToken',
      'users.revokeToken',
      'users.tokens',
    ]);
    expect(roleAllows('operator', 'reader')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('admin', 'operator')).toBe(true);
  });

  it('recognises method names and nothing from the prototype', () => {
    expect(isApiMethodName('jobs.wait')).toBe(true);
    expect(isApiMethodName('close')).toBe(false);
    expect(isApiMethodName('__proto__')).toBe(false);
    expect(isApiMethodName('constructor')).toBe(false);
  });
});

describe('METHODS params', () => {
  it('decode good calls, with bigint sizes and Infinity waits', () => {
    const p = Value.Decode(METHODS['systems.changeState'].params, {
      ref: 'web1',
      operation: 'shutdown',
      options: { waitMs: -1, timeoutMs: 30000, forceAfterTimeout: false },
    });
    expect(p.options?.waitMs).toBe(Number.POSITIVE_INFINITY);
    expect(Value.Check(METHODS['systems.define'].params, { definition: def })).toBe(true);
    const up = Value.Decode(METHODS['pools.upload'].params, {
      id: 'images',
      name: 'a.qcow2',
      options: { sizeBytes: '4096' },
    });
    expect(up.options?.sizeBytes).toBe(4096n);
  });

  it('refuse unknown operations, parameters and options, naming where', () => {
    const bad = (n: ApiMethodName, v: unknown) => [...Value.Errors(METHODS[n].params, v)].map((e) => e.path);
    expect(bad('systems.changeState', { ref: 'web1', operation: 'fly' })).toContain('/operation');
    expect(bad('systems.changeState', { ref: 'web1', operation: 'start', force: true })).toContain('/force');
    expect(bad('systems.changeState', { ref: 'web1', operation: 'start', options: { waitMS: 5 } })).toContain(
      '/options/waitMS',
    );
    expect(bad('systems.get', {})).toContain('/ref');
    expect(bad('systems.get', { ref: '' })).toContain('/ref');
    expect(bad('systems.get', { ref: 'a/b' })).toContain('/ref');
    expect(bad('users.add', { name: 'alice', role: 'root', password: 'x' })).toContain('/role');
  });

  it('refuse hostile and oversized definitions', () => {
    const p = METHODS['systems.define'].params;
    const rasd = { cimClass: 'CIM_ResourceAllocationSettingData', properties: { ResourceType: '3' } };
    expect(Value.Check(p, { definition: { ...def, resources: Array(4097).fill(rasd) } })).toBe(false);
    expect(Value.Check(p, { definition: { ...def, resources: [{ ...rasd, cimClass: 'Evil' }] } })).toBe(
      false,
    );
    expect(Value.Check(p, { definition: { ...def, resources: [{ ...rasd, extra: 1 }] } })).toBe(false);
    expect(Value.Check(p, { definition: { system: { Notes: 'x'.repeat(65_537) }, resources: [] } })).toBe(
      false,
    );
    expect(Value.Check(p, { definition: { system: { Notes: Array(257).fill('x') }, resources: [] } })).toBe(
      false,
    );
    expect(Value.Check(p, { definition: { system: { ElementName: 5 }, resources: [] } })).toBe(false);
    const many = Object.fromEntries(Array.from({ length: 513 }, (_, i) => [`P${i}`, 'v']));
    expect(Value.Check(p, { definition: { system: many, resources: [] } })).toBe(false);
    expect(Value.Check(p, { definition: def, options: { waitMs: 1e12 } })).toBe(false);
  });

  it('refuse relative host paths and stream bodies sent as JSON', () => {
    const p = METHODS['packages.deploy'].params;
    expect(Value.Check(p, { source: { kind: 'hostPath', path: '/srv/web.ova' } })).toBe(true);
    expect(Value.Check(p, { source: { kind: 'hostPath', path: 'web.ova' } })).toBe(false);
    expect(Value.Check(p, { source: { kind: 'upload', fileName: 'web.ova', body: 'AAAA' } })).toBe(false);
    expect(Value.Check(p, { source: { kind: 'ftp', url: 'ftp://x' } })).toBe(false);
    const inspect = METHODS['packages.inspect'].params;
    expect(
      Value.Check(inspect, {
        source: { kind: 'pool', pool: 'p', image: 'a.ova' },
        options: { powerOn: true },
      }),
    ).toBe(false);
  });
});

// Compile-time tests of the agreement check: `npm run typecheck` fails if a wrong table stops being an error.
type Wrong<N extends ApiMethodName, S> = Omit<MethodTable, N> & { readonly [K in N]: S };
const ok: Agrees<'systems.get'> = true;
// @ts-expect-error systems.get resolves to a SystemDetail, not a SystemSummary
const wrongResult: Agrees<
  'systems.get',
  Wrong<
    'systems.get',
    Omit<(typeof METHODS)['systems.get'], 'result'> & { result: typeof SystemSummarySchema }
  >
> = true;
// @ts-expect-error jobs.cancel takes an id, not a system reference and options
const wrongArgs: Agrees<'jobs.cancel', Wrong<'jobs.cancel', (typeof METHODS)['systems.undefine']>> = true;
// @ts-expect-error pools.upload's body is a stream: naming it as a JSON parameter is wrong
const streamAsJson: Agrees<
  'pools.upload',
  Wrong<
    'pools.upload',
    Omit<(typeof METHODS)['pools.upload'], 'args'> & { args: readonly ['id', 'name', 'body', 'options'] }
  >
> = true;
void [ok, wrongResult, wrongArgs, streamAsJson];
