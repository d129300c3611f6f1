import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { compiled } from '../compiled.js';
import { ApiError, ApiErrorInfoSchema } from '../errors.js';

/**
 * The JSON messages of the Api's stream transport (frames.ts carries them). A connection starts with the host's
 * `hello`; then the client sends `call`s, each with an id of its choosing, and the host answers each with one
 * `result` or `error` of that id. Calls of streaming methods (METHODS' `stream`) go on under the same id:
 *
 * - `events` (events.subscribe): the host pushes `event`s until the client sends `close` or the host `end`s it;
 * - `upload`: the client sends data frames as the host grants `credit`, then `end`;
 * - `download`: after the result, the host sends data frames as the client grants `credit`, then `end`;
 * - `duplex` (consoles.open): both, until either side closes;
 * - jobs.wait with `progress: true`: the host pushes `progress` before the result.
 *
 * Credit (as HTTP/2's flow control) bounds what either side holds per stream: a receiver grants bytes when it is
 * ready and again as it consumes them; a sender never sends more than granted. Every message is checked against
 * these schemas; what does not fit is PROTOCOL, naming the place.
 */

/** What the host says first. */
export const PROTOCOL_NAME = 'vessel-api';
/** The version of this protocol; a peer of another version is PROTOCOL. */
export const PROTOCOL_VERSION = 1;
/** Bytes a receiver grants a stream at first, and holds at most. */
export const STREAM_WINDOW_BYTES = 262_144;

const Id = Type.Integer({ minimum: 1, maximum: 0xffff_ffff });
/**
 * An error as a host sends it: any code (a newer host may know codes this client does not; `ApiError.fromInfo`
 * makes those PROTOCOL for the one call), with the registry's bounds on the rest.
 */
const ErrorInfo = Type.Object({
  ...ApiErrorInfoSchema.properties,
  code: Type.String({ minLength: 1, maxLength: 64 }),
});
const Bytes = Type.Integer({ minimum: 1, maximum: 0x7fff_ffff });

/** Wire schema of what a client sends. */
const ClientMessageSchema = Type.Union([
  Type.Object({
    t: Type.Literal('call'),
    id: Id,
    method: Type.String({ maxLength: 128 }),
    params: Type.Unknown(),
    /** jobs.wait: push `progress` messages. */
    progress: Type.Optional(Type.Boolean()),
  }),
  Type.Object({ t: Type.Literal('credit'), id: Id, bytes: Bytes }),
  /** The client's stream of this call has ended (an upload's last byte was sent). */
  Type.Object({ t: Type.Literal('end'), id: Id }),
  /** The client gives the call's stream up: unsubscribe, abandon a download or an upload, close a console. */
  Type.Object({ t: Type.Literal('close'), id: Id }),
]);

/** A message from a client. */
export type ClientMessage = Static<typeof ClientMessageSchema>;

/** Wire schema of what a host sends. */
const ServerMessageSchema = Type.Union([
  Type.Object({
    t: Type.Literal('hello'),
    protocol: Type.String({ maxLength: 64 }),
    version: Type.Integer(),
    /** The longest frame the host reads. */
    maxFrameBytes: Type.Integer({ minimum: 1 }),
  }),
  Type.Object({ t: Type.Literal('result'), id: Id, result: Type.Optional(Type.Unknown()) }),
  /** `id` null: about the connection, not a call (the host closes it after). */
  Type.Object({ t: Type.Literal('error'), id: Type.Union([Id, Type.Null()]), error: ErrorInfo }),
  Type.Object({ t: Type.Literal('event'), id: Id, event: Type.Unknown() }),
  Type.Object({
    t: Type.Literal('progress'),
    id: Id,
    percent: Type.Integer({ minimum: 0, maximum: 100 }),
    phase: Type.Optional(Type.String({ maxLength: 256 })),
  }),
  Type.Object({ t: Type.Literal('credit'), id: Id, bytes: Bytes }),
  /** The host's stream of this call has ended: a download's last byte, a subscription's end, a closed console. */
  Type.Object({ t: Type.Literal('end'), id: Id, error: Type.Optional(ErrorInfo) }),
]);

/** A message from a host. */
export type ServerMessage = Static<typeof ServerMessageSchema>;

function parse<S extends TSchema>(schema: S, text: string, peer: string): Static<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError('PROTOCOL', `${peer} sent a message that is not JSON: ${text.slice(0, 60)}`);
  }
  if (compiled(schema).Check(value)) return value;
  const t = (value as { t?: unknown } | null)?.t;
  // Name the place within the variant the message says it is, rather than the union's first mismatch.
  const variant =
    typeof t === 'string'
      ? (schema as unknown as { anyOf: TSchema[] }).anyOf.find((s) => Value.Check(s.properties.t, t))
      : undefined;
  const e = Value.Errors(variant ?? schema, value).First();
  const where = e === undefined ? '' : `${e.path === '' ? 'the message' : e.path}: ${e.message}`;
  throw new ApiError(
    'PROTOCOL',
    variant === undefined
      ? `${peer} sent a message of unknown type ${typeof t === 'string' ? `"${t.slice(0, 32)}"` : '(no "t")'}`
      : `${peer} sent a malformed "${t}" message: ${where}`,
  );
}

/**
 * A client's message, checked; PROTOCOL saying where it is wrong.
 *
 * @example
 * parseClientMessage('{"t":"credit","id":3,"bytes":65536}'); // { t: 'credit', id: 3, bytes: 65536 }
 */
export function parseClientMessage(text: string): ClientMessage {
  return parse(ClientMessageSchema, text, 'The client');
}

/**
 * A host's message, checked; PROTOCOL saying where it is wrong.
 *
 * @example
 * parseServerMessage('{"t":"end","id":3}'); // { t: 'end', id: 3 }
 */
export function parseServerMessage(text: string): ServerMessage {
  return parse(ServerMessageSchema, text, 'The host');
}
