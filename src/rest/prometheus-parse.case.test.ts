/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/
 * exposition_formats, "Text format details"), for the tests: lines end in LF and the last one too; `# HELP name
 * docstring` (backslash and LF escaped) and `# TYPE name counter|gauge|histogram|summary|untyped` at most once per
 * name, TYPE before the name's first sample; a sample is `name{label="value",...} value [timestamp]` with names
 * `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names `[a-zA-Z_][a-zA-Z0-9_]*`, values escaped `\\`, `\"`, `\n`, numbers as Go
 * parses floats (or NaN, +Inf, -Inf); every sample of a family together; no label set twice. Anything else
 * throws, naming the line. Not run alone (`*.case.test.ts`).
 */

/** One sample. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its type, help and samples. */
export interface PromFamily {
  type?: string;
  help?: string;
  samples: PromSample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

function parseValue(text: string, where: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!NUMBER.test(text)) throw new Error(`${where}: "${text}" is not a number`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `line` at `i` (just after `{`); answers the labels and the index after `}`. */
function parseLabels(line: string, start: number, where: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start;
  for (;;) {
    if (line[i] === '}') return [labels, i + 1];
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: a label without "="`);
    const name = line.slice(i, eq).trim();
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (Object.hasOwn(labels, name)) throw new Error(`${where}: label "${name}" twice`);
    if (line[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let v = '';
    let j = eq + 2;
    for (; ; j++) {
      const c = line[j];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === '"') break;
      if (c === '\\') {
        const n = line[++j];
        if (n === '\\') v += '\\';
        else if (n === '"') v += '"';
        else if (n === 'n') v += '\n';
        else throw new Error(`${where}: bad escape \\${n ?? ''}`);
      } else v += c;
    }
    labels[name] = v;
    i = j + 1;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`${where}: expected "," or "}" after a label`);
  }
}

function unescapeHelp(text: string, where: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`${where}: bad escape in HELP`);
  });
}

/**
 * Parses an exposition into families by name.
 *
 * @example
 * parsePrometheus('# TYPE up gauge\nup 1\n').get('up')?.samples[0]?.value; // 1
 */
export function parsePrometheus(text: string): Map<string, PromFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the last line does not end with a line feed');
  const families = new Map<string, PromFamily>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: string | undefined;
  const family = (name: string) => {
    let f = families.get(name);
    if (f === undefined) {
      f = { samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const enter = (name: string, where: string) => {
    if (current !== name) {
      if (current !== undefined) closed.add(current);
      if (closed.has(name)) throw new Error(`${where}: the samples of ${name} are not together`);
      current = name;
    }
  };
  text.split('\n').forEach((raw, n) => {
    const where = `line ${n + 1}`;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (m === null) return; // another comment
      const [, kind, name = '', rest = ''] = m;
      if (!METRIC.test(name)) throw new Error(`${where}: bad metric name "${name}"`);
      enter(name, where);
      const f = family(name);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`${where}: a second HELP for ${name}`);
        f.help = unescapeHelp(rest, where);
      } else {
        if (f.type !== undefined) throw new Error(`${where}: a second TYPE for ${name}`);
        if (f.samples.length > 0) throw new Error(`${where}: TYPE after the samples of ${name}`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type "${rest}"`);
        f.type = rest;
      }
      return;
    }
    const brace = line.indexOf('{');
    const space = line.search(/[ \t]/);
    const end = brace >= 0 && (space < 0 || brace < space) ? brace : space;
    if (end < 0) throw new Error(`${where}: a sample without a value`);
    const name = line.slice(0, end);
    if (!METRIC.test(name)) throw new Error(`${where}: bad metric name "${name}"`);
    let labels: Record<string, string> = {};
    let i = end;
    if (line[i] === '{') [labels, i] = parseLabels(line, i + 1, where);
    const tokens = line
      .slice(i)
      .trim()
      .split(/[ \t]+/);
    if (tokens.length < 1 || tokens.length > 2 || tokens[0] === '')
      throw new Error(`${where}: expected a value`);
    if (tokens[1] !== undefined && !/^-?[0-9]+$/.test(tokens[1])) throw new Error(`${where}: bad timestamp`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`${where}: the same series twice`);
    seen.add(key);
    enter(name, where);
    family(name).samples.push({ name, labels, value: parseValue(tokens[0] ?? '', where) });
  });
  return families;
}
