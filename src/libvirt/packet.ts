import { LibvirtError } from './errors.js';
import { LIBVIRT_CONSTANTS } from './generated/remote.js';

/** virNetMessageType: a call, its reply, an unsolicited message (events, keepalive), stream data. */
export const PacketType = { CALL: 0, REPLY: 1, MESSAGE: 2, STREAM: 3, STREAM_HOLE: 6 } as const;
/** virNetMessageStatus: ok, error (a virNetMessageError follows), continue (more stream data). */
export const PacketStatus = { OK: 0, ERROR: 1, CONTINUE: 2 } as const;

/** The most a packet may hold, length word included (virnetprotocol.x VIR_NET_MESSAGE_MAX: 32 MiB in 9.0). */
export const MAX_PACKET_BYTES = LIBVIRT_CONSTANTS.VIR_NET_MESSAGE_MAX;
/** The length word plus virNetMessageHeader. */
export const HEADER_BYTES = 4 + LIBVIRT_CONSTANTS.VIR_NET_MESSAGE_HEADER_MAX;

/** virNetMessageHeader (virnetprotocol.x). */
export interface PacketHeader {
  prog: number;
  vers: number;
  proc: number;
  type: number;
  serial: number;
  status: number;
}

/** One packet: its header and its XDR payload. */
export interface Packet extends PacketHeader {
  payload: Buffer;
}

/**
 * Frames a packet: the 4-byte total length, the header, the payload.
 *
 * @example
 * socket.write(encodePacket({ prog: 0x20008086, vers: 1, proc: 66, type: 0, serial: 0, status: 0, payload: Buffer.alloc(0) }));
 */
export function encodePacket(p: Packet, maxBytes: number = MAX_PACKET_BYTES): Buffer {
  const total = HEADER_BYTES + p.payload.length;
  if (total > maxBytes) {
    throw new LibvirtError('PACKET_TOO_LARGE', `A packet of ${total} bytes is past the limit of ${maxBytes}`);
  }
  const b = Buffer.alloc(HEADER_BYTES);
  b.writeUInt32BE(total, 0);
  b.writeUInt32BE(p.prog, 4);
  b.writeUInt32BE(p.vers, 8);
  b.writeInt32BE(p.proc, 12);
  b.writeInt32BE(p.type, 16);
  b.writeUInt32BE(p.serial, 20);
  b.writeInt32BE(p.status, 24);
  return Buffer.concat([b, p.payload]);
}

/**
 * Splits a byte stream into packets. A length word below the header size or past the limit throws
 * `PACKET_TOO_LARGE`/`PROTOCOL` before any of the packet is buffered, so a hostile peer cannot make the client
 * hold more than one limit's worth.
 *
 * @example
 * const framer = new PacketFramer();
 * socket.on('data', (chunk) => { for (const p of framer.push(chunk)) handle(p); });
 */
export class PacketFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  constructor(private readonly maxBytes: number = MAX_PACKET_BYTES) {}

  /** Adds bytes; returns the packets they complete. */
  push(chunk: Buffer): Packet[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Packet[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      let head = this.chunks[0]!;
      if (head.length < 4) head = this.flatten();
      const total = head.readUInt32BE(0);
      if (total > this.maxBytes) {
        throw new LibvirtError(
          'PACKET_TOO_LARGE',
          `The peer sent a packet length of ${total}, past ${this.maxBytes}`,
        );
      }
      if (total < HEADER_BYTES) {
        throw new LibvirtError(
          'PROTOCOL',
          `The peer sent a packet length of ${total}, below the ${HEADER_BYTES}-byte header`,
        );
      }
      if (this.buffered < total) break;
      const all = this.flatten();
      out.push(decodeHeader(all.subarray(0, total)));
      const rest = all.subarray(total);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }

  private flatten(): Buffer {
    const b = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [b];
    return b;
  }
}

function decodeHeader(b: Buffer): Packet {
  return {
    prog: b.readUInt32BE(4),
    vers: b.readUInt32BE(8),
    proc: b.readInt32BE(12),
    type: b.readInt32BE(16),
    serial: b.readUInt32BE(20),
    status: b.readInt32BE(24),
    payload: Buffer.from(b.subarray(HEADER_BYTES)),
  };
}
