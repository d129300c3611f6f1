import type { Socket } from 'node:net';
import { Value } from '@sinclair/typebox/value';
import type { ApiMethodName } from '../api.js';
import type { ByteChannel, ByteStream } from '../common.js';
import { ApiError } from '../errors.js';
import { type ApiEvent, ApiEventSchema, type Subscription } from '../events.js';
import { decodeResult } from '../wire.js';
import { encodeBy } from './encode.js';
import { dataFrame, type Frame, FrameReader, jsonFrame } from './frames.js';
import { type CallExtras, specOf, splitArguments } from './invoke.js';
import { CLIENT_MAX_FRAME_BYTES } from './limits.js';
import { parseServerMessage, type ServerMessage } from './messages.js';
import { Inbound, Outbound } from './streams.js';

/**
 * The client's side of one connection to an Api socket server: sends calls, matches answers to them by id, and
 * carries their streams (subscriptions, uploads, downloads, consoles) under credit. A host that sends what the
 * protocol does not allow is PROTOCOL; a connection that drops fails every call in progress with
 * HOST_UNREACHABLE (or with the reason the host gave before closing it).
 */

/** A call from its frame until its answer and the end of its stream. */
interface ClientCall {
  id: number;
  method: ApiMethodName;
  resolve(raw: unknown): void;
  reject(e: Error): void;
  answered: boolean;
  extras: CallExtras;
  /** The host's bytes (download, console output). */
  inbound?: Inbound;
  /** The client's bytes (upload, console input). */
  outbound?: Outbound;
  /** The host ended the call's stream (or the connection dropped). */
  onEnd?(error?: ApiError): void;
  /** The client closed the stream: events are no longer delivered. */
  closed?: boolean;
  /** The host ended the stream, or the connection dropped (possibly before the caller got the stream). */
  ended?: boolean;
}

/**
 * One connection (see the module comment).
 *
 * @example
 * const conn = new ClientConnection(socket, hello.maxFrameBytes, []);
 * const info = await conn.call('host.info', []);
 */
