import type { Socket } from 'node:net';
import type { Api } from '../api.js';
import { ApiError, type ApiErrorInfo } from '../errors.js';
import { isApiMethodName } from '../methods.js';
import { decodeParams } from '../wire.js';
import { type Frame, FrameReader, jsonFrame } from './frames.js';
import { invoke, sendsBody, specOf } from './invoke.js';
import type { ApiServerLimits } from './limits.js';
import { type ClientMessage, PROTOCOL_NAME, PROTOCOL_VERSION, parseClientMessage } from './messages.js';
import { answer, type Call, type CallPort, closeStream, extrasFor, infoOf, release } from './server-call.js';

/**
 * One client connection of the Api's socket server: reads frames, runs calls on the connection's Api (one
 * session per connection) within the limits, and carries their streams. Every problem of a client's making is
 * answered (INVALID_ARGUMENT, PROTOCOL, LIMIT_EXCEEDED) and stays within its connection.
 */

interface Queued {
  call: Call;
  params: Record<string, unknown>;
  progress: boolean;
  bytes: number;
}

/**
 * Handles one connection; `closed` settles once its session is closed.
 *
 * @example
 * const conn = new ServerConnection(socket, async () => openSession(principal), DEFAULT_API_SERVER_LIMITS);
 * await conn.closed; // the client has gone and its session is closed
 */
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
  /** What the connection lends its calls. */
  private readonly port: CallPort;

  constructor(
    private readonly socket: Socket,
    open: () => Promise<Api>,
    private readonly limits: ApiServerLimits,
  ) {
    this.reader = new FrameReader(limits.maxFrameBytes, 'The client');
    this.port = {
      send: (m) => this.send(m),
      write: (f) => this.write(f),
      endStream: (call, error) => this.endStream(call, error),
      live: (call) => this.calls.get(call.id) === call,
      maxAnswerBytes: limits.maxAnswerBytes,
    };
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
      if (this.early === undefined) this.onFrame(f);
      else if (this.early.length < this.limits.maxQueuedCalls) this.early.push(f);
      else this.fatal({ code: 'LIMIT_EXCEEDED', message: 'Too many frames before the session was open' });
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
    else closeStream(call, this.port);
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
    let value: unknown;
    try {
      value = await invoke(this.api!, call.method, params, extrasFor(call, params, progress, this.port));
    } catch (e) {
      this.finish(call, infoOf(e));
      return;
    }
    if (this.socket.destroyed) {
      await release(value);
      this.finish(call);
      return;
    }
    try {
      if (!answer(call, value, this.port)) this.finish(call);
    } catch (e) {
      await release(value);
      this.finish(call, infoOf(e));
    }
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
