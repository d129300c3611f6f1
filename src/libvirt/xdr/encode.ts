import { LibvirtError } from '../errors.js';
import { pad, type XdrNode, type XdrType } from './types.js';

/** A growing output buffer. */
class Writer {
  buf = Buffer.alloc(256);
  length = 0;
  reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    this.length += n;
    return this.length - n;
  }
}

function fail(path: string, why: string): LibvirtError {
  return new LibvirtError('XDR_ENCODE', `Cannot encode ${path}: ${why}`);
}

function integer(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw fail(path, `${String(v)} is not an integer in [${min}, ${max}]`);
  }
  return v;
}

function bytes(w: Writer, data: Buffer, length: number, variable: boolean, path: string): void {
  if (variable) {
    if (data.length > length) throw fail(path, `${data.length} bytes is past its maximum ${length}`);
    w.buf.writeUInt32BE(data.length, w.reserve(4));
  } else if (data.length !== length) {
    throw fail(path, `${data.length} bytes, expected exactly ${length}`);
  }
  const at = w.reserve(pad(data.length));
  data.copy(w.buf, at);
  w.buf.fill(0, at + data.length, at + pad(data.length));
}

function write(w: Writer, t: XdrNode, v: unknown, path: string): void {
  switch (t.kind) {
    case 'void':
      return;
    case 'int':
      w.buf.writeInt32BE(integer(v, path, -0x8000_0000, 0x7fff_ffff), w.reserve(4));
      return;
    case 'uint':
      w.buf.writeUInt32BE(integer(v, path, 0, 0xffff_ffff), w.reserve(4));
      return;
    case 'hyper':
    case 'uhyper': {
      if (typeof v !== 'bigint') throw fail(path, `${String(v)} is not a bigint`);
      const at = w.reserve(8);
      if (t.kind === 'hyper') {
        if (v !== BigInt.asIntN(64, v)) throw fail(path, `${v} does not fit in a signed 64-bit hyper`);
        w.buf.writeBigInt64BE(v, at);
      } else {
        if (v !== BigInt.asUintN(64, v)) throw fail(path, `${v} does not fit in an unsigned 64-bit hyper`);
        w.buf.writeBigUInt64BE(v, at);
      }
      return;
    }
    case 'float':
    case 'double':
      if (typeof v !== 'number') throw fail(path, `${String(v)} is not a number`);
      if (t.kind === 'float') w.buf.writeFloatBE(v, w.reserve(4));
      else w.buf.writeDoubleBE(v, w.reserve(8));
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw fail(path, `${String(v)} is not a boolean`);
      w.buf.writeUInt32BE(v ? 1 : 0, w.reserve(4));
      return;
    case 'enum':
      if (typeof v !== 'number' || !Object.values(t.values).includes(v)) {
        throw fail(path, `${String(v)} is not a value of enum ${t.name}`);
      }
      w.buf.writeInt32BE(v, w.reserve(4));
      return;
    case 'string':
      if (typeof v !== 'string') throw fail(path, `${String(v)} is not a string`);
      bytes(w, Buffer.from(v, 'utf8'), t.max, true, path);
      return;
    case 'opaque':
      if (!Buffer.isBuffer(v)) throw fail(path, 'it is not a Buffer');
      bytes(w, v, t.length, t.variable, path);
      return;
    case 'array': {
      if (!Array.isArray(v)) throw fail(path, 'it is not an array');
      if (t.variable) {
        if (v.length > t.length) throw fail(path, `${v.length} items is past its maximum ${t.length}`);
        w.buf.writeUInt32BE(v.length, w.reserve(4));
      } else if (v.length !== t.length) {
        throw fail(path, `${v.length} items, expected exactly ${t.length}`);
      }
      for (let i = 0; i < v.length; i++) write(w, t.of, v[i], `${path}[${i}]`);
      return;
    }
    case 'optional':
      w.buf.writeUInt32BE(v === undefined ? 0 : 1, w.reserve(4));
      if (v !== undefined) write(w, t.of, v, path);
      return;
    case 'struct': {
      if (typeof v !== 'object' || v === null) throw fail(path, `${String(v)} is not an object`);
      const o = v as Record<string, unknown>;
      for (const [name, f] of Object.entries(t.fields)) write(w, f, o[name], `${path}.${name}`);
      return;
    }
    case 'union': {
      if (typeof v !== 'object' || v === null) throw fail(path, 'a union value is { type, value }');
      const { type, value } = v as { type: unknown; value: unknown };
      write(w, t.discriminant, type, `${path}<discriminant>`);
      const arm = t.arms.find((a) => a.values.includes(type as number))?.type ?? t.otherwise;
      if (arm === undefined) throw fail(path, `${String(type)} is not a case of union ${t.name}`);
      write(w, arm, value, `${path}.value`);
      return;
    }
  }
}

/**
 * Encodes a value as XDR, refusing (`XDR_ENCODE`, naming the field) values out of range, strings, opaque data and
 * arrays past their declared maximum, fixed-length data of the wrong size, and missing fields.
 *
 * @example
 * encodeXdr(RemoteConnectOpenArgs, { name: 'test:///default', flags: 0 }); // <Buffer 00 00 00 01 00 00 00 0f ...>
 */
export function encodeXdr<T>(type: XdrType<T>, value: T): Buffer {
  const w = new Writer();
  write(w, type, value, 'name' in type ? type.name : type.kind);
  return w.buf.subarray(0, w.length);
}
