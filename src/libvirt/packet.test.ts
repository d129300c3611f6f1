import { describe, expect, it } from 'vitest';
import { LibvirtError } from './errors.js';
import { encodePacket, HEADER_BYTES, MAX_PACKET_BYTES, PacketFramer } from './packet.js';

const ping = { prog: 0x6b656570, vers: 1, proc: 1, type: 2, serial: 0, status: 0, payload: Buffer.alloc(0) };

describe('PacketFramer', () => {
  it('frames and splits packets whatever the chunking', () => {
    const a = encodePacket(ping);
    const b = encodePacket({ ...ping, proc: 2, payload: Buffer.from('00000001', 'hex') });
    expect(a.length).toBe(28);
    const all = Buffer.concat([a, b]);
    const f = new PacketFramer();
    const got = [];
    for (let i = 0; i < all.length; i++) got.push(...f.push(all.subarray(i, i + 1)));
    expect(got.map((p) => [p.prog, p.proc, p.payload.toString('hex')])).toEqual([
      [0x6b656570, 1, ''],
      [0x6b656570, 2, '00000001'],
    ]);
  });

  it('refuses a length past the packet limit before buffering it, and one below the header', () => {
    expect(MAX_PACKET_BYTES).toBe(32 * 1024 * 1024);
    const big = Buffer.alloc(4);
    big.writeUInt32BE(MAX_PACKET_BYTES + 1);
    expect(() => new PacketFramer().push(big)).toThrow(/packet length of 33554433, past 33554432/);
    const small = Buffer.alloc(4);
    small.writeUInt32BE(HEADER_BYTES - 1);
    expect(() => new PacketFramer().push(small)).toThrow(LibvirtError);
    const limited = Buffer.alloc(4);
    limited.writeUInt32BE(16 * 1024 * 1024 + 1);
    expect(() => new PacketFramer(16 * 1024 * 1024).push(limited)).toThrow(/PACKET|past 16777216/);
    expect(() => encodePacket({ ...ping, payload: Buffer.alloc(100) }, 64)).toThrow(/past the limit of 64/);
  });
});
