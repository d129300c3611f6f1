import { LibvirtError } from './errors.js';
import { LIBVIRT_CONSTANTS as C, REMOTE_PROCEDURE_TYPES } from './generated/remote.js';
import { DEFAULT_KEEPALIVE, Keepalive, type KeepaliveOptions } from './keepalive.js';
import {
  encodePacket,
  MAX_PACKET_BYTES,
  type Packet,
  PacketFramer,
  PacketStatus,
  PacketType,
} from './packet.js';
import { type ArgsOf, type LibvirtEvent, type ProcedureName, type RetOf, remoteError } from './procedures.js';
import { LibvirtStream } from './stream.js';
import type { ByteTransport } from './transport.js';
import { decodeXdr } from './xdr/decode.js';
import { encodeXdr } from './xdr/encode.js';

/** Options of a {@link LibvirtClient}. */
export interface ClientOptions {
  /** How long a call waits for its reply (default 30 s). */
  timeoutMs?: number;
  /** The packet limit both ways (default VIR_NET_MESSAGE_MAX, 32 MiB). */
  maxPacketBytes?: number;
}

interface Pending {
  name: string;
  proc: number;
  resolve(payload: Buffer): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

const REMOTE = C.REMOTE_PROGRAM;
const KEEPALIVE = C.KEEPALIVE_PROGRAM;
const PROC_NAMES = new Map<number, ProcedureName>(
  Object.entries(REMOTE_PROCEDURE_TYPES).map(([n, t]) => [t.proc, n as ProcedureName]),
);

/**
 * A libvirt RPC client over any byte transport: calls with serials and timeouts, error replies as
 * {@link LibvirtRemoteError}, keepalive (answers PING, pings an idle peer, drops a dead one), events, streams.
 * A peer that breaks the protocol (an unknown program, a reply nobody waits for, a packet past the limit) is
 * dropped and every call in flight fails with that reason; a closed connection fails them with `CLOSED`.
 *
 * @example
 * const client = new LibvirtClient(net.createConnection('/run/libvirt/libvirt-sock'));
 * const { domains } = await client.call('CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 0 });
 */
export class LibvirtClient {
  private serial = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<number, LibvirtStream>();
  /** Streams this side aborted, by serial: settled by the daemon's answer. */
  private readonly aborting = new Map<number, () => void>();
  private readonly framer: PacketFramer;
  private readonly eventListeners = new Set<(e: LibvirtEvent) => void>();
  private readonly closeListeners = new Set<(e: LibvirtError) => void>();
  private keepalive: Keepalive | undefined;
  private closedBy: LibvirtError | undefined;
  private readonly timeoutMs: number;
  private readonly maxPacketBytes: number;

  constructor(
    private readonly transport: ByteTransport,
    options: ClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxPacketBytes = options.maxPacketBytes ?? MAX_PACKET_BYTES;
    this.framer = new PacketFramer(this.maxPacketBytes);
    transport.on('data', (chunk) => this.receive(chunk));
    transport.on('error', (e) =>
      this.shutdown(new LibvirtError('CLOSED', `The libvirt connection failed: ${e.message}`, { cause: e })),
    );
    transport.on('close', () => this.shutdown(new LibvirtError('CLOSED', 'The libvirt connection closed')));
  }

  /** Whether the connection is gone (and why). */
  get closed(): LibvirtError | undefined {
    return this.closedBy;
  }

  /**
   * Calls a procedure and resolves with its decoded return value: `REMOTE` for the daemon's error, `TIMEOUT`,
   * `CLOSED` when the connection ends first, `XDR_ENCODE`/`XDR_DECODE` for values that do not fit.
   */
  async call<P extends ProcedureName>(
    name: P,
    args: ArgsOf<P>,
    options: { timeoutMs?: number } = {},
  ): Promise<RetOf<P>> {
    const t = REMOTE_PROCEDURE_TYPES[name];
    const payload = encodeXdr(t.args as never, args as never);
    const reply = await this.send(name, t.proc, payload, options.timeoutMs ?? this.timeoutMs).promise;
    return decodeXdr(t.ret as never, reply) as RetOf<P>;
  }

