import { FormatError } from '../errors.js';

/**
 * The VMware configuration file syntax: one `key = "value"` per line, `#` comments, keys case-insensitive, and
 * special characters in values written as `|XX` (hex), as VMware's products and libvirt's vmx driver do
 * (`|22` for a double quote, `|7C` for `|`, `|0A` for a new line).
 */

/** One entry: the value as text and the 1-based line it came from. */
interface VmxEntry {
  key: string;
  value: string;
  line: number;
}

/** A parsed vmx file: entries by lower-cased key, in file order. */
export type VmxDict = Map<string, VmxEntry>;

/** Largest vmx file accepted (real ones are a few kilobytes). */
const MAX_VMX_BYTES = 1 << 20;
const MAX_ENTRIES = 20_000;
const LINE = /^([A-Za-z0-9_.:\-[\]]+)\s*=\s*(.*)$/;

/**
 * Parses vmx text, or throws `FORMAT_SYNTAX` (a line that is not `key = value`, an unterminated quote, a bad
 * `|XX` escape) or `FORMAT_TOO_LARGE`, with the file and line.
 *
 * @example
 * parseVmxText('displayName = "web1"\nmemsize = "1024"\n').get('memsize')?.value; // '1024'
 */
export function parseVmxText(input: string | Uint8Array, file?: string): VmxDict {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_VMX_BYTES) {
    throw new FormatError(
      'FORMAT_TOO_LARGE',
      `The vmx file is ${size} bytes, over the limit of ${MAX_VMX_BYTES}`,
      {
        location: { file },
      },
    );
  }
  const text = typeof input === 'string' ? input : decode(input, file);
  const out: VmxDict = new Map();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    const m = LINE.exec(s);
    const fail = (why: string): never => {
      throw new FormatError('FORMAT_SYNTAX', `vmx line ${line}: ${why}`, {
        location: { file, line, column: 1 },
      });
    };
    if (!m) fail('expected key = "value"');
    const key = m![1]!;
    const value = readValue(m![2]!.trim(), fail);
    if (out.size >= MAX_ENTRIES) {
      throw new FormatError('FORMAT_TOO_LARGE', `The vmx file has more than ${MAX_ENTRIES} entries`, {
        location: { file, line },
      });
    }
    out.set(key.toLowerCase(), { key, value, line });
  });
  return out;
}

function readValue(v: string, fail: (why: string) => never): string {
  if (!v.startsWith('"')) {
    const bare = v.replace(/\s+#.*$/, '');
    if (bare.includes('"')) fail('a value with a quote must be written in double quotes');
    return unescapeVmx(bare, fail);
  }
  const end = v.indexOf('"', 1);
  if (end < 0) fail('the quoted value has no closing quote');
  const rest = v.slice(end + 1).trim();
  if (rest !== '' && !rest.startsWith('#')) fail(`unexpected text after the value: "${rest.slice(0, 20)}"`);
  return unescapeVmx(v.slice(1, end), fail);
}

function unescapeVmx(s: string, fail: (why: string) => never): string {
  return s.replace(/\|(.{0,2})/g, (_m, hex: string) => {
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail(`"|${hex}" is not a |XX escape`);
    return String.fromCharCode(Number.parseInt(hex, 16));
  });
}

function decode(bytes: Uint8Array, file: string | undefined): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
    if (/^\s*\.encoding\s*=\s*"(windows-1252|iso-8859-1|cp1252)"/im.test(head)) {
      return new TextDecoder('windows-1252').decode(bytes);
    }
    throw new FormatError('FORMAT_SYNTAX', 'The vmx file is not valid UTF-8 and names no other .encoding', {
      location: { file, line: 1 },
    });
  }
}

/** Escapes a value for a vmx file: `"`, `|`, `#` and control characters as `|XX`. */
export function escapeVmx(value: string): string {
  return Array.from(value, (ch) => {
    const c = ch.codePointAt(0) ?? 0;
    return c < 0x20 || ch === '"' || ch === '|' || ch === '#' || c === 0x7f
      ? `|${c.toString(16).toUpperCase().padStart(2, '0')}`
      : ch;
  }).join('');
}

/** Writes entries as vmx text, one `key = "value"` per line. */
export function formatVmxText(entries: ReadonlyArray<readonly [string, string]>): string {
  return entries.map(([k, v]) => `${k} = "${escapeVmx(v)}"\n`).join('');
}
