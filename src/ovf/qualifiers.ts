/**
 * ProductSection property types and qualifiers (DSP0243 §9.5.1, DSP0004 types): which `ovf:type` values exist,
 * whether a value is of its type, and how `ovf:qualifiers` (`MinLen(1),MaxLen(64)`, `ValueMap{"a","b"}`,
 * `MinValue(1) MaxValue(10)`, VMware's `Ip(net)` ...) read and constrain a value.
 */

/** What a property type is made of. */
export interface PropertyType {
  /** The CIM spelling: uint8..uint64, sint8..sint64, real32, real64, boolean, string, char16, datetime. */
  cim: string;
  kind: 'uint' | 'sint' | 'real' | 'boolean' | 'string' | 'char16' | 'datetime';
  bits?: 8 | 16 | 32 | 64;
  /** True when the descriptor spelled it as a vendor alias or in another case ("int", "String"). */
  alias: boolean;
}

const CIM_TYPES: Record<string, Omit<PropertyType, 'alias' | 'cim'>> = {
  uint8: { kind: 'uint', bits: 8 },
  uint16: { kind: 'uint', bits: 16 },
  uint32: { kind: 'uint', bits: 32 },
  uint64: { kind: 'uint', bits: 64 },
  sint8: { kind: 'sint', bits: 8 },
  sint16: { kind: 'sint', bits: 16 },
  sint32: { kind: 'sint', bits: 32 },
  sint64: { kind: 'sint', bits: 64 },
  real32: { kind: 'real', bits: 32 },
  real64: { kind: 'real', bits: 64 },
  boolean: { kind: 'boolean' },
  string: { kind: 'string' },
  char16: { kind: 'char16' },
  datetime: { kind: 'datetime' },
};

/** vSphere vApp type names some producers write instead of CIM types. */
const ALIASES: Record<string, string> = { int: 'sint32', long: 'sint64', real: 'real64' };

/** The type an `ovf:type` names, or undefined when it is no CIM type nor a known alias. */
export function propertyType(type: string): PropertyType | undefined {
  const t = type.trim();
  const exact = CIM_TYPES[t];
  if (exact) return { cim: t, ...exact, alias: false };
  const lower = t.toLowerCase();
  const cim = CIM_TYPES[lower] ? lower : ALIASES[lower];
  const spec = cim === undefined ? undefined : CIM_TYPES[cim];
  return cim === undefined || spec === undefined ? undefined : { cim, ...spec, alias: true };
}

const REAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATETIME = /^[\d*]{14}\.[\d*]{6}([+-][\d*]{3}|:000)$/;

function intRange(t: PropertyType): [bigint, bigint] {
  const bits = BigInt(t.bits ?? 64);
  return t.kind === 'uint' ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

/** Why `value` is not of type `t`, or undefined when it is. */
export function propertyValueError(t: PropertyType, value: string): string | undefined {
  const v = value.trim();
  switch (t.kind) {
    case 'uint':
    case 'sint': {
      if (!/^[+-]?\d{1,40}$/.test(v)) return `"${value}" is not a whole number`;
      const [lo, hi] = intRange(t);
      const n = BigInt(v);
      return n < lo || n > hi ? `${n} is outside ${t.cim} (${lo}..${hi})` : undefined;
    }
    case 'real': {
      if (!REAL.test(v)) return `"${value}" is not a number`;
      const n = Number(v);
      const max = t.bits === 32 ? 3.4028234663852886e38 : Number.MAX_VALUE;
      return Math.abs(n) > max ? `${v} is outside ${t.cim}` : undefined;
    }
    case 'boolean':
      return /^(true|false|1|0)$/i.test(v) ? undefined : `"${value}" is not true or false`;
    case 'char16':
      return [...value].length === 1 ? undefined : `"${value}" is not a single character`;
    case 'datetime':
      return DATETIME.test(v) ? undefined : `"${value}" is not a CIM datetime (yyyymmddhhmmss.mmmmmm+utc)`;
    default:
      return undefined;
  }
}

/** One qualifier of `ovf:qualifiers`. */
export type Qualifier =
  | { name: 'MinLen' | 'MaxLen'; value: bigint }
  | { name: 'MinValue' | 'MaxValue'; value: string }
  | { name: 'ValueMap'; values: string[] }
  | { name: string; arg?: string | undefined };

/** VMware's network and address qualifiers: they guide the UI and constrain nothing CIM checks. */
const VMWARE_QUALIFIERS = new Set(
  'Ip Net Netmask Gateway Dns DomainName SearchPath HostPrefix HttpProxy AutoIp Subnet VimIp Password'.split(
    ' ',
  ),
);

/** True for qualifiers CIM or VMware define. */
export function isKnownQualifier(name: string): boolean {
  return (
    ['MinLen', 'MaxLen', 'MinValue', 'MaxValue', 'ValueMap'].includes(name) || VMWARE_QUALIFIERS.has(name)
  );
}

/**
 * Reads `ovf:qualifiers`: qualifiers separated by commas or spaces, each `Name`, `Name(arg)` or `Name{list}`.
 * Throws an Error naming the problem when the text does not read.
 */
export function parseQualifiers(text: string): Qualifier[] {
  const out: Qualifier[] = [];
  let i = 0;
  while (i < text.length) {
    if (/[\s,]/.test(text[i]!)) {
      i++;
      continue;
    }
    const m = /^[A-Za-z_][\w.-]*/.exec(text.slice(i));
    if (!m) throw new Error(`unexpected "${text[i]}" at position ${i + 1}`);
    const name = m[0];
    i += name.length;
    if (text[i] === '(') {
      const end = text.indexOf(')', i);
      if (end < 0) throw new Error(`${name}( is not closed`);
      out.push(argQualifier(name, text.slice(i + 1, end)));
      i = end + 1;
    } else if (text[i] === '{') {
      const [values, end] = readList(text, i + 1, name);
      if (name !== 'ValueMap' && name !== 'Values') out.push({ name, arg: values.join(',') });
      else if (name === 'ValueMap') out.push({ name, values });
      i = end;
    } else out.push({ name });
  }
  return out;
}

function argQualifier(name: string, arg: string): Qualifier {
  const a = arg.trim();
  if (name === 'MinLen' || name === 'MaxLen') {
    if (!/^\d{1,18}$/.test(a)) throw new Error(`${name}(${arg}) needs a whole number`);
    return { name, value: BigInt(a) };
  }
  if (name === 'MinValue' || name === 'MaxValue') {
    if (!REAL.test(a)) throw new Error(`${name}(${arg}) needs a number`);
    return { name, value: a };
  }
  return { name, arg };
}

/** Reads `"a", "b", 3, 1..5}` from position i; returns the entries (quotes removed) and the index after `}`. */
function readList(text: string, start: number, name: string): [string[], number] {
  const values: string[] = [];
  let i = start;
  for (;;) {
    while (i < text.length && /[\s,]/.test(text[i]!)) i++;
    if (i >= text.length) throw new Error(`${name}{ is not closed`);
    if (text[i] === '}') return [values, i + 1];
    if (text[i] === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        s += text[i];
        i++;
      }
      if (i >= text.length) throw new Error(`a string in ${name}{...} is not closed`);
      values.push(s);
      i++;
    } else {
      const m = /^[^\s,}"]+/.exec(text.slice(i));
      if (!m) throw new Error(`unexpected "${text[i]}" in ${name}{...}`);
      values.push(m[0]);
      i += m[0].length;
    }
  }
}

