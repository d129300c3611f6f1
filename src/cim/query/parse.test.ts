import { describe, expect, it } from 'vitest';
import { CimError } from '../errors.js';
import { MAX_QUERY_CHARS, parseQuery, queryLanguage } from './parse.js';

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return e instanceof CimError ? `${e.code}: ${e.message}` : String(e);
  }
  return 'parsed';
};

describe('parseQuery() (WQL, DMTF:CQL subset)', () => {
  it('reads SELECT lists, FROM and WHERE with precedence NOT > AND > OR and parentheses', () => {
    const q = parseQuery(
      "select Name, cim_computersystem.EnabledState FROM CIM_ComputerSystem WHERE NOT EnabledState = 2 OR Name <> 'a''b' AND (Dedicated IS NOT NULL)",
      'WQL',
    );
    expect(q.select).toEqual(['Name', 'EnabledState']);
    expect(q.from).toBe('CIM_ComputerSystem');
    expect(q.where).toEqual({
      kind: 'or',
      left: {
        kind: 'not',
        operand: {
          kind: 'compare',
          property: 'EnabledState',
          op: '=',
          literal: { kind: 'number', text: '2' },
        },
      },
      right: {
        kind: 'and',
        left: { kind: 'compare', property: 'Name', op: '<>', literal: { kind: 'string', value: "a'b" } },
        right: { kind: 'null', property: 'Dedicated', negated: true },
      },
    });
    expect(parseQuery('SELECT * FROM X', 'CQL').select).toBeUndefined();
    expect(
      parseQuery('SELECT * FROM X WHERE X ISA Y AND b != TRUE AND c >= -1.5e3', 'CQL').where,
    ).toMatchObject({
      kind: 'and',
      left: { kind: 'and', left: { kind: 'isa', className: 'Y' }, right: { op: '<>' } },
      right: { op: '>=', literal: { kind: 'number', text: '-1.5e3' } },
    });
  });

  it('names the position and what was expected when the syntax is wrong', () => {
    expect(code(() => parseQuery('SelectSLOP * from CIM_ComputerSystem', 'WQL'))).toMatch(
      /CIM_ERR_INVALID_QUERY: Expected SELECT at position 1/,
    );
    expect(code(() => parseQuery('SELECT * FROM X WHERE a = ', 'WQL'))).toMatch(
      /literal at position 27 \(the end\)/,
    );
    expect(code(() => parseQuery('SELECT * FROM X WHERE (a = 1', 'WQL'))).toMatch(
      /Expected "\)" at position 29/,
    );
    expect(code(() => parseQuery("SELECT * FROM X WHERE a = 'open", 'WQL'))).toMatch(
      /not closed at position 27/,
    );
    expect(code(() => parseQuery('SELECT * FROM X WHERE a ~ 1', 'WQL'))).toMatch(
      /Unexpected character "~" at position 25/,
    );
    expect(code(() => parseQuery('SELECT * FROM X Y', 'WQL'))).toMatch(/end of the query at position 17/);
    expect(code(() => parseQuery('SELECT FROM X', 'WQL'))).toMatch(/at position 8/);
    expect(code(() => parseQuery('', 'WQL'))).toMatch(/Expected SELECT at position 1 \(the end\)/);
  });

  it('knows WQL and DMTF:CQL only', () => {
    expect(queryLanguage('wql')).toBe('WQL');
    expect(queryLanguage('DMTF:CQL')).toBe('CQL');
    expect(code(() => queryLanguage('SQL'))).toMatch(
      /CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED: Query language "SQL"/,
    );
    expect(code(() => queryLanguage(undefined))).toMatch(/QUERY_LANGUAGE_NOT_SUPPORTED/);
  });

  it('bounds hostile input: length, nesting, long literals and long chains in linear time', () => {
    const started = Date.now();
    expect(
      code(() => parseQuery(`SELECT * FROM X WHERE a = '${'x'.repeat(MAX_QUERY_CHARS)}'`, 'WQL')),
    ).toMatch(/longer than 8192 characters/);
    expect(
      code(() => parseQuery(`SELECT * FROM X WHERE ${'('.repeat(40)}a = 1${')'.repeat(40)}`, 'WQL')),
    ).toMatch(/nests deeper than 32 levels/);
    expect(code(() => parseQuery(`SELECT * FROM X WHERE ${'NOT '.repeat(40)}a = 1`, 'WQL'))).toMatch(
      /deeper/,
    );
    expect(
      parseQuery(`SELECT * FROM X WHERE ${'('.repeat(30)}a = 1${')'.repeat(30)}`, 'WQL').where,
    ).toBeDefined();
    const chain = `SELECT * FROM X WHERE a = 1${' OR a = 1'.repeat(900)}`;
    expect(parseQuery(chain, 'WQL').where?.kind).toBe('or');
    const big = `SELECT * FROM X WHERE a = ${'9'.repeat(8000)}`;
    expect(parseQuery(big, 'WQL').where).toMatchObject({ literal: { kind: 'number' } });
    expect(code(() => parseQuery(`SELECT * FROM X WHERE a = '${"''".repeat(4000)}`, 'WQL'))).toMatch(
      /not closed/,
    );
    // Linear parsing takes milliseconds; a backtracking one would take minutes on these.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