export class ClientConnection {
  private readonly reader = new FrameReader(CLIENT_MAX_FRAME_BYTES, 'The host');
  private readonly calls = new Map<number, ClientCall>();
  private lastId = 0;
  /** Why the connection is unusable, once it is. */
  private failure: ApiError | undefined;
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    /** The longest frame the host reads (from its hello). */
    private readonly maxFrameBytes: number,
    /** Frames that arrived with the hello. */
    early: readonly Frame[],
  ) {
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('error', (e) =>
      this.fail(new ApiError('HOST_UNREACHABLE', `Lost the connection to the host: ${e.message}`)),
    );
    socket.on('close', () => this.fail(new ApiError('HOST_UNREACHABLE', 'The host closed the connection')));
    for (const f of early) this.onFrame(f);
  }

  /** Ends the connection; calls in progress fail with HOST_UNREACHABLE. */
  async close(): Promise<void> {
    this.fail(new ApiError('HOST_UNREACHABLE', 'The connection to the host was closed'));
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    await this.closed;
    clearTimeout(timer);
  }

  private send(message: unknown): void {
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.write(jsonFrame(message));
  }

  private fail(e: ApiError): void {
    this.failure ??= e;
    const why = this.failure;
    for (const call of this.calls.values()) {
      if (!call.answered) call.reject(why);
      call.answered = true;
      call.inbound?.fail(why);
      call.outbound?.stop();
      call.ended = true;
      call.onEnd?.(why);
    }
    this.calls.clear();
  }

  /** A host that broke the protocol: the connection is cut. */
  private broken(e: unknown): void {
    this.fail(e instanceof ApiError ? e : new ApiError('PROTOCOL', String(e)));
    this.socket.destroy();
  }

  private onBytes(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.broken(e);
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(f: Frame): void {
    if (this.failure !== undefined) return;
    if (f.kind === 'data') {
      const inbound = this.calls.get(f.id)?.inbound;
      if (inbound !== undefined && !inbound.push(f.bytes)) {
        this.broken(new ApiError('PROTOCOL', `The host sent more bytes for call ${f.id} than granted`));
      }
      return;
    }
    let m: ServerMessage;
    try {
      m = parseServerMessage(f.text);
    } catch (e) {
      this.broken(e);
      return;
    }
    if (m.t === 'hello') return;
    if (m.t === 'error' && m.id === null) {
      // An error about the connection: the host closes it next; this is why.
      this.fail(ApiError.fromInfo(m.error));
      return;
    }
    const call = this.calls.get(m.id ?? 0);
    if (call === undefined) return; // a stream the client has given up
    try {
      this.onMessage(call, m);
    } catch (e) {
      this.broken(e);
    }
  }

  private onMessage(call: ClientCall, m: Exclude<ServerMessage, { t: 'hello' }>): void {
    switch (m.t) {
      case 'result':
        call.answered = true;
        call.resolve(m.result);
        return;
      case 'error':
        call.answered = true;
        this.forget(call);
        call.outbound?.stop();
        call.reject(ApiError.fromInfo(m.error));
        return;
      case 'event': {
        if (!Value.Check(ApiEventSchema, m.event)) {
          throw new ApiError('PROTOCOL', `The host sent a malformed event: ${firstError(m.event)}`);
        }
        if (!call.closed) listen(() => call.extras.on?.(Value.Decode(ApiEventSchema, m.event) as ApiEvent));
        return;
      }
      case 'progress':
        listen(() =>
          call.extras.onProgress?.({
            percent: m.percent,
            ...(m.phase === undefined ? {} : { phase: m.phase }),
          }),
        );
        return;
      case 'credit':
        call.outbound?.grant(m.bytes);
        return;
      case 'end': {
        const error = m.error === undefined ? undefined : ApiError.fromInfo(m.error);
        this.forget(call);
        if (error === undefined) call.inbound?.end();
        else call.inbound?.fail(error);
        call.outbound?.stop();
        call.ended = true;
        call.onEnd?.(error);
      }
    }
  }

  private forget(call: ClientCall): void {
    if (this.calls.get(call.id) === call) this.calls.delete(call.id);
  }

  /**
   * Calls `method` with the arguments the Api's caller gave; resolves with the decoded result, or the stream,
   * channel or subscription the method gives.
   */
  async call(method: ApiMethodName, args: readonly unknown[]): Promise<unknown> {
    const spec = specOf(method);
    const { params, extras } = splitArguments(method, args);
    const wire = encodeBy(
      spec.params,
      params,
      (why) => new ApiError('INVALID_ARGUMENT', `Invalid parameters of ${method}: ${why}`),
    );
    if (this.failure !== undefined) throw this.failure;
    const id = this.nextId();
    const frame = jsonFrame({
      t: 'call',
      id,
      method,
      params: wire,
      ...(extras.onProgress ? { progress: true } : {}),
    });
    if (frame.length - 4 > this.maxFrameBytes) {
      throw new ApiError(
        'LIMIT_EXCEEDED',
        `The call of ${method} is ${frame.length} bytes, more than the ${this.maxFrameBytes} the host reads`,
      );
    }
    let call!: ClientCall;
    const answer = new Promise<unknown>((resolve, reject) => {
      call = { id, method, resolve, reject, answered: false, extras };
    });
    const stream = spec.stream;
    if (stream === 'download' || stream === 'duplex') {
      // Made now: the host's first credit or its end may come right behind the result, before it is delivered.
      call.inbound = new Inbound(
        (n) => this.send({ t: 'credit', id, bytes: n }),
        () => {
          call.closed = true;
          this.send({ t: 'close', id });
        },
      );
      if (stream === 'duplex') call.outbound = new Outbound();
    }
    this.calls.set(id, call);
    this.socket.write(frame);
    if (extras.body !== undefined) this.upload(call, extras.body);
    const raw = await answer;
    return this.deliver(call, raw);
  }

  private nextId(): number {
    do this.lastId = this.lastId >= 0xffff_ffff ? 1 : this.lastId + 1;
    while (this.calls.has(this.lastId));
    return this.lastId;
  }

  /** Sends an upload's body as the host grants credit, then `end`; stops when the call is answered. */
  private upload(call: ClientCall, body: ByteStream): void {
    const out = new Outbound();
    call.outbound = out;
    out
      .pump(body, (piece) => {
        if (!this.socket.destroyed) this.socket.write(dataFrame(call.id, piece));
      })
      .then(
        (whole) => {
          if (whole) this.send({ t: 'end', id: call.id });
        },
        (e: unknown) => {
          // The caller's own stream failed: the host is told to give the upload up, the caller gets the error.
          this.send({ t: 'close', id: call.id });
          if (!call.answered) {
            call.answered = true;
            call.reject(e instanceof Error ? e : new Error(String(e)));
          }
        },
      );
  }

  /** The result as the Api's caller gets it. */
  private deliver(call: ClientCall, raw: unknown): unknown {
    const { method } = call;
    const stream = specOf(method).stream;
    let result: unknown;
    try {
      result = decodeResult(method, raw);
    } catch (e) {
      // One answer the client cannot read fails its call; a stream it started is given up.
      if (stream !== undefined && stream !== 'upload') this.send({ t: 'close', id: call.id });
      this.forget(call);
      call.outbound?.stop();
      throw e;
    }
    if (stream === 'events') return this.subscription(call);
    if (stream === 'download' || stream === 'duplex') {
      call.inbound!.open();
      return stream === 'download' ? call.inbound : this.channel(call);
    }
    this.forget(call);
    call.outbound?.stop();
    return result;
  }

  private subscription(call: ClientCall): Subscription {
    let done = () => {};
    const ended = new Promise<void>((r) => {
      done = r;
    });
    call.onEnd = () => done();
    if (call.ended) done();
    return {
      ended,
      close: async () => {
        if (!call.closed && this.calls.has(call.id)) {
          call.closed = true;
          this.send({ t: 'close', id: call.id });
        }
        await ended;
      },
    };
  }

  private channel(call: ClientCall): ByteChannel {
    const out = call.outbound!;
    let done = () => {};
    const ended = new Promise<void>((r) => {
      done = r;
    });
    call.onEnd = () => done();
    if (call.ended) done();
    return {
      input: call.inbound!,
      write: async (bytes) => {
        const sent = await out.write(bytes, (piece) => {
          if (!this.socket.destroyed) this.socket.write(dataFrame(call.id, piece));
        });
        if (!sent) throw new ApiError('INVALID_STATE', `The console of call ${call.id} is closed`);
      },
      close: async () => {
        if (!call.closed && this.calls.has(call.id)) {
          call.closed = true;
          this.send({ t: 'close', id: call.id });
        }
        out.stop();
        await ended;
      },
    };
  }
}

/** Calls a caller's listener; what it throws is its own affair and must not break the connection. */
function listen(fn: () => void): void {
  try {
    fn();
  } catch {
    // ignored, as for any listener of a transport's events
  }
}

function firstError(value: unknown): string {
  const e = Value.Errors(ApiEventSchema, value).First();
  return e === undefined ? 'it does not fit' : `${e.path === '' ? 'the event' : e.path}: ${e.message}`;
}