/** How a qualifier does not fit a type (e.g. MinValue on a string), or undefined when it fits. */
export function qualifierTypeError(t: PropertyType, q: Qualifier): string | undefined {
  const numeric = t.kind === 'uint' || t.kind === 'sint' || t.kind === 'real';
  if ((q.name === 'MinValue' || q.name === 'MaxValue') && !numeric)
    return `${q.name} applies to numbers, not ${t.cim}`;
  if ((q.name === 'MinLen' || q.name === 'MaxLen') && t.kind !== 'string')
    return `${q.name} applies to strings, not ${t.cim}`;
  return undefined;
}

/** How `value` violates a qualifier, or undefined when it satisfies it (or the qualifier does not constrain). */
export function qualifierViolation(t: PropertyType, q: Qualifier, value: string): string | undefined {
  const len = BigInt([...value].length);
  if (q.name === 'MinLen' && 'value' in q && typeof q.value === 'bigint' && len < q.value) {
    return `"${value}" is ${len} characters, fewer than MinLen(${q.value})`;
  }
  if (q.name === 'MaxLen' && 'value' in q && typeof q.value === 'bigint' && len > q.value) {
    return `"${value}" is ${len} characters, more than MaxLen(${q.value})`;
  }
  if ((q.name === 'MinValue' || q.name === 'MaxValue') && 'value' in q && typeof q.value === 'string') {
    const v = Number(value.trim());
    const bound = Number(q.value);
    if (q.name === 'MinValue' && v < bound) return `${value} is less than MinValue(${q.value})`;
    if (q.name === 'MaxValue' && v > bound) return `${value} is more than MaxValue(${q.value})`;
  }
  if (q.name === 'ValueMap' && 'values' in q && !inValueMap(t, q.values, value)) {
    return `"${value}" is not one of ValueMap{${q.values.map((v) => JSON.stringify(v)).join(', ')}}`;
  }
  return undefined;
}

function inValueMap(t: PropertyType, values: string[], value: string): boolean {
  if (values.includes(value)) return true;
  if (t.kind !== 'uint' && t.kind !== 'sint') return false;
  const v = value.trim();
  if (!/^[+-]?\d{1,40}$/.test(v)) return false;
  const n = BigInt(v);
  return values.some((e) => {
    const r = /^([+-]?\d{1,40})?\.\.([+-]?\d{1,40})?$/.exec(e.trim());
    if (r) return (r[1] === undefined || n >= BigInt(r[1])) && (r[2] === undefined || n <= BigInt(r[2]));
    return /^[+-]?\d{1,40}$/.test(e.trim()) && BigInt(e.trim()) === n;
  });
}
