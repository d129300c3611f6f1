import { randomBytes } from 'node:crypto';
import type { ApiMethodName } from '../api.js';
import type { ByteChannel, ByteStream } from '../common.js';
import { ApiError, type ApiErrorInfo } from '../errors.js';
import { type ApiEvent, ApiEventSchema, type Subscription } from '../events.js';
import { METHODS } from '../methods.js';
import { encodeBy } from './encode.js';
import { dataFrame, jsonFrame } from './frames.js';
import { type CallExtras, sendsBody, specOf } from './invoke.js';
import { Inbound, Outbound } from './streams.js';

/**
 * One call on the server's side, from its answer to the end of its stream: the extras a method gets (an upload's
 * body, a subscriber, a progress listener), its result encoded and bounded, and the carrying of its events,
 * download or console. The connection (server-connection.ts) owns the socket, the limits and the call table; it
 * lends each call a {@link CallPort}.
 */

/** A call from its frame until its answer is sent and its stream has ended. */
export interface Call {
  id: number;
  method: ApiMethodName;
  /** The client's bytes: an upload's body, a console's input. */
  inbound?: Inbound;
  /** The host's bytes: a download, a console's output. */
  outbound?: Outbound;
  subscription?: Subscription;
  channel?: ByteChannel;
  /** The answer was sent. */
  answered: boolean;
  /** The call holds one of the connection's stream slots. */
  streaming: boolean;
}

/** What a call may do on its connection. */
export interface CallPort {
  send(message: unknown): void;
  write(frame: Buffer): void;
  /** The host's side of the call's stream has ended (idempotent). */
  endStream(call: Call, error?: ApiErrorInfo): void;
  /** True while the call is in the connection's table. */
  live(call: Call): boolean;
  maxAnswerBytes: number;
}

/**
 * An error as it crosses the wire; what is not an ApiError is a bug of the Api's implementation.
 *
 * @example
 * send({ t: 'error', id, error: infoOf(e) });
 */
export function infoOf(e: unknown): ApiErrorInfo {
  const info =
    e instanceof ApiError
      ? e.toInfo()
      : {
          code: 'INTERNAL' as const,
          message: `The host failed: ${e instanceof Error ? e.message : String(e)}`,
        };
  return info.message.length > 8192 ? { ...info, message: `${info.message.slice(0, 8189)}...` } : info;
}

/**
 * What the method gets besides its parameters: an upload's body (credit granted now, as the call starts), the
 * subscriber of events.subscribe, jobs.wait's progress listener.
 *
 * @example
 * await invoke(api, call.method, params, extrasFor(call, params, progress, port));
 */
export function extrasFor(
  call: Call,
  params: Record<string, unknown>,
  progress: boolean,
  port: CallPort,
): CallExtras {
  const { id, method } = call;
  const extras: CallExtras = {};
  if (sendsBody(method, params)) {
    call.inbound = new Inbound((n) => port.send({ t: 'credit', id, bytes: n }));
    extras.body = call.inbound;
    call.inbound.open();
  }
  if (progress) {
    extras.onProgress = (p) => {
      if (call.answered) return;
      const percent = Math.max(0, Math.min(100, Math.round(p.percent)));
      port.send({
        t: 'progress',
        id,
        percent,
        ...(p.phase === undefined ? {} : { phase: p.phase.slice(0, 256) }),
      });
    };
  }
  if (specOf(method).stream === 'events') extras.on = (e) => pushEvent(call, e, port);
  return extras;
}

/**
 * Sends the result of a call that succeeded and starts its stream; true when the call goes on as a stream.
 * Throws (INTERNAL, LIMIT_EXCEEDED) when the result cannot be sent, before anything was.
 *
 * @example
 * if (!answer(call, value, port)) finish(call); // a plain result: the call is over
 */
