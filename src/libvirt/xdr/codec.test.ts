import { describe, expect, it } from 'vitest';
import { LibvirtError } from '../errors.js';
import {
  RemoteConnectOpenArgs,
  RemoteDomainEventCallbackLifecycleMsg,
  RemoteTypedParam,
  VirNetMessageError,
} from '../generated/remote.js';
import { decodeXdr } from './decode.js';
import { encodeXdr } from './encode.js';
import { xdr } from './types.js';

const hex = (s: string) => Buffer.from(s, 'hex');

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof LibvirtError ? `${e.code}: ${e.message}` : String(e);
  }
  return undefined;
}

describe('XDR codec', () => {
  it('encodes CONNECT_OPEN args byte for byte as virsh did (capture test-driver-list)', () => {
    const b = encodeXdr(RemoteConnectOpenArgs, { name: 'test:///default', flags: 0 });
    expect(b.toString('hex')).toBe('000000010000000f746573743a2f2f2f64656661756c740000000000');
    expect(decodeXdr(RemoteConnectOpenArgs, b)).toEqual({ name: 'test:///default', flags: 0 });
  });

  it('decodes a lifecycle event and the error of an unknown domain from the captures', () => {
    const ev = decodeXdr(
      RemoteDomainEventCallbackLifecycleMsg,
      hex('0000000000000004746573746695eb01f6a4830479aa97f2502e193fffffffff0000000500000001'),
    );
    expect(ev).toMatchObject({ callbackID: 0, msg: { dom: { name: 'test', id: -1 }, event: 5, detail: 1 } });
    expect(ev.msg.dom.uuid.toString('hex')).toBe('6695eb01f6a4830479aa97f2502e193f');
    const err = decodeXdr(
      VirNetMessageError,
      hex(
        '0000002a0000000c0000000100000010446f6d61696e206e6f7420666f756e6400000002000000000000000100000010446f6d61696e206e6f7420666f756e640000000000000000ffffffffffffffff00000000',
      ),
    );
    expect(err).toMatchObject({ code: 42, domain: 12, message: 'Domain not found', level: 2, int1: -1 });
    expect(err.dom).toBeUndefined();
  });

  it('round-trips every kind: hypers, bools, unions, optional, fixed and variable opaque and arrays', () => {
    const T = xdr.struct('t', {
      h: xdr.hyper,
      u: xdr.uhyper,
      b: xdr.bool,
      d: xdr.double,
      f: xdr.opaque(3),
      v: xdr.varOpaque(8),
      a: xdr.array(xdr.uint, 2),
      o: xdr.optional(xdr.string(5)),
      n: xdr.optional(xdr.int),
      p: xdr.varArray(RemoteTypedParam, 4),
    });
    const value = {
      h: -(2n ** 63n),
      u: 2n ** 64n - 1n,
      b: true,
      d: 1.5,
      f: Buffer.from('abc'),
      v: Buffer.from([1, 2, 3, 4, 5]),
      a: [0, 0xffffffff],
      o: 'héé',
      n: undefined,
      p: [
        { field: 'cpu.time', value: { type: 4 as const, value: 123n } },
        { field: 'state.state', value: { type: 1 as const, value: -3 } },
        { field: 'name', value: { type: 7 as const, value: 'vm' } },
      ],
    };
    const b = encodeXdr(T, value);
    expect(b.length % 4).toBe(0);
    expect(decodeXdr(T, b)).toEqual(value);
  });

  it('refuses values its type cannot carry, naming the field', () => {
    expect(codeOf(() => encodeXdr(RemoteConnectOpenArgs, { name: 'x', flags: -1 }))).toMatch(
      /^XDR_ENCODE: Cannot encode remote_connect_open_args.flags: -1 is not an integer/,
    );
    expect(codeOf(() => encodeXdr(xdr.string(3), 'abcd'))).toMatch(/4 bytes is past its maximum 3/);
    expect(codeOf(() => encodeXdr(xdr.opaque(16), Buffer.alloc(15)))).toMatch(/expected exactly 16/);
    expect(codeOf(() => encodeXdr(xdr.varArray(xdr.int, 1), [1, 2]))).toMatch(
      /2 items is past its maximum 1/,
    );
    expect(codeOf(() => encodeXdr(xdr.hyper, 2n ** 63n))).toMatch(/does not fit/);
    expect(
      codeOf(() => encodeXdr(RemoteTypedParam, { field: 'x', value: { type: 9, value: 1 } as never })),
    ).toMatch(/9 is not a case of union remote_typed_param_value/);
  });

  it('refuses malformed XDR: short data, counts past the maximum or the bytes left, bad bools, trailing bytes', () => {
    expect(codeOf(() => decodeXdr(RemoteConnectOpenArgs, hex('00000001000000')))).toMatch(
      /^XDR_DECODE: Malformed XDR in remote_connect_open_args.name: needs 4 bytes/,
    );
    expect(codeOf(() => decodeXdr(xdr.string(10), hex('0000000b')))).toMatch(
      /length 11 is past its maximum 10/,
    );
    expect(codeOf(() => decodeXdr(xdr.varArray(xdr.int), hex('7fffffff00000000')))).toMatch(
      /length 2147483647 cannot fit in the 4 bytes left/,
    );
    expect(codeOf(() => decodeXdr(xdr.bool, hex('00000002')))).toMatch(/bool is 2/);
    expect(codeOf(() => decodeXdr(xdr.optional(xdr.int), hex('0000000500000001')))).toMatch(
      /optional-data flag is 5/,
    );
    expect(codeOf(() => decodeXdr(xdr.int, hex('0000000100000002')))).toMatch(/4 bytes left over/);
    expect(codeOf(() => decodeXdr(xdr.enumOf('e', { A: 0 }), hex('00000003')))).toMatch(
      /3 is not a value of enum e/,
    );
  });
});
