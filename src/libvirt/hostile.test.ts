import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodePacket, LibvirtClient, LibvirtError, type Packet, PacketFramer } from './index.js';

const REMOTE = 0x20008086;
const KEEPALIVE = 0x6b656570;

/** A peer the test scripts packet by packet. */
function hostilePeer() {
  const fromClient: Packet[] = [];
  const framer = new PacketFramer();
  let onPacket: (p: Packet) => void = () => {};
  const end = new Duplex({
    read() {},
    write(chunk: Buffer, _e, done) {
      for (const p of framer.push(chunk)) {
        fromClient.push(p);
        onPacket(p);
      }
      done();
    },
  });
  return {
    end,
    fromClient,
    send: (b: Buffer) => end.push(b),
    reply: (p: Packet, payload: string, over: Partial<Packet> = {}) =>
      end.push(encodePacket({ ...p, type: 1, payload: Buffer.from(payload, 'hex'), ...over })),
    onPacket: (f: (p: Packet) => void) => {
      onPacket = f;
    },
  };
}

async function failure(p: Promise<unknown>): Promise<LibvirtError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof LibvirtError)) throw new Error(`expected a LibvirtError, got ${String(e)}`);
  return e;
}

describe('LibvirtClient against a hostile peer', () => {
  it('refuses a malformed reply with XDR_DECODE and keeps the connection', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    peer.onPacket((p) => peer.reply(p, p.serial === 0 ? '00000005' : '0000000100000000'));
    const e = await failure(c.call('AUTH_LIST', undefined));
    expect(e.code).toBe('XDR_DECODE');
    expect(e.message).toMatch(/remote_auth_list_ret.types: length 5 cannot fit/);
    expect(await c.call('AUTH_LIST', undefined)).toEqual({ types: [0] });
  });

  it('drops a peer that announces a packet past the limit; the call in flight gets PACKET_TOO_LARGE', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end, { maxPacketBytes: 16 * 1024 * 1024 });
    peer.onPacket(() => peer.send(Buffer.from('01000001', 'hex')));
    const e = await failure(c.call('CONNECT_GET_HOSTNAME', undefined));
    expect(e.code).toBe('PACKET_TOO_LARGE');
    expect(c.closed?.code).toBe('PACKET_TOO_LARGE');
    expect((await failure(c.call('AUTH_LIST', undefined))).code).toBe('CLOSED');
  });

  it('ignores an event of an unknown procedure, but drops a reply to a serial nobody waits for', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    const events: unknown[] = [];
    c.onEvent((e) => events.push(e));
    peer.onPacket((p) => {
      peer.send(
        encodePacket({ ...p, proc: 9999, type: 2, serial: 1, payload: Buffer.from('00000000', 'hex') }),
      );
      peer.reply(p, '00000001', { serial: 77 });
    });
    const e = await failure(c.call('CONNECT_SUPPORTS_FEATURE', { feature: 10 }));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toMatch(/serial 77, which no call waits for/);
    expect(events).toEqual([]);
  });

  it('drops a peer that answers with another procedure or speaks an unknown program', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    peer.onPacket((p) => peer.reply(p, '', { proc: 3 }));
    expect((await failure(c.call('AUTH_LIST', undefined))).message).toMatch(
      /answered AUTH_LIST \(serial 0\) with procedure 3/,
    );
    const peer2 = hostilePeer();
    const c2 = new LibvirtClient(peer2.end);
    peer2.onPacket((p) => peer2.reply(p, '', { prog: 0x12345678 }));
    expect((await failure(c2.call('AUTH_LIST', undefined))).message).toMatch(/unknown program 0x12345678/);
  });

  it('times out a call the peer never answers, and drops the late reply quietly', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end, { timeoutMs: 100 });
    const e = await failure(c.call('CONNECT_GET_HOSTNAME', undefined));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe('libvirtd did not answer CONNECT_GET_HOSTNAME (serial 0) within 100 ms');
    peer.reply(peer.fromClient[0]!, '0000000168000000');
    peer.onPacket((p) => peer.reply(p, '0000000100000000'));
    expect(await c.call('AUTH_LIST', undefined)).toEqual({ types: [0] });
    expect(c.closed).toBeUndefined();
  });

  it('fails a call in flight with CLOSED when the peer closes mid-call', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    peer.onPacket(() => peer.end.destroy());
    const e = await failure(
      c.call('DOMAIN_GET_STATE', { dom: { name: 'x', uuid: Buffer.alloc(16), id: -1 }, flags: 0 }),
    );
    expect(e.code).toBe('CLOSED');
    expect(e.message).toBe('The libvirt connection closed while DOMAIN_GET_STATE (serial 0) was in flight');
  });

  it('answers PING with PONG, pings an idle peer and drops it after the count of unanswered pings', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    const closed = new Promise<LibvirtError>((r) => c.onClose(r));
    peer.send(
      encodePacket({
        prog: KEEPALIVE,
        vers: 1,
        proc: 1,
        type: 2,
        serial: 0,
        status: 0,
        payload: Buffer.alloc(0),
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(peer.fromClient.map((p) => [p.prog, p.proc, p.type])).toEqual([[KEEPALIVE, 2, 2]]);
    c.startKeepalive({ intervalMs: 40, count: 3 });
    const started = Date.now();
    const e = await closed;
    expect(e.code).toBe('KEEPALIVE');
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 40);
    expect(peer.fromClient.filter((p) => p.prog === KEEPALIVE && p.proc === 1)).toHaveLength(3);
    expect(peer.fromClient.every((p) => p.prog === KEEPALIVE || p.prog === REMOTE)).toBe(true);
  });

  it('with the default limit (32 MiB, libvirt 9): a length word past it is PACKET_TOO_LARGE before any allocation', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    peer.onPacket(() => peer.send(Buffer.from('7fffffff', 'hex')));
    const before = process.memoryUsage().arrayBuffers;
    const e = await failure(c.call('CONNECT_GET_HOSTNAME', undefined));
    expect(e.code).toBe('PACKET_TOO_LARGE');
    expect(e.message).toMatch(/packet length of 2147483647, past 33554432/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a length word below the header size', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    peer.onPacket(() => peer.send(Buffer.from('0000000800000000', 'hex')));
    const e = await failure(c.call('AUTH_LIST', undefined));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toMatch(/below the 28-byte header/);
  });

  it('refuses a string whose XDR length is past what the packet holds, without reading past it', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    // CONNECT_GET_HOSTNAME returns one string: a length of 1 GiB with 4 bytes behind it.
    peer.onPacket((p) => peer.reply(p, '4000000061626364'));
    const e = await failure(c.call('CONNECT_GET_HOSTNAME', undefined));
    expect(e.code).toBe('XDR_DECODE');
    expect(c.closed).toBeUndefined();
  });

  it('bounds a half-sent reply: the call times out, and the rest arriving later is not taken for a new packet', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end, { timeoutMs: 100 });
    let whole: Buffer | undefined;
    peer.onPacket((p) => {
      whole = encodePacket({ ...p, type: 1, payload: Buffer.from('0000000100000000', 'hex') });
      peer.send(whole.subarray(0, 10));
    });
    const e = await failure(c.call('AUTH_LIST', undefined));
    expect(e.code).toBe('TIMEOUT');
    peer.send(whole!.subarray(10)); // the late reply, completed: dropped quietly as late
    peer.onPacket((p) => peer.reply(p, '0000000100000000'));
    expect(await c.call('AUTH_LIST', undefined)).toEqual({ types: [0] });
  });

  it('drops a peer whose event of a known procedure is malformed; the calls in flight fail with XDR_DECODE', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    // DOMAIN_EVENT_CALLBACK_LIFECYCLE (318) whose domain name claims 2^31 bytes.
    peer.onPacket(() =>
      peer.send(
        encodePacket({
          prog: REMOTE,
          vers: 1,
          proc: 318,
          type: 2,
          serial: 1,
          status: 0,
          payload: Buffer.from('0000000180000000', 'hex'),
        }),
      ),
    );
    const e = await failure(c.call('AUTH_LIST', undefined));
    expect(e.code).toBe('XDR_DECODE');
    expect(c.closed?.code).toBe('XDR_DECODE');
  });

  it('ignores stream data for a stream it does not have, and a reply of an unknown type drops the peer', async () => {
    const peer = hostilePeer();
    const c = new LibvirtClient(peer.end);
    peer.onPacket((p) => {
      peer.send(encodePacket({ ...p, type: 3, status: 2, serial: 999, payload: Buffer.from('junk') }));
      peer.send(encodePacket({ ...p, type: 7, payload: Buffer.alloc(0) }));
    });
    const e = await failure(c.call('AUTH_LIST', undefined));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toMatch(/unknown type 7/);
  });
});
