import {
  type TInteger,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TTransform,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';

/**
 * TypeBox building blocks of the Api's schemas. A schema is written once and gives three things: the TypeScript
 * type (`StaticDecode<typeof S>`), the runtime check of what crosses a transport (`Value.Decode`), and the JSON
 * Schema REST's OpenAPI document publishes. Sizes are `bigint` in TypeScript and decimal strings on the wire;
 * a wait "until done" is `Infinity` in TypeScript and -1 on the wire.
 */

/** The largest value an unsigned 64-bit counter or size can have (DSP0004 uint64). */
export const UINT64_MAX = (1n << 64n) - 1n;

/**
 * An unsigned 64-bit integer: `bigint` in TypeScript, a decimal string without sign or leading zeros on the wire.
 *
 * @example
 * Value.Decode(Uint64, '1073741824'); // 1073741824n
 * Value.Encode(Uint64, 512n);         // '512'
 */
export const Uint64: TTransform<TString, bigint> = Type.Transform(
  Type.String({ pattern: '^(0|[1-9][0-9]{0,19})$', description: 'an unsigned 64-bit integer, in decimal' }),
)
  .Decode((text) => {
    const n = BigInt(text);
    if (n > UINT64_MAX) throw new RangeError(`${text} is beyond an unsigned 64-bit integer`);
    return n;
  })
  .Encode((n) => {
    if (n < 0n || n > UINT64_MAX) throw new RangeError(`${n} is not an unsigned 64-bit integer`);
    return n.toString();
  });

/** The most bytes a {@link Base64Bytes} value carries: 16 MiB (a 4K display's PNG fits many times over). */
export const MAX_BASE64_BYTES = 16 << 20;

/**
 * Binary content (a PNG screenshot): `Uint8Array` in TypeScript, standard base64 (RFC 4648 §4) on the wire.
 *
 * @example
 * Value.Decode(Base64Bytes, 'iVBORw=='); // Uint8Array [0x89, 0x50, 0x4e, 0x47]
 */
export const Base64Bytes: TTransform<TString, Uint8Array> = Type.Transform(
  Type.String({
    maxLength: Math.ceil(MAX_BASE64_BYTES / 3) * 4,
    pattern: '^[A-Za-z0-9+/]*={0,2}$',
    contentEncoding: 'base64',
    description: 'bytes in base64 (RFC 4648 §4)',
  }),
)
  .Decode((text): Uint8Array => {
    if (text.length % 4 !== 0) throw new RangeError('base64 text must be a multiple of 4 characters long');
    return new Uint8Array(Buffer.from(text, 'base64'));
  })
  .Encode((bytes) => {
    if (bytes.byteLength > MAX_BASE64_BYTES)
      throw new RangeError(`${bytes.byteLength} bytes is over the limit`);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  });

/** A point in time as RFC 3339 text in UTC or with an offset, e.g. `2026-12-02T13:42:00.123Z`. */
export const Timestamp = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$',
  description: 'RFC 3339 date and time',
});

/** The longest wait a caller may ask for, other than "until done": one day. */
export const MAX_WAIT_MS = 86_400_000;

/**
 * How long a call waits for its job: 0 (answer at once) to {@link MAX_WAIT_MS}, or `Infinity` (until the job ends),
 * which the wire writes as -1.
 *
 * @example
 * Value.Decode(WaitMs, -1); // Infinity
 */
export const WaitMs: TTransform<TInteger, number> = Type.Transform(
  Type.Integer({
    minimum: -1,
    maximum: MAX_WAIT_MS,
    description: 'milliseconds; -1 waits until the job ends',
  }),
)
  .Decode((n) => (n === -1 ? Number.POSITIVE_INFINITY : n))
  .Encode((n) => {
    if (n === Number.POSITIVE_INFINITY) return -1;
    if (!Number.isInteger(n) || n < 0 || n > MAX_WAIT_MS) throw new RangeError(`waitMs ${n} is out of range`);
    return n;
  });

/** The identifier of a job, an artifact or a subscription, as the host chose it. */
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' });

/**
 * An object a caller sends (parameters, options, queries): unknown names are refused, so a misspelt option fails
 * loudly rather than being ignored. What a host answers is not strict, so an older client reads a newer host.
 *
 * @example
 * const P = Strict({ ref: SystemRefSchema, options: Type.Optional(JobOptionsSchema) });
 */
export function Strict<P extends TProperties>(properties: P): TObject<P> {
  return Type.Object(properties, { additionalProperties: false });
}

/**
 * A schema whose TypeScript type is given rather than derived: for the model's own types (VirtualSystemDefinition
 * and its property bags), whose index signatures TypeBox cannot spell. The JSON check is the schema's.
 *
 * @example
 * const Def = typed<VirtualSystemDefinition>(Type.Object({ system: ..., resources: ... }));
 */
export function typed<T>(schema: TSchema): TUnsafe<T> {
  return Type.Unsafe<T>(schema);
}

/**
 * One of a closed list of strings (a vocabulary kept as a `const` array), as a schema of that union.
 *
 * @example
 * const Color = oneOf(['red', 'green'] as const); // StaticDecode<typeof Color> is 'red' | 'green'
 */
export function oneOf<const V extends readonly string[]>(values: V): TUnsafe<V[number]> {
  return typed<V[number]>(Type.Union(values.map((v) => Type.Literal(v))));
}
