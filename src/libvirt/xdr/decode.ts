import { LibvirtError } from '../errors.js';
import { minSize, pad, type XdrNode, type XdrType } from './types.js';

/** A cursor over XDR bytes that refuses to read past the end, naming the field it was reading. */
class Reader {
  offset: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.offset = start;
  }
  need(n: number, path: string): void {
    if (n > this.end - this.offset) {
      throw fail(path, `needs ${n} bytes at offset ${this.offset}, only ${this.end - this.offset} left`);
    }
  }
  u32(path: string): number {
    this.need(4, path);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
}

function fail(path: string, why: string): LibvirtError {
  return new LibvirtError('XDR_DECODE', `Malformed XDR in ${path}: ${why}`);
}

function count(r: Reader, t: { length: number; variable: boolean }, unit: number, path: string): number {
  if (!t.variable) return t.length;
  const n = r.u32(path);
  if (n > t.length) throw fail(path, `length ${n} is past its maximum ${t.length}`);
  if (unit > 0 && n > (r.end - r.offset) / unit) {
    throw fail(path, `length ${n} cannot fit in the ${r.end - r.offset} bytes left`);
  }
  return n;
}

function read(r: Reader, t: XdrNode, path: string): unknown {
  switch (t.kind) {
    case 'void':
      return undefined;
    case 'int':
      r.need(4, path);
      r.offset += 4;
      return r.buf.readInt32BE(r.offset - 4);
    case 'uint':
      return r.u32(path);
    case 'hyper':
      r.need(8, path);
      r.offset += 8;
      return r.buf.readBigInt64BE(r.offset - 8);
    case 'uhyper':
      r.need(8, path);
      r.offset += 8;
      return r.buf.readBigUInt64BE(r.offset - 8);
    case 'float':
      r.need(4, path);
      r.offset += 4;
      return r.buf.readFloatBE(r.offset - 4);
    case 'double':
      r.need(8, path);
      r.offset += 8;
      return r.buf.readDoubleBE(r.offset - 8);
    case 'bool': {
      const v = r.u32(path);
      if (v > 1) throw fail(path, `bool is ${v}, not 0 or 1`);
      return v === 1;
    }
    case 'enum': {
      r.need(4, path);
      const v = r.buf.readInt32BE(r.offset);
      r.offset += 4;
      if (!Object.values(t.values).includes(v)) throw fail(path, `${v} is not a value of enum ${t.name}`);
      return v;
    }
    case 'string':
    case 'opaque': {
      const shape = t.kind === 'string' ? { length: t.max, variable: true } : t;
      const n = count(r, shape, 1, path);
      r.need(pad(n), path);
      const bytes = r.buf.subarray(r.offset, r.offset + n);
      r.offset += pad(n);
      return t.kind === 'string' ? bytes.toString('utf8') : Buffer.from(bytes);
    }
    case 'array': {
      const n = count(r, t, minSize(t.of), path);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(read(r, t.of, `${path}[${i}]`));
      return out;
    }
    case 'optional': {
      const present = r.u32(path);
      if (present > 1) throw fail(path, `optional-data flag is ${present}, not 0 or 1`);
      return present === 1 ? read(r, t.of, path) : undefined;
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [name, f] of Object.entries(t.fields)) out[name] = read(r, f, `${path}.${name}`);
      return out;
    }
    case 'union': {
      const type = read(r, t.discriminant, `${path}<discriminant>`) as number;
      const arm = t.arms.find((a) => a.values.includes(type))?.type ?? t.otherwise;
      if (arm === undefined) throw fail(path, `${type} is not a case of union ${t.name}`);
      return { type, value: read(r, arm, `${path}.value`) };
    }
  }
}

/**
 * Decodes one value of `type` that fills `buf[start, end)` exactly: `XDR_DECODE` naming the field for a short
 * buffer, a count past its maximum (or past what the bytes left could hold), a bad bool, enum or union case, or
 * bytes left over.
 *
 * @example
 * const dom = decodeXdr(RemoteNonnullDomain, payload); // { name: 'test', uuid: <Buffer ...>, id: 1 }
 */
export function decodeXdr<T>(type: XdrType<T>, buf: Buffer, start = 0, end = buf.length): T {
  const r = new Reader(buf, start, end);
  const name = 'name' in type ? type.name : type.kind;
  const v = read(r, type, name);
  if (r.offset !== end) throw fail(name, `${end - r.offset} bytes left over after the value`);
  return v as T;
}