  /**
   * Calls a procedure that opens a stream (DOMAIN_OPEN_CONSOLE): the stream is registered under the call's serial
   * before the call goes out, so no data is lost between the reply and the first read. `onReply` gets the call's
   * decoded return value (DOMAIN_SCREENSHOT's MIME type).
   */
  async openStream<P extends ProcedureName>(
    name: P,
    args: ArgsOf<P>,
    onReply?: (ret: RetOf<P>) => void,
  ): Promise<LibvirtStream> {
    const t = REMOTE_PROCEDURE_TYPES[name];
    const { serial, promise } = this.send(
      name,
      t.proc,
      encodeXdr(t.args as never, args as never),
      this.timeoutMs,
    );
    const sinkPacket = (status: number, payload: Buffer) =>
      this.write({ prog: REMOTE, vers: 1, proc: t.proc, type: PacketType.STREAM, serial, status, payload });
    const stream = new LibvirtStream({
      send: (data) => sinkPacket(PacketStatus.CONTINUE, data),
      drained: () => this.drained(),
      finish: () => void sinkPacket(PacketStatus.OK, Buffer.alloc(0)),
      abort: () => this.abortStream(serial, () => sinkPacket(PacketStatus.ERROR, Buffer.alloc(0))),
    });
    this.streams.set(serial, stream);
    try {
      const reply = await promise;
      onReply?.(decodeXdr(t.ret as never, reply) as RetOf<P>);
    } catch (e) {
      this.streams.delete(serial);
      stream.destroy();
      throw e;
    }
    return stream;
  }

