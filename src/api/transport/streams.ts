import { ApiError } from '../errors.js';
import { MAX_DATA_CHUNK } from './frames.js';
import { STREAM_WINDOW_BYTES } from './messages.js';

/**
 * The two ends of a call's byte stream under credit (messages.ts): {@link Inbound} holds what arrived, at most the
 * window, and grants credit back as its reader consumes; {@link Outbound} sends no more than it was granted. Both
 * sides of the transport use them, for uploads, downloads and consoles.
 */

/**
 * The receiving end of a stream: an async iterable of the chunks that arrived, in order. It holds at most
 * `window` bytes: the sender may send only what `grant` allowed, and {@link Inbound.push} refuses more.
 *
 * @example
 * const inbound = new Inbound((n) => send({ t: 'credit', id, bytes: n }), () => send({ t: 'close', id }));
 * inbound.open();
 * for await (const chunk of inbound) file.write(chunk);
 */
export class Inbound implements AsyncIterable<Uint8Array> {
  private readonly queue: Buffer[] = [];
  /** Bytes granted and not yet received. */
  private outstanding = 0;
  /** Bytes consumed and not yet granted back. */
  private consumed = 0;
  private state: 'new' | 'open' | 'ended' | 'failed' | 'abandoned' = 'new';
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly grant: (bytes: number) => void,
    /** Called once when the reader stops before the end (the sender should stop). */
    private readonly abandon: () => void = () => {},
    private readonly window = STREAM_WINDOW_BYTES,
  ) {}

  /** Grants the first window: the sender may start. */
  open(): void {
    if (this.state !== 'new') return;
    this.state = 'open';
    this.outstanding = this.window;
    this.grant(this.window);
  }

  /** True once the stream ended, failed or was given up. */
  get done(): boolean {
    return this.state !== 'new' && this.state !== 'open';
  }

  /** Takes bytes that arrived; false when the sender exceeded its credit (a protocol violation). */
  push(bytes: Buffer): boolean {
    if (bytes.length > this.outstanding) return false;
    this.outstanding -= bytes.length;
    if (this.state !== 'open') return true; // given up: dropped, but it was within credit
    if (bytes.length > 0) this.queue.push(bytes);
    this.poke();
    return true;
  }

  /** The sender's last byte has arrived. */
  end(): void {
    if (this.state === 'open' || this.state === 'new') this.state = 'ended';
    this.poke();
  }

  /** The stream broke: the reader gets `error` once what arrived before is read. */
  fail(error: Error): void {
    if (this.state === 'ended' || this.state === 'failed') return;
    this.state = 'failed';
    this.error = error;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private take(chunk: Buffer): Buffer {
    this.consumed += chunk.length;
    // Grant back in quarters of the window: fewer credit messages, and a sender never waits while the reader is idle.
    if (this.state === 'open' && this.consumed >= this.window / 4) {
      this.outstanding += this.consumed;
      this.grant(this.consumed);
      this.consumed = 0;
    }
    return chunk;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        for (;;) {
          const chunk = this.queue.shift();
          if (chunk !== undefined) return { done: false, value: this.take(chunk) };
          if (this.state === 'failed') throw this.error;
          if (this.state === 'ended' || this.state === 'abandoned') return { done: true, value: undefined };
          await new Promise<void>((r) => {
            this.wake = r;
          });
        }
      },
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        if (this.state === 'open' || this.state === 'new') {
          this.state = 'abandoned';
          this.queue.length = 0;
          this.abandon();
        }
        return { done: true, value: undefined };
      },
    };
  }
}

/**
 * The sending end of a stream: sends what a source yields in chunks of at most {@link MAX_DATA_CHUNK}, never more
 * than the receiver granted.
 *
 * @example
 * const out = new Outbound();
 * onCredit = (n) => out.grant(n);
 * await out.pump(source, (piece) => socket.write(dataFrame(id, piece)));
 */
export class Outbound {
  private credit = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private onStop: () => void = () => {};
  /** Settles when the stream is stopped. */
  private readonly stopping = new Promise<'stopped'>((r) => {
    this.onStop = () => r('stopped');
  });

  /** The receiver is ready for `bytes` more. */
  grant(bytes: number): void {
    this.credit += bytes;
    this.poke();
  }

  /** The receiver is gone: stop sending (a pump in progress ends, its source is given up). */
  stop(): void {
    this.stopped = true;
    this.onStop();
    this.poke();
  }

  /** True once stopped. */
  get isStopped(): boolean {
    return this.stopped;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Sends `bytes` in pieces as credit allows; false when stopped before all was sent. */
  async write(bytes: Uint8Array, send: (piece: Uint8Array) => void): Promise<boolean> {
    let at = 0;
    while (at < bytes.length) {
      while (this.credit === 0 && !this.stopped) {
        await new Promise<void>((r) => {
          this.wake = r;
        });
      }
      if (this.stopped) return false;
      const n = Math.min(this.credit, MAX_DATA_CHUNK, bytes.length - at);
      send(bytes.subarray(at, at + n));
      this.credit -= n;
      at += n;
    }
    return !this.stopped;
  }

  /**
   * Sends everything `source` yields; true when the source ended, false when the stream was stopped first (the
   * source is then given up with `return()`, without waiting for a read in progress). A source that throws
   * rejects with its error.
   */
  async pump(source: AsyncIterable<Uint8Array>, send: (piece: Uint8Array) => void): Promise<boolean> {
    const it = source[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const pending = it.next();
        pending.catch(() => undefined); // a read still pending when the stream stops may fail unobserved
        const next = await Promise.race([pending, this.stopping]);
        if (next === 'stopped') return false;
        if (next.done) {
          finished = true;
          return true;
        }
        if (!(next.value instanceof Uint8Array)) {
          throw new ApiError('INVALID_ARGUMENT', 'A byte stream yielded something other than bytes');
        }
        if (!(await this.write(next.value, send))) return false;
      }
    } finally {
      if (!finished) void Promise.resolve(it.return?.()).catch(() => undefined);
    }
  }
}