export function answer(call: Call, value: unknown, port: CallPort): boolean {
  const { id, method } = call;
  const stream = specOf(method).stream;
  if (stream === 'events') {
    sendResult(call, { subscription: `s${id}` }, port);
    call.subscription = value as Subscription;
    void call.subscription.ended.then(() => port.endStream(call));
    return true;
  }
  if (stream === 'download' || stream === 'duplex') {
    sendResult(call, { stream: randomBytes(16).toString('hex') }, port);
    const source = stream === 'download' ? (value as ByteStream) : (value as ByteChannel).input;
    if (stream === 'duplex') {
      call.channel = value as ByteChannel;
      call.inbound = new Inbound((n) => port.send({ t: 'credit', id, bytes: n }));
    }
    call.outbound = new Outbound();
    void carry(call, source, port);
    return true;
  }
  sendResult(call, value, port);
  return false;
}

function sendResult(call: Call, value: unknown, port: CallPort): void {
  const result = encodeBy(
    METHODS[call.method].result,
    value,
    (why) =>
      new ApiError('INTERNAL', `The host's answer to ${call.method} does not fit the contract: ${why}`),
  );
  const frame = jsonFrame({ t: 'result', id: call.id, result });
  if (frame.length > port.maxAnswerBytes) {
    throw new ApiError(
      'LIMIT_EXCEEDED',
      `The answer to ${call.method} is ${frame.length} bytes, more than the ${port.maxAnswerBytes} this transport sends`,
      { hint: 'Ask for less (a limit, a narrower query)' },
    );
  }
  call.answered = true;
  port.write(frame);
}

/** Carries a download or a console: the host's bytes out, and for a console the client's bytes in. */
async function carry(call: Call, source: ByteStream, port: CallPort): Promise<void> {
  const input = call.channel === undefined ? undefined : feed(call);
  let error: ApiErrorInfo | undefined;
  try {
    await call.outbound!.pump(source, (piece) => port.write(dataFrame(call.id, piece)));
  } catch (e) {
    error = infoOf(e);
  }
  await call.channel?.close().catch(() => undefined);
  call.inbound?.end();
  await input;
  port.endStream(call, error);
}

/** Writes a console's input, as it arrives, into its channel. */
async function feed(call: Call): Promise<void> {
  call.inbound!.open();
  try {
    for await (const chunk of call.inbound!) await call.channel!.write(chunk);
  } catch {
    await call.channel!.close().catch(() => undefined);
  }
}

function pushEvent(call: Call, e: ApiEvent, port: CallPort): void {
  if (!port.live(call)) return;
  let event: unknown;
  try {
    event = encodeBy(
      ApiEventSchema,
      e,
      (why) => new ApiError('INTERNAL', `The host produced an event that does not fit the contract: ${why}`),
    );
  } catch (err) {
    void call.subscription?.close().catch(() => undefined);
    port.endStream(call, infoOf(err));
    return;
  }
  port.send({ t: 'event', id: call.id, event });
}

/**
 * The client gave the call's stream up.
 *
 * @example
 * if (m.t === 'close') closeStream(call, port);
 */
export function closeStream(call: Call, port: CallPort): void {
  call.inbound?.fail(new ApiError('CANCELLED', `The client gave up the stream of ${call.method}`));
  call.outbound?.stop();
  void call.channel?.close().catch(() => undefined);
  // A subscription's end is sent once it is closed (or its `ended` settles, whichever comes first).
  const done = () => port.endStream(call);
  call.subscription?.close().then(done, done);
}

/**
 * Gives up what a call returned when it can no longer be delivered (a stream, a channel, a subscription).
 *
 * @example
 * if (socket.destroyed) await release(await api.events.subscribe(q, on)); // closes the subscription
 */
export async function release(value: unknown): Promise<void> {
  const v = value as Partial<Subscription & ByteChannel> & Partial<AsyncIterable<Uint8Array>>;
  try {
    if (typeof v?.close === 'function') await v.close();
    else if (v !== null && typeof v === 'object' && Symbol.asyncIterator in v) {
      await v[Symbol.asyncIterator]!().return?.();
    }
  } catch {
    // nothing more can be done for a client that has gone
  }
}