  /** Settles when the transport drains its write buffer, or the connection ends. */
  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closedBy !== undefined || this.transport.once === undefined) {
        resolve();
        return;
      }
      const off = this.onClose(() => resolve());
      this.transport.once('drain', () => {
        off();
        resolve();
      });
    });
  }

  /**
   * virStreamAbort: a stream packet of status error; the daemon answers it (a reply or a stream packet of that
   * serial, which is then not a protocol violation). Settles on that answer, after 5 s, or when the connection ends.
   */
  private abortStream(serial: number, send: () => void): Promise<void> {
    const open = this.streams.delete(serial);
    if (!open || this.closedBy !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const settle = () => {
        clearTimeout(timer);
        this.aborting.delete(serial);
        resolve();
      };
      const timer = setTimeout(() => {
        this.lateSerials.add(serial);
        settle();
      }, 5000);
      this.aborting.set(serial, settle);
      try {
        send();
      } catch {
        settle();
      }
    });
  }

  /** Registers a listener for events; returns its remover. */
  onEvent(listener: (e: LibvirtEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Registers a listener for the end of the connection (with its reason). */
  onClose(listener: (e: LibvirtError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Starts sending keepalive PINGs (after the daemon said it supports them, CONNECT_SUPPORTS_FEATURE 10). */
  startKeepalive(options: KeepaliveOptions = DEFAULT_KEEPALIVE): void {
    this.keepalive?.stop();
    this.keepalive = new Keepalive(
      options,
      () => this.keepaliveMessage(C.KEEPALIVE_PROC_PING),
      (missed) =>
        this.drop(
          new LibvirtError(
            'KEEPALIVE',
            `libvirtd did not answer ${missed} keepalive pings; the connection is dropped`,
          ),
        ),
    );
    this.keepalive.start();
  }

  /** Ends the connection; calls in flight fail with `CLOSED`. */
  close(): void {
    this.shutdown(new LibvirtError('CLOSED', 'The libvirt connection was closed by the client'));
    this.transport.end();
  }

  private send(
    name: string,
    proc: number,
    payload: Buffer,
    timeoutMs: number,
  ): { serial: number; promise: Promise<Buffer> } {
    const serial = this.serial;
    this.serial = (this.serial + 1) >>> 0;
    const promise = new Promise<Buffer>((resolve, reject) => {
      if (this.closedBy !== undefined) {
        reject(
          new LibvirtError('CLOSED', `Cannot call ${name}: ${this.closedBy.message}`, {
            cause: this.closedBy,
          }),
        );
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(serial);
        this.lateSerials.add(serial);
        reject(
          new LibvirtError(
            'TIMEOUT',
            `libvirtd did not answer ${name} (serial ${serial}) within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(serial, { name, proc, resolve, reject, timer });
      try {
        this.write({
          prog: REMOTE,
          vers: 1,
          proc,
          type: PacketType.CALL,
          serial,
          status: PacketStatus.OK,
          payload,
        });
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(serial);
        reject(e);
      }
    });
    return { serial, promise };
  }

  /** Serials whose call timed out: their late replies are dropped quietly. */
  private readonly lateSerials = new Set<number>();

  /** Writes a packet; false when the transport's buffer is full. */
  private write(p: Packet): boolean {
    if (this.closedBy !== undefined)
      throw new LibvirtError('CLOSED', this.closedBy.message, { cause: this.closedBy });
    return this.transport.write(encodePacket(p, this.maxPacketBytes));
  }

  private keepaliveMessage(proc: number): void {
    if (this.closedBy !== undefined) return;
    this.write({
      prog: KEEPALIVE,
      vers: 1,
      proc,
      type: PacketType.MESSAGE,
      serial: 0,
      status: 0,
      payload: Buffer.alloc(0),
    });
  }

  private receive(chunk: Buffer): void {
    if (this.closedBy !== undefined) return;
    this.keepalive?.heard();
    try {
      for (const p of this.framer.push(chunk)) this.dispatch(p);
    } catch (e) {
      this.drop(e instanceof LibvirtError ? e : new LibvirtError('PROTOCOL', String(e), { cause: e }));
    }
  }

  private dispatch(p: Packet): void {
    if (p.prog === KEEPALIVE) {
      if (p.proc === C.KEEPALIVE_PROC_PING) this.keepaliveMessage(C.KEEPALIVE_PROC_PONG);
      return;
    }
    if (p.prog !== REMOTE || p.vers !== 1) {
      throw new LibvirtError(
        'PROTOCOL',
        `The peer sent a packet of unknown program 0x${p.prog.toString(16)} version ${p.vers}`,
      );
    }
    if (p.type === PacketType.REPLY) this.reply(p);
    else if (p.type === PacketType.MESSAGE) this.event(p);
    else if (p.type === PacketType.STREAM) this.streamPacket(p);
    else
      throw new LibvirtError(
        'PROTOCOL',
        `The peer sent a packet of unknown type ${p.type} (procedure ${p.proc})`,
      );
  }

  private reply(p: Packet): void {
    const call = this.pending.get(p.serial);
    if (call === undefined) {
      if (this.lateSerials.delete(p.serial)) return;
      const aborted = this.aborting.get(p.serial);
      if (aborted !== undefined) {
        aborted(); // the daemon's answer to an abort
        return;
      }
      throw new LibvirtError(
        'PROTOCOL',
        `The peer sent a reply to procedure ${p.proc} with serial ${p.serial}, which no call waits for`,
      );
    }
    if (call.proc !== p.proc) {
      throw new LibvirtError(
        'PROTOCOL',
        `The peer answered ${call.name} (serial ${p.serial}) with procedure ${p.proc}`,
      );
    }
    this.pending.delete(p.serial);
    clearTimeout(call.timer);
    if (p.status === PacketStatus.OK) call.resolve(p.payload);
    else if (p.status === PacketStatus.ERROR) call.reject(remoteError(call.name, p.payload));
    else call.reject(new LibvirtError('PROTOCOL', `The reply to ${call.name} has status ${p.status}`));
  }

  private event(p: Packet): void {
    const name = PROC_NAMES.get(p.proc);
    const t = name === undefined ? undefined : REMOTE_PROCEDURE_TYPES[name];
    // libvirt's own client ignores events it does not know; their serials are not checked (libvirtd sends 1).
    if (name === undefined || t === undefined || t.msg.kind === 'void') return;
    const msg = decodeXdr(t.msg as never, p.payload);
    for (const l of this.eventListeners) l({ procedure: name, msg } as LibvirtEvent);
  }

  private streamPacket(p: Packet): void {
    const s = this.streams.get(p.serial);
    if (s === undefined) {
      // Data for a stream already closed on this side; its final status answers an abort.
      if (p.status !== PacketStatus.CONTINUE) this.aborting.get(p.serial)?.();
      return;
    }
    if (p.status === PacketStatus.CONTINUE) s.deliver(p.payload);
    else if (p.status === PacketStatus.OK) {
      this.streams.delete(p.serial);
      s.finished();
    } else {
      this.streams.delete(p.serial);
      s.failed(remoteError('the stream', p.payload));
    }
  }

  /** Drops the peer for a protocol violation. */
  private drop(reason: LibvirtError): void {
    this.shutdown(reason);
    this.transport.destroy();
  }

  private shutdown(reason: LibvirtError): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = reason;
    this.keepalive?.stop();
    for (const [serial, call] of this.pending) {
      clearTimeout(call.timer);
      const why =
        reason.code === 'CLOSED'
          ? `${reason.message} while ${call.name} (serial ${serial}) was in flight`
          : reason.message;
      call.reject(new LibvirtError(reason.code, why, { cause: reason }));
    }
    this.pending.clear();
    for (const s of this.streams.values()) s.failed(reason);
    this.streams.clear();
    for (const settle of [...this.aborting.values()]) settle();
    for (const l of this.closeListeners) l(reason);
  }
}
