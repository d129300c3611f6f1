import { Duplex } from 'node:stream';

/** The largest stream chunk sent in one packet (virnetprotocol.x VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX). */
export const STREAM_CHUNK_BYTES = 262120;

/** How a stream reaches the connection: send data (status continue) or the end (status ok), or forget it. */
export interface StreamSink {
  send(data: Buffer): void;
  finish(): void;
  abort(): void;
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
    this.end_();
    this.settle.resolve();
  }

  private end_(): void {
    if (this.eof) return;
    this.eof = true;
    this.push(null);
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    try {
      for (let at = 0; at < chunk.length; at += STREAM_CHUNK_BYTES) {
        this.sink.send(chunk.subarray(at, at + STREAM_CHUNK_BYTES));
      }
      done();
    } catch (e) {
      done(e as Error);
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
    this.sink.abort();
    done(error);
  }
}
