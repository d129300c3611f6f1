import { CimError } from '../errors.js';

/** A MOF token (DSP0004 Annex A): identifiers, literals and punctuation, with its 1-based position. */
export interface MofToken {
  kind: 'ident' | 'string' | 'char' | 'number' | 'punct' | 'alias' | 'pragma' | 'eof';
  /** Identifiers and punctuation as written; strings and chars unescaped; numbers as written. */
  text: string;
  line: number;
  column: number;
}

const PUNCT = new Set(['{', '}', '[', ']', '(', ')', ';', ',', ':', '=']);

/**
 * Splits MOF text into tokens, dropping comments and whitespace. Throws a {@link CimError} `CIM_MOF_SYNTAX` with
 * the line and column of anything it cannot read (an unterminated string or comment, a stray character).
 *
 * @example
 * tokenizeMof('instance of X { A = "b"; };').map((t) => t.text); // ['instance','of','X','{','A','=','b',';','}',';','']
 */
export function tokenizeMof(src: string, file?: string): MofToken[] {
  const out: MofToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (msg: string, at = i): never => {
    throw new CimError('CIM_MOF_SYNTAX', `MOF: ${msg}`, {
      location: { file, line, column: at - lineStart + 1 },
    });
  };
  const push = (kind: MofToken['kind'], text: string, start: number): void => {
    out.push({ kind, text, line, column: start - lineStart + 1 });
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\ufeff') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment');
      for (let j = i; j < end; j++) {
        if (src[j] === '\n') {
          line++;
          lineStart = j + 1;
        }
      }
      i = end + 2;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      const [value, next] = readQuoted(src, i, c, fail);
      push(c === '"' ? 'string' : 'char', value, start);
      i = next;
      continue;
    }
    if (PUNCT.has(c)) {
      push('punct', c, start);
      i++;
      continue;
    }
    if (c === '$' || c === '#') {
      i++;
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      if (i === start + 1) fail(`"${c}" must be followed by a name`);
      push(c === '$' ? 'alias' : 'pragma', src.slice(start + 1, i), start);
      continue;
    }
    if (/[0-9+\-.]/.test(c)) {
      i++;
      while (i < src.length && /[0-9A-Za-z.+-]/.test(src[i]!)) {
        // A sign only continues a number right after an exponent marker.
        if ((src[i] === '+' || src[i] === '-') && !/[eE]/.test(src[i - 1]!)) break;
        i++;
      }
      push('number', src.slice(start, i), start);
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      i++;
      while (i < src.length && /[A-Za-z0-9_\u0080-\uffff]/.test(src[i]!)) i++;
      push('ident', src.slice(start, i), start);
      continue;
    }
    fail(`unexpected character "${c}"`);
  }
  out.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 });
  return out;
}

const ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/** Everything up to the next quote, backslash or line end: taken as one slice rather than char by char. */
const PLAIN = /[^"'\\\n]*/y;
const HEX = /[0-9A-Fa-f]{1,4}/y;

/** Reads a string or char literal starting at its quote; returns the unescaped value and the index after it. */
function readQuoted(
  src: string,
  start: number,
  quote: string,
  fail: (msg: string, at?: number) => never,
): [string, number] {
  let i = start + 1;
  const parts: string[] = [];
  while (i < src.length) {
    PLAIN.lastIndex = i;
    PLAIN.exec(src);
    if (PLAIN.lastIndex > i) {
      parts.push(src.slice(i, PLAIN.lastIndex));
      i = PLAIN.lastIndex;
      continue;
    }
    const c = src[i]!;
    if (c === quote) return [parts.join(''), i + 1];
    if (c === '\n') fail('a string is not closed before the end of the line', start);
    if (c === '\\') {
      const e = src[i + 1] ?? '';
      if (e === 'x' || e === 'X') {
        HEX.lastIndex = i + 2;
        const m = HEX.exec(src);
        if (!m) fail('\\x must be followed by hex digits', i);
        parts.push(String.fromCharCode(Number.parseInt(m[0], 16)));
        i += 2 + m[0].length;
        continue;
      }
      const r = ESCAPES[e];
      if (r === undefined) fail(`unknown escape "\\${e}"`, i);
      parts.push(r);
      i += 2;
      continue;
    }
    parts.push(c); // the other kind of quote
    i++;
  }
  return fail('unterminated string', start);
}
