import { CimError } from '../errors.js';

/**
 * The query subset of WQL and DMTF CQL (DSP0202) that ExecQuery (DSP0200 §5.3.2.11) takes here:
 * `SELECT * | p1, p2 FROM Class [WHERE cond]`, where cond compares a property with a string, number or boolean
 * literal (=, <>, !=, <, >, <=, >=), tests `IS [NOT] NULL`, tests the instance's class (`Class ISA Sub`), and
 * joins these with AND, OR, NOT and parentheses. Parsing is one linear pass with a length and a depth cap, so
 * hostile text costs at most `MAX_QUERY_CHARS` of work.
 */

/** The query languages ExecQuery takes, as DSP0200 names them (compared without case). */
export const QUERY_LANGUAGES = ['WQL', 'DMTF:CQL', 'CIM:CQL'] as const;

/** One of {@link QUERY_LANGUAGES}. */
export type QueryLanguage = 'WQL' | 'CQL';

/** Longest query accepted, in characters. */
export const MAX_QUERY_CHARS = 8192;
/** Deepest nesting of parentheses and NOT. */
export const MAX_QUERY_DEPTH = 32;

/** A literal of a comparison. Numbers keep their text, so that 64-bit values compare exactly. */
export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'boolean'; value: boolean };

/** A comparison operator. */
export type Comparison = '=' | '<>' | '<' | '>' | '<=' | '>=';

/**
 * A condition of WHERE. `written` is a property name as written (`SourceInstance.Name`, where `property` is the
 * bare `Name`); `of` is what ISA tests (`SourceInstance ISA CIM_ComputerSystem`: the embedded instance's class).
 */
export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; property: string; op: Comparison; literal: Literal; written?: string }
  | { kind: 'null'; property: string; negated: boolean; written?: string }
  | { kind: 'isa'; className: string; of?: string };

/** A parsed query. */
export interface Query {
  language: QueryLanguage;
  /** The selected properties as written; undefined for `*`. */
  select: string[] | undefined;
  from: string;
  where: Condition | undefined;
}

type Token =
  | { t: 'word'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'number'; v: string; at: number }
  | { t: 'punct'; v: string; at: number }
  | { t: 'end'; at: number };

const invalid = (query: string, at: number, why: string) =>
  new CimError(
    'CIM_ERR_INVALID_QUERY',
    `${why} at position ${at + 1}${at < query.length ? ` ("${query.slice(at, at + 20)}")` : ' (the end)'}`,
  );

const WORD = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?/y;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const PUNCT = /<>|!=|<=|>=|[=<>(),*]/y;
const LEXEMES = [
  [NUMBER, 'number'],
  [WORD, 'word'],
  [PUNCT, 'punct'],
] as const;

/** The tokens of a query, in one pass. */
function lex(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      // A quote inside is doubled (CQL, WQL) or escaped with a backslash (WQL).
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= q.length) throw invalid(q, i, 'A string is not closed');
        const d = q[j]!;
        if (d === '\\' && j + 1 < q.length) {
          v += q[j + 1];
          j += 2;
        } else if (d === c && q[j + 1] === c) {
          v += c;
          j += 2;
        } else if (d === c) break;
        else {
          v += d;
          j++;
        }
      }
      out.push({ t: 'string', v, at: i });
      i = j + 1;
      continue;
    }
    let matched = false;
    for (const [re, t] of LEXEMES) {
      re.lastIndex = i;
      const m = re.exec(q);
      if (m) {
        out.push({ t, v: m[0], at: i });
        i += m[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) throw invalid(q, i, `Unexpected character "${c}"`);
  }
  out.push({ t: 'end', at: q.length });
  return out;
}

/** Reads tokens with one lookahead. */
class Reader {
  private i = 0;
  constructor(
    readonly q: string,
    readonly tokens: Token[],
  ) {}
  peek(): Token {
    return this.tokens[this.i]!;
  }
  next(): Token {
    const t = this.tokens[this.i]!;
    if (t.t !== 'end') this.i++;
    return t;
  }
  /** True (and consumed) when the next token is the keyword `k`. */
  keyword(k: string): boolean {
    const t = this.peek();
    if (t.t === 'word' && t.v.toUpperCase() === k) {
      this.i++;
      return true;
    }
    return false;
  }
  punct(p: string): boolean {
    const t = this.peek();
    if (t.t === 'punct' && t.v === p) {
      this.i++;
      return true;
    }
    return false;
  }
  expect(what: string, ok: boolean): void {
    if (!ok) throw invalid(this.q, this.peek().at, `Expected ${what}`);
  }
  name(what: string): string {
    const t = this.peek();
    if (t.t !== 'word' || RESERVED.has(t.v.toUpperCase())) throw invalid(this.q, t.at, `Expected ${what}`);
    this.i++;
    return t.v;
  }
}

