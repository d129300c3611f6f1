/**
 * XDR type descriptors (RFC 4506): plain data that the encoder and decoder walk. `T` is the TypeScript value a
 * descriptor stands for (a phantom: it only types the codec's results). Integers are numbers, hypers bigints,
 * opaque data Buffers, optional data (`*`) the value or undefined, unions `{ type, value }`.
 */
export type XdrNode =
  | { kind: 'void' }
  | { kind: 'int' | 'uint' | 'hyper' | 'uhyper' | 'bool' | 'float' | 'double' }
  | { kind: 'enum'; name: string; values: Readonly<Record<string, number>> }
  | { kind: 'string'; max: number }
  | { kind: 'opaque'; length: number; variable: boolean }
  | { kind: 'array'; of: XdrNode; length: number; variable: boolean }
  | { kind: 'optional'; of: XdrNode }
  | { kind: 'struct'; name: string; fields: Readonly<Record<string, XdrNode>> }
  | { kind: 'union'; name: string; discriminant: XdrNode; arms: readonly XdrArm[]; otherwise?: XdrNode };

/** One arm of a union: the discriminant values it answers and what follows (void for none). */
export interface XdrArm {
  values: readonly number[];
  type: XdrNode;
}

/** A descriptor that carries the TypeScript type of its values. */
export type XdrType<T> = XdrNode & { readonly __value?: T };

/** The TypeScript value of a descriptor. */
export type XdrValue<D> = D extends XdrType<infer T> ? T : never;

/** The largest count of a variable-length item without a declared maximum (`<>`). */
export const XDR_UNBOUNDED = 0xffff_ffff;

type Fields = Record<string, XdrType<unknown>>;
type StructValue<F extends Fields> = { -readonly [K in keyof F]: XdrValue<F[K]> };

/**
 * Builders for descriptors; the generated file (src/libvirt/generated/remote.ts) is written with them.
 *
 * @example
 * const Domain = xdr.struct('remote_nonnull_domain', { name: xdr.string(4194304), uuid: xdr.opaque(16), id: xdr.int });
 * // XdrValue<typeof Domain>: { name: string; uuid: Buffer; id: number }
 */
export const xdr = {
  void: { kind: 'void' } as XdrType<undefined>,
  int: { kind: 'int' } as XdrType<number>,
  uint: { kind: 'uint' } as XdrType<number>,
  hyper: { kind: 'hyper' } as XdrType<bigint>,
  uhyper: { kind: 'uhyper' } as XdrType<bigint>,
  bool: { kind: 'bool' } as XdrType<boolean>,
  float: { kind: 'float' } as XdrType<number>,
  double: { kind: 'double' } as XdrType<number>,
  string: (max = XDR_UNBOUNDED): XdrType<string> => ({ kind: 'string', max }),
  opaque: (length: number): XdrType<Buffer> => ({ kind: 'opaque', length, variable: false }),
  varOpaque: (max = XDR_UNBOUNDED): XdrType<Buffer> => ({ kind: 'opaque', length: max, variable: true }),
  array: <T>(of: XdrType<T>, length: number): XdrType<T[]> => ({
    kind: 'array',
    of,
    length,
    variable: false,
  }),
  varArray: <T>(of: XdrType<T>, max = XDR_UNBOUNDED): XdrType<T[]> => ({
    kind: 'array',
    of,
    length: max,
    variable: true,
  }),
  optional: <T>(of: XdrType<T>): XdrType<T | undefined> => ({ kind: 'optional', of }),
  enumOf: <V extends Record<string, number>>(name: string, values: V): XdrType<number> => ({
    kind: 'enum',
    name,
    values,
  }),
  struct: <F extends Fields>(name: string, fields: F): XdrType<StructValue<F>> => ({
    kind: 'struct',
    name,
    fields,
  }),
  union: <T>(name: string, discriminant: XdrNode, arms: XdrArm[], otherwise?: XdrNode): XdrType<T> =>
    otherwise === undefined
      ? { kind: 'union', name, discriminant, arms }
      : { kind: 'union', name, discriminant, arms, otherwise },
};

/** The least number of bytes a value of this type takes on the wire (to refuse counts a packet cannot hold). */
export function minSize(t: XdrNode): number {
  switch (t.kind) {
    case 'void':
      return 0;
    case 'hyper':
    case 'uhyper':
    case 'double':
      return 8;
    case 'opaque':
      return t.variable ? 4 : pad(t.length);
    case 'array':
      return t.variable ? 4 : t.length * minSize(t.of);
    case 'struct':
      return Object.values(t.fields).reduce((n, f) => n + minSize(f), 0);
    case 'union':
      return 4;
    default:
      return 4;
  }
}

/** A length rounded up to XDR's 4-byte unit. */
export function pad(n: number): number {
  return (n + 3) & ~3;
}
