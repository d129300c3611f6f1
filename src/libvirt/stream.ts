import { Duplex } from 'node:stream';

/** The largest stream chunk sent in one packet (virnetprotocol.x VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX). */
export const STREAM_CHUNK_BYTES = 262120;

/** How a stream reaches the connection: send data (status continue) or the end (status ok), or forget it. */
export interface StreamSink {
  /** Sends data; false when the connection's buffer is full (wait for `drained`). */
  send(data: Buffer): boolean;
  /** Settles when the connection takes data again (or is gone). */
  drained(): Promise<void>;
  finish(): void;
  /** virStreamAbort: tells the daemon and settles when it answered (or did not in time, or the connection is gone). */
  abort(): Promise<void>;
}

/**
 * A libvirt stream (a console, a volume upload) as a Node duplex: what the daemon sends (type 3 packets with
 * status 2) is read, what is written goes back the same way, ending it sends status 0. The daemon's error
 * (status 1) destroys it with that error.
 *
 * @example
 * const console = await client.openStream('DOMAIN_OPEN_CONSOLE', { dom, dev_name: undefined, flags: 0 });
 * console.on('data', (b) => process.stdout.write(b));
 */
export class LibvirtStream extends Duplex {
  private eof = false;
  /** The daemon finished or failed the stream, or it was aborted: nothing more goes to the daemon. */
  private over = false;
  private settle!: { resolve(): void; reject(e: Error): void };
  /** Settles when the daemon closes the stream: with its final OK (after the client's finish), or its error. */
  readonly done: Promise<void>;

  constructor(private readonly sink: StreamSink) {
    super();
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.done.catch(() => undefined); // a caller that never awaits it is told through 'error'
  }

  /** Data from the daemon; an empty packet is the end of its data (virNetClientStreamRecvPacket: EOF). */
  deliver(data: Buffer): void {
    if (data.length > 0) this.push(data);
    else this.end_();
  }

  /** The daemon finished the stream. */
  finished(): void {
    this.over = true;
    this.end_();
    this.settle.resolve();
  }

  /** The daemon failed the stream (status error). */
  failed(e: Error): void {
    this.over = true;
    if (this.listenerCount('error') > 0) {
      this.destroy(e);
      return;
    }
    // Nobody listens (a stream whose open call has not answered yet, or one a pipeline has let go of): `done`
    // carries the error, and it must not become an uncaught 'error' event.
    this.settle.reject(e);
    this.destroy();
  }

  /**
   * Aborts the stream (virStreamAbort: an upload is dropped, not committed) and settles when the daemon has
   * answered, so what the stream held (a volume being uploaded) is free again.
   */
  async abort(): Promise<void> {
    if (this.over) {
      this.destroy();
      return;
    }
    this.over = true;
    const answered = this.sink.abort();
    this.destroy();
    await answered;
  }

  private end_(): void {
    if (this.eof) return;
    this.eof = true;
    this.push(null);
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.sendAll(chunk).then(
      () => done(),
      (e: unknown) => done(e as Error),
    );
  }

  /** Sends a chunk packet by packet, waiting for the connection to drain when its buffer is full. */
  private async sendAll(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length; at += STREAM_CHUNK_BYTES) {
      if (this.over) throw new Error('The libvirt stream is closed');
      if (!this.sink.send(chunk.subarray(at, at + STREAM_CHUNK_BYTES))) await this.sink.drained();
    }
  }

  override _final(done: (e?: Error | null) => void): void {
    try {
      this.sink.finish();
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _destroy(error: Error | null, done: (e: Error | null) => void): void {
    if (error !== null) this.settle.reject(error);
    else this.settle.resolve();
    if (!this.over) {
      this.over = true;
      void this.sink.abort();
    }
    done(error);
  }
}
