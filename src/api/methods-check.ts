import type { StaticDecode } from '@sinclair/typebox';
import type { Api, ApiMethodName } from './api.js';
import type { ByteChannel, ByteStream } from './common.js';
import type { Subscription } from './events.js';
import type { MethodSpec } from './method-spec.js';
import type { METHODS } from './methods.js';

/**
 * Compile-time proof that METHODS and the Api agree, method by method: the parameters named in `args` have the
 * types of the Api method's parameters, the unnamed ones (`null`) are streams or callbacks, and the result schema
 * decodes to what the method resolves to (streaming answers excepted). Compared as a transport sees them: without
 * `readonly`, without callbacks and stream bodies. Nothing here runs; a disagreement fails `tsc` and names the
 * method. The parameter names themselves must be exactly the params schema's.
 */

type Fn = (...a: never[]) => unknown;
type NotOnWire = Fn | ByteStream | ByteChannel | Subscription;

/** A type as it travels: no `readonly`, no callbacks or stream bodies (a key whose value is one is dropped). */
type Wire<T> = T extends NotOnWire
  ? never
  : T extends string | number | bigint | boolean | undefined
    ? T
    : T extends readonly (infer E)[]
      ? Wire<E>[]
      : T extends object
        ? {
            -readonly [K in keyof T as [Exclude<T[K], undefined>] extends [NotOnWire] ? never : K]: Wire<
              T[K]
            >;
          }
        : T;

/** Type identity (not mere assignability: an options object with one key less must not pass). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

type Namespace<N> = N extends `${infer S}.${string}` ? S : never;
type Member<N> = N extends `${string}.${infer M}` ? M : never;
/** The Api method a name stands for. */
type ApiFn<N extends ApiMethodName> = Api[Namespace<N> & keyof Api][Member<N> &
  keyof Api[Namespace<N> & keyof Api]];

/** A method table of the shape of METHODS (tests pass wrong ones to see the check fail). */
export type MethodTable = { readonly [N in ApiMethodName]: MethodSpec };
type Spec<N extends ApiMethodName, T extends MethodTable> = T[N];
type Args<N extends ApiMethodName> = ApiFn<N> extends (...a: infer P) => unknown ? P : never;
type Resolves<N extends ApiMethodName> = ApiFn<N> extends (...a: never[]) => Promise<infer R> ? R : never;
type Indexes<A> = keyof A & `${number}`;

/** The Api's parameters by the names `args` gives them, each required and `| undefined` when optional. */
type NamedArgs<N extends ApiMethodName, T extends MethodTable> = {
  [I in Indexes<Spec<N, T>['args']> as Spec<N, T>['args'][I] & string]: Args<N>[I & keyof Args<N>];
};
/** The params schema's properties, each required and `| undefined` when optional. */
type NamedParams<N extends ApiMethodName, T extends MethodTable, P = StaticDecode<Spec<N, T>['params']>> = {
  [K in keyof Required<P>]: P[K & keyof P];
};

/** The Api parameters `args` leaves unnamed must not travel as JSON. */
type UnnamedOnWire<N extends ApiMethodName, T extends MethodTable> = {
  [I in Indexes<Args<N>>]: I extends Indexes<Spec<N, T>['args']>
    ? Spec<N, T>['args'][I] extends null
      ? [Exclude<Args<N>[I & keyof Args<N>], undefined>] extends [NotOnWire]
        ? never
        : I
      : never
    : I;
}[Indexes<Args<N>>];

type Streams = 'download' | 'duplex' | 'events';
type ResultAgrees<N extends ApiMethodName, T extends MethodTable> =
  Spec<N, T> extends { stream: Streams }
    ? true
    : Same<Wire<Resolves<N>>, Wire<StaticDecode<Spec<N, T>['result']>>>;

/** True when the METHODS entry of `N` agrees with the Api. */
export type Agrees<N extends ApiMethodName, T extends MethodTable = typeof METHODS> =
  Same<keyof NamedArgs<N, T>, keyof NamedParams<N, T>> extends true
    ? Same<Wire<NamedArgs<N, T>>, Wire<NamedParams<N, T>>> extends true
      ? [UnnamedOnWire<N, T>] extends [never]
        ? ResultAgrees<N, T>
        : false
      : false
    : false;

/** The methods whose entry in `T` disagrees with the Api (never, when all agree). */
type Disagreeing<T extends MethodTable = typeof METHODS> = {
  [N in ApiMethodName]: Agrees<N, T> extends true ? never : N;
}[ApiMethodName];

/** METHODS entries for methods the Api lacks (never, when there are none). */
type Extraneous = Exclude<keyof typeof METHODS, ApiMethodName>;

/** Fails to compile, naming the methods, when an entry disagrees or is extraneous. */
export const METHODS_AGREE: [Disagreeing | Extraneous] extends [never] ? true : Disagreeing | Extraneous =
  true;