const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IS',
  'NULL',
  'ISA',
  'TRUE',
  'FALSE',
]);
const OPS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

function literal(r: Reader): Literal {
  const t = r.next();
  if (t.t === 'string') return { kind: 'string', value: t.v };
  if (t.t === 'number') return { kind: 'number', text: t.v };
  if (t.t === 'word' && (t.v.toUpperCase() === 'TRUE' || t.v.toUpperCase() === 'FALSE'))
    return { kind: 'boolean', value: t.v.toUpperCase() === 'TRUE' };
  throw invalid(r.q, t.at, 'Expected a string, number or boolean literal');
}

/** `written` when the name has a qualifier (`SourceInstance.Name`), else nothing. */
function written(name: string): { written?: string } {
  return name.includes('.') ? { written: name } : {};
}

/** A property name without the FROM class's qualifier (`CIM_X.Name` is `Name`). */
function bare(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(dot + 1);
}

function primary(r: Reader, depth: number): Condition {
  if (depth > MAX_QUERY_DEPTH)
    throw invalid(r.q, r.peek().at, `The condition nests deeper than ${MAX_QUERY_DEPTH} levels`);
  if (r.keyword('NOT')) return { kind: 'not', operand: primary(r, depth + 1) };
  if (r.punct('(')) {
    const c = or(r, depth + 1);
    r.expect('")"', r.punct(')'));
    return c;
  }
  const property = r.name('a property name');
  if (r.keyword('IS')) {
    const negated = r.keyword('NOT');
    r.expect('NULL', r.keyword('NULL'));
    return { kind: 'null', property: bare(property), negated, ...written(property) };
  }
  if (r.keyword('ISA')) {
    // `Class ISA Sub` (CQL) or `Class ISA 'Sub'` (WQL writes the class as a string): the instance's class.
    const t = r.peek();
    if (t.t === 'string') {
      r.next();
      return { kind: 'isa', className: t.v, of: property };
    }
    return { kind: 'isa', className: r.name('a class name'), of: property };
  }
  const t = r.peek();
  if (t.t !== 'punct' || !OPS.has(t.v)) throw invalid(r.q, t.at, 'Expected a comparison, IS or ISA');
  r.next();
  const op = (t.v === '!=' ? '<>' : t.v) as Comparison;
  return { kind: 'compare', property: bare(property), op, literal: literal(r), ...written(property) };
}

function and(r: Reader, depth: number): Condition {
  let left = primary(r, depth);
  while (r.keyword('AND')) left = { kind: 'and', left, right: primary(r, depth) };
  return left;
}

function or(r: Reader, depth: number): Condition {
  let left = and(r, depth);
  while (r.keyword('OR')) left = { kind: 'or', left, right: and(r, depth) };
  return left;
}

/**
 * The language of a QueryLanguage parameter, or CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED.
 *
 * @example
 * queryLanguage('DMTF:CQL'); // 'CQL'
 */
export function queryLanguage(text: string | undefined): QueryLanguage {
  const t = (text ?? '').trim().toUpperCase();
  if (t === 'WQL') return 'WQL';
  if (t === 'DMTF:CQL' || t === 'CIM:CQL') return 'CQL';
  throw new CimError(
    'CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED',
    `Query language "${(text ?? '').slice(0, 40)}" is not supported; use WQL or DMTF:CQL`,
  );
}

/**
 * Parses a query, or throws CIM_ERR_INVALID_QUERY naming the position (1-based) and what was expected there.
 *
 * @example
 * parseQuery("SELECT Name FROM CIM_ComputerSystem WHERE EnabledState = 2 AND Name <> 'web1'", 'WQL');
 */
export function parseQuery(text: string, language: QueryLanguage): Query {
  if (text.length > MAX_QUERY_CHARS)
    throw new CimError('CIM_ERR_INVALID_QUERY', `The query is longer than ${MAX_QUERY_CHARS} characters`);
  const r = new Reader(text, lex(text));
  r.expect('SELECT', r.keyword('SELECT'));
  let select: string[] | undefined;
  if (!r.punct('*')) {
    select = [bare(r.name('"*" or a property name'))];
    while (r.punct(',')) select.push(bare(r.name('a property name')));
  }
  r.expect('FROM', r.keyword('FROM'));
  const from = r.name('a class name');
  const where = r.keyword('WHERE') ? or(r, 0) : undefined;
  const end = r.peek();
  if (end.t !== 'end') throw invalid(text, end.at, 'Expected the end of the query');
  return { language, select, from, where };
}
