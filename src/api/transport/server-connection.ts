import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Api, ApiMethodName } from '../api.js';
import type { ByteChannel, ByteStream } from '../common.js';
import { ApiError, type ApiErrorInfo } from '../errors.js';
import { type ApiEvent, ApiEventSchema, type Subscription } from '../events.js';
import { isApiMethodName, METHODS } from '../methods.js';
import { decodeParams } from '../wire.js';
import { encodeBy } from './encode.js';
import { dataFrame, type Frame, FrameReader, jsonFrame } from './frames.js';
import { type CallExtras, invoke, sendsBody, specOf } from './invoke.js';
import type { ApiServerLimits } from './limits.js';
import { type ClientMessage, PROTOCOL_NAME, PROTOCOL_VERSION, parseClientMessage } from './messages.js';
import { Inbound, Outbound } from './streams.js';

/**
 * One client connection of the Api's socket server: reads frames, runs calls on the connection's Api (one
 * session per connection) within the limits, and carries their streams. Every problem of a client's making is
 * answered (INVALID_ARGUMENT, PROTOCOL, LIMIT_EXCEEDED) and stays within its connection.
 */

/** A call from its frame until its answer is sent and its streams have ended. */
interface Call {
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

interface Queued {
  call: Call;
  params: Record<string, unknown>;
  progress: boolean;
  bytes: number;
}

/** An error as it crosses the wire; what is not an ApiError is a bug of the Api's implementation. */
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

/** Handles one connection; `closed` settles once its session is closed. */
export class ServerConnection {
  private readonly reader: FrameReader;
  private readonly calls = new Map<number, Call>();
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private running = 0;
  private streams = 0;
  private partialTimer: NodeJS.Timeout | undefined;
  private dead = false;
  private api: Api | undefined;
  /** Frames that arrived before the session was open. */
  private early: Frame[] | undefined = [];
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    open: () => Promise<Api>,
    private readonly limits: ApiServerLimits,
  ) {
    this.reader = new FrameReader(limits.maxFrameBytes, 'The client');
    let onClosed = () => {};
    this.closed = new Promise((r) => {
      onClosed = r;
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('close', () => void this.teardown().finally(onClosed));
    this.send({
      t: 'hello',
      protocol: PROTOCOL_NAME,
      version: PROTOCOL_VERSION,
      maxFrameBytes: limits.maxFrameBytes,
    });
    open().then(
      (api) => {
        if (this.dead || socket.destroyed) {
          void api.close().catch(() => undefined);
          return;
        }
        this.api = api;
        const early = this.early ?? [];
        this.early = undefined;
        for (const f of early) this.onFrame(f);
      },
      (e: unknown) => this.fatal(infoOf(e)),
    );
  }

  /** Calls executing now (for tests and statistics). */
  get inFlight(): number {
    return this.running;
  }

  /** Ends the connection at once (the server is closing). */
  destroy(): void {
    this.socket.destroy();
  }

  private send(message: unknown): void {
    this.write(jsonFrame(message));
  }

  private write(frame: Buffer): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(frame);
    // A client that leaves its answers and events unread is dropped rather than let them pile up in the host.
    if (this.socket.writableLength > this.limits.maxUnreadBytes) this.socket.destroy();
  }

  /** Answers the connection (not a call) with an error and closes it. */
  private fatal(error: ApiErrorInfo): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.partialTimer);
    if (!this.socket.destroyed) {
      this.socket.end(jsonFrame({ t: 'error', id: null, error }));
      // A client that does not close its side in time is cut off.
      setTimeout(() => this.socket.destroy(), 2000).unref();
    }
  }

  private onBytes(chunk: Buffer): void {
    if (this.dead) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.fatal(infoOf(e));
      return;
    }
    if (frames.length > 0) {
      clearTimeout(this.partialTimer);
      this.partialTimer = undefined;
    }
    // A started frame has a deadline from its first byte; more bytes trickling in do not extend it.
    if (this.reader.partial) {
      this.partialTimer ??= setTimeout(
        () =>
          this.fatal({
            code: 'PROTOCOL',
            message: `A frame was not finished within ${this.limits.partialFrameTimeoutMs} ms`,
          }),
        this.limits.partialFrameTimeoutMs,
      );
    }
    for (const f of frames) {
      if (this.dead) return;
      if (this.early !== undefined) this.early.push(f);
      else this.onFrame(f);
    }
  }

  private onFrame(f: Frame): void {
    if (f.kind === 'data') {
      const inbound = this.calls.get(f.id)?.inbound;
      // Bytes of a call that has ended are dropped (they were sent before the client learnt it).
      if (inbound !== undefined && !inbound.push(f.bytes)) {
        this.fatal({ code: 'PROTOCOL', message: `The client sent more bytes for call ${f.id} than granted` });
      }
      return;
    }
    let m: ClientMessage;
    try {
      m = parseClientMessage(f.text);
    } catch (e) {
      this.fatal(infoOf(e));
      return;
    }
    const call = this.calls.get(m.id);
    if (m.t === 'call') this.onCall(m, Buffer.byteLength(f.text));
    else if (call === undefined)
      return; // about a call that has ended: nothing to do
    else if (m.t === 'credit') call.outbound?.grant(m.bytes);
    else if (m.t === 'end') call.inbound?.end();
    else this.onClose(call);
  }

  private onCall(m: Extract<ClientMessage, { t: 'call' }>, bytes: number): void {
    if (this.calls.has(m.id)) {
      this.fatal({ code: 'PROTOCOL', message: `The client reused the id ${m.id} of a call in progress` });
      return;
    }
    if (!isApiMethodName(m.method)) {
      this.answerError(m.id, {
        code: 'PROTOCOL',
        message: `Unknown method "${m.method.slice(0, 128)}": this host speaks vessel-api ${PROTOCOL_VERSION} (a client of another version?)`,
      });
      return;
    }
    const call: Call = { id: m.id, method: m.method, answered: false, streaming: false };
    let params: Record<string, unknown>;
    try {
      params = decodeParams(m.method, m.params) as Record<string, unknown>;
      if (m.progress === true && m.method !== 'jobs.wait') {
        throw new ApiError('INVALID_ARGUMENT', `${m.method} pushes no progress; only jobs.wait does`);
      }
    } catch (e) {
      this.answerError(m.id, infoOf(e));
      return;
    }
    const stream = specOf(m.method).stream;
    if (stream !== undefined && (stream !== 'upload' || sendsBody(m.method, params))) {
      if (this.streams >= this.limits.maxStreams) {
        this.answerError(m.id, {
          code: 'LIMIT_EXCEEDED',
          message: `${m.method}: this connection has ${this.streams} streams open, the most allowed`,
          hint: 'Close a subscription, download or console first, or open another connection',
        });
        return;
      }
      this.streams++;
      call.streaming = true;
    }
    this.calls.set(m.id, call);
    const item: Queued = { call, params, progress: m.progress === true, bytes };
    if (this.running < this.limits.maxInFlight) {
      this.start(item);
      return;
    }
    if (
      this.queue.length >= this.limits.maxQueuedCalls ||
      this.queuedBytes + bytes > this.limits.maxQueuedBytes
    ) {
      this.finish(call, {
        code: 'LIMIT_EXCEEDED',
        message: `${m.method}: this connection has ${this.running + this.queue.length} calls waiting, the most allowed`,
        hint: 'Wait for answers before sending more calls',
      });
      return;
    }
    this.queue.push(item);
    this.queuedBytes += bytes;
  }

  private answerError(id: number, error: ApiErrorInfo): void {
    this.send({ t: 'error', id, error });
  }

  private start(item: Queued): void {
    this.running++;
    void this.run(item).finally(() => {
      this.running--;
      const next = this.queue.shift();
      if (next !== undefined) {
        this.queuedBytes -= next.bytes;
        if (!this.dead && !this.socket.destroyed) this.start(next);
        else this.finish(next.call);
      }
    });
  }

  private async run({ call, params, progress }: Queued): Promise<void> {
    const { id, method } = call;
    const extras: CallExtras = {};
    if (sendsBody(method, params)) {
      call.inbound = new Inbound(
        (n) => this.send({ t: 'credit', id, bytes: n }),
        () => undefined,
      );
      extras.body = call.inbound;
      call.inbound.open();
    }
    if (progress) {
      extras.onProgress = (p) => {
        if (call.answered) return;
        const percent = Math.max(0, Math.min(100, Math.round(p.percent)));
        this.send({
          t: 'progress',
          id,
          percent,
          ...(p.phase === undefined ? {} : { phase: p.phase.slice(0, 256) }),
        });
      };
    }
    if (specOf(method).stream === 'events') extras.on = (e) => this.pushEvent(call, e);
    let value: unknown;
    try {
      value = await invoke(this.api!, method, params, extras);
    } catch (e) {
      this.finish(call, infoOf(e));
      return;
    }
    if (this.socket.destroyed) {
      await this.release(value);
      this.finish(call);
      return;
    }
    try {
      this.answer(call, value);
    } catch (e) {
      await this.release(value);
      this.finish(call, infoOf(e));
    }
  }

  /** Sends the result of a call that succeeded, and starts its stream. */
  private answer(call: Call, value: unknown): void {
    const { id, method } = call;
    const stream = specOf(method).stream;
    if (stream === 'events') {
      call.subscription = value as Subscription;
      this.sendResult(call, { subscription: `s${id}` });
      void call.subscription.ended.then(() => this.endStream(call));
      return;
    }
    if (stream === 'download' || stream === 'duplex') {
      const source = stream === 'download' ? (value as ByteStream) : (value as ByteChannel).input;
      if (stream === 'duplex') {
        call.channel = value as ByteChannel;
        call.inbound = new Inbound(
          (n) => this.send({ t: 'credit', id, bytes: n }),
          () => undefined,
        );
      }
      call.outbound = new Outbound();
      this.sendResult(call, { stream: randomBytes(16).toString('hex') });
      void this.carry(call, source);
      return;
    }
    this.sendResult(call, value);
    this.finish(call);
  }

  private sendResult(call: Call, value: unknown): void {
    const result = encodeBy(
      METHODS[call.method].result,
      value,
      (why) =>
        new ApiError('INTERNAL', `The host's answer to ${call.method} does not fit the contract: ${why}`),
    );
    const frame = jsonFrame({ t: 'result', id: call.id, result });
    if (frame.length > this.limits.maxAnswerBytes) {
      throw new ApiError(
        'LIMIT_EXCEEDED',
        `The answer to ${call.method} is ${frame.length} bytes, more than the ${this.limits.maxAnswerBytes} this transport sends`,
        { hint: 'Ask for less (a limit, a narrower query)' },
      );
    }
    call.answered = true;
    this.write(frame);
  }

  /** Carries a download or a console: the host's bytes out, and for a console the client's bytes in. */
  private async carry(call: Call, source: ByteStream): Promise<void> {
    const { id } = call;
    const input = call.channel === undefined ? undefined : this.feed(call);
    let error: ApiErrorInfo | undefined;
    try {
      await call.outbound!.pump(source, (piece) => this.write(dataFrame(id, piece)));
    } catch (e) {
      error = infoOf(e);
    }
    await call.channel?.close().catch(() => undefined);
    call.inbound?.end();
    await input;
    this.endStream(call, error);
  }

  /** Writes a console's input, as it arrives, into its channel. */
  private async feed(call: Call): Promise<void> {
    call.inbound!.open();
    try {
      for await (const chunk of call.inbound!) await call.channel!.write(chunk);
    } catch {
      await call.channel!.close().catch(() => undefined);
    }
  }

  private pushEvent(call: Call, e: ApiEvent): void {
    if (this.calls.get(call.id) !== call) return;
    let event: unknown;
    try {
      event = encodeBy(
        ApiEventSchema,
        e,
        (why) =>
          new ApiError('INTERNAL', `The host produced an event that does not fit the contract: ${why}`),
      );
    } catch (err) {
      void call.subscription?.close().catch(() => undefined);
      this.endStream(call, infoOf(err));
      return;
    }
    this.send({ t: 'event', id: call.id, event });
  }

  /** The client gave a stream up. */
  private onClose(call: Call): void {
    call.inbound?.fail(new ApiError('CANCELLED', `The client gave up the stream of ${call.method}`));
    call.outbound?.stop();
    void call.channel?.close().catch(() => undefined);
    // A subscription's end is sent once it has ended (its `ended` promise).
    void call.subscription?.close().catch(() => this.endStream(call));
  }

  /** The host's side of a stream has ended: the client is told, the slot is free. */
  private endStream(call: Call, error?: ApiErrorInfo): void {
    if (!this.calls.has(call.id)) return;
    this.send({ t: 'end', id: call.id, ...(error === undefined ? {} : { error }) });
    this.finish(call);
  }

  /** The call is over: answers `error` if it was not answered, frees its id and stream slot. */
  private finish(call: Call, error?: ApiErrorInfo): void {
    if (!call.answered && error !== undefined) {
      call.answered = true;
      this.answerError(call.id, error);
    }
    call.inbound?.fail(new ApiError('CANCELLED', `The call ${call.method} has ended`));
    if (this.calls.get(call.id) !== call) return;
    this.calls.delete(call.id);
    if (call.streaming) this.streams--;
  }

  /** Gives up what a call returned when it can no longer be delivered. */
  private async release(value: unknown): Promise<void> {
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

  /** The client has gone: every stream is given up, the session closed. */
  private async teardown(): Promise<void> {
    this.dead = true;
    clearTimeout(this.partialTimer);
    for (const q of this.queue.splice(0)) this.finish(q.call);
    const gone = new ApiError('HOST_UNREACHABLE', 'The client disconnected');
    const ending: Promise<unknown>[] = [];
    for (const call of [...this.calls.values()]) {
      call.inbound?.fail(gone);
      call.outbound?.stop();
      if (call.channel) ending.push(call.channel.close().catch(() => undefined));
      if (call.subscription) ending.push(call.subscription.close().catch(() => undefined));
    }
    await Promise.all(ending);
    await this.api?.close().catch(() => undefined);
  }
}
