import { ApiError } from '../errors.js';

/**
 * The framing of the Api's stream transport (the unix socket): every frame is a 4-byte big-endian length, then
 * that many bytes, the first of which says what the frame holds (as libvirt's RPC packets: a length first, so a
 * reader never scans for a delimiter and can refuse an oversized frame before reading it).
 *
 *     [u32 length][u8 FRAME_JSON][UTF-8 JSON message]                a call, an answer, an event, a credit, ...
 *     [u32 length][u8 FRAME_DATA][u32 call id][bytes]                stream bytes of a call (upload, download, console)
 */

/** A frame holding one JSON message (messages.ts). */
export const FRAME_JSON = 0;
/** A frame holding bytes of a call's stream. */
export const FRAME_DATA = 1;
/** The bytes before a frame's body: its length and its kind. */
export const FRAME_HEADER_BYTES = 5;
/** The largest data frame either side sends (bytes of stream, without the header and the id). */
export const MAX_DATA_CHUNK = 65_536;

/** One frame as read. */
export type Frame = { kind: 'json'; text: string } | { kind: 'data'; id: number; bytes: Buffer };

/**
 * A JSON frame of `message`; bigints (a result of unknown schema) are written as decimal strings.
 *
 * @example
 * socket.write(jsonFrame({ t: 'call', id: 1, method: 'host.info', params: {} }));
 */
export function jsonFrame(message: unknown): Buffer {
  const body = Buffer.from(
    JSON.stringify(message, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    'utf8',
  );
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  head.writeUInt32BE(body.length + 1, 0);
  head.writeUInt8(FRAME_JSON, 4);
  return Buffer.concat([head, body]);
}

/**
 * A data frame carrying `bytes` of call `id`'s stream (at most {@link MAX_DATA_CHUNK}).
 *
 * @example
 * socket.write(dataFrame(7, chunk));
 */
export function dataFrame(id: number, bytes: Uint8Array): Buffer {
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
  head.writeUInt32BE(bytes.length + 5, 0);
  head.writeUInt8(FRAME_DATA, 4);
  head.writeUInt32BE(id, 5);
  return Buffer.concat([head, bytes]);
}

/**
 * Reads frames from the chunks a socket delivers, holding at most one frame of `maxFrameBytes`. Throws PROTOCOL
 * (saying what) on a frame that is too long, empty or of an unknown kind; after a throw the reader is unusable,
 * as the stream is out of step. Chunks are kept as they come and joined once per frame, so a frame arriving in
 * many small chunks costs linear time.
 *
 * @example
 * const reader = new FrameReader(16 << 20, 'the client');
 * socket.on('data', (chunk) => { for (const f of reader.push(chunk)) handle(f); });
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The length of the frame being read (from its header), once the header is in. */
  private need: number | undefined;

  constructor(
    readonly maxFrameBytes: number,
    /** Who sends the frames, for messages: `the client`, `the host`. */
    private readonly peer: string,
  ) {}

  /** True while part of a frame has arrived and the rest has not. */
  get partial(): boolean {
    return this.size > 0;
  }

  /** The frames completed by `chunk`, in order. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: Frame[] = [];
    for (;;) {
      if (this.need === undefined) {
        if (this.size < 4) break;
        const length = this.peek(4).readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          throw new ApiError(
            'PROTOCOL',
            `${this.peer} sent a frame of ${length} bytes, more than the ${this.maxFrameBytes} accepted (is it a Vessel API peer?)`,
          );
        }
        if (length === 0) throw new ApiError('PROTOCOL', `${this.peer} sent an empty frame`);
        this.need = length;
      }
      if (this.size < 4 + this.need) break;
      const whole = this.take(4 + this.need);
      this.need = undefined;
      out.push(this.parse(whole.subarray(4)));
    }
    return out;
  }

  private parse(body: Buffer): Frame {
    const kind = body[0];
    if (kind === FRAME_JSON) return { kind: 'json', text: body.toString('utf8', 1) };
    if (kind === FRAME_DATA) {
      if (body.length < 5) throw new ApiError('PROTOCOL', `${this.peer} sent a data frame without a call id`);
      return { kind: 'data', id: body.readUInt32BE(1), bytes: body.subarray(5) };
    }
    throw new ApiError('PROTOCOL', `${this.peer} sent a frame of unknown kind ${kind}`);
  }

  /** The first `n` bytes (n <= size), joined without consuming them. */
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  /** Removes and answers the first `n` bytes (n <= size). */
  private take(n: number): Buffer {
    let joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = joined.subarray(0, n);
    joined = joined.subarray(n);
    this.chunks = joined.length === 0 ? [] : [joined];
    this.size -= n;
    return out;
  }
}
