import type { Socket } from 'node:net';
import { peerKey } from './peer.js';

/**
 * Where a connection is: the TLS handshake, waiting for request headers, receiving a body, being answered (busy),
 * or idle between two requests of a keep-alive connection.
 */
export type ConnectionPhase = 'handshake' | 'headers' | 'body' | 'busy' | 'idle';

/** The connection limits of a listener. */
export interface GateLimits {
  /** Most connections at once, all listeners and clients together. */
  maxConnections: number;
  /** Most connections at once from one address (an IPv6 /64 counts as one). */
  maxConnectionsPerAddress: number;
  /** Time a TLS client has to complete the handshake, ms. */
  tlsHandshakeTimeoutMs: number;
  /** Time to receive the request headers, ms, whether the bytes trickle in or not. */
  headersTimeoutMs: number;
  /** Time to receive a request body once the headers are in, ms. */
  requestTimeoutMs: number;
  /** Idle time of a keep-alive connection, ms. */
  keepAliveTimeoutMs: number;
}

/** A connection the gate let in. */
export interface GateConnection {
  /** The TCP socket. */
  readonly raw: Socket;
  /** The socket HTTP is spoken on: the TCP socket itself, or the TLS socket over it. */
  stream: Socket;
  /** The client's address key (see {@link peerKey}). */
  readonly peer: string;
  phase: ConnectionPhase;
  /** When the phase began (performance.now(), ms). */
  since: number;
  /** When the phase times out (performance.now(), ms). */
  deadline: number;
  /** False once the connection no longer counts against the limits. */
  counted: boolean;
}

/** Why a connection was refused: its address holds its share, or the server is full of busy connections. */
export type RefusalReason = 'address' | 'capacity';

/** Refused connections answered at once at most; more are dropped without an answer. */
const MAX_REFUSING = 128;
/** How long a refused or evicted connection may linger after its answer, ms. */
const LINGER_MS = 2000;
/** How often deadlines are checked, ms. */
const SWEEP_MS = 250;

/**
 * Admits connections under a total cap and a cap per client address, and enforces the time limits of each phase
 * itself (a sweep every 250 ms), so that neither slowloris clients that trickle header bytes nor TLS clients that
 * never send a ClientHello hold a slot for longer than their phase's limit. When the server is full, a new
 * connection takes the slot of an idle keep-alive connection, or else of one still waiting for its request (or
 * handshake), taken from the address that holds the most and the oldest there: a client that spreads slow
 * connections over many addresses loses them to newcomers, while a client with one connection that is sending its
 * request is the last to go. When every slot is busy with a request the newcomer is refused with
 * `503 Service Unavailable` and `Retry-After` (never a reset).
 *
 * @example
 * const gate = new ConnectionGate(limits);
 * const c = gate.admit(socket);
 * if (typeof c === 'string') {
 *   if (gate.beginRefusal(socket)) gate.refuse(socket, c);
 * }
 */
export class ConnectionGate {
  private readonly open = new Set<GateConnection>();
  private readonly perPeer = new Map<string, number>();
  private readonly byStream = new WeakMap<Socket, GateConnection>();
  private refusing = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly limits: GateLimits) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Connections that count against the limits now. */
  get size(): number {
    return this.open.size;
  }

  /** Admits a new connection (making room when the server is full), or says why it is refused. */
  admit(raw: Socket, tls = false): GateConnection | RefusalReason {
    const peer = peerKey(raw.remoteAddress);
    if ((this.perPeer.get(peer) ?? 0) >= this.limits.maxConnectionsPerAddress && !this.evict(peer))
      return 'address';
    if (this.open.size >= this.limits.maxConnections && !this.evict(undefined)) return 'capacity';
    const now = performance.now();
    const c: GateConnection = {
      raw,
      stream: raw,
      peer,
      phase: tls ? 'handshake' : 'headers',
      since: now,
      deadline: now + (tls ? this.limits.tlsHandshakeTimeoutMs : this.limits.headersTimeoutMs),
      counted: true,
    };
    this.open.add(c);
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1);
    this.byStream.set(raw, c);
    raw.once('close', () => this.release(c));
    return c;
  }

  /** The connection HTTP is spoken on `stream`, if the gate admitted it. */
  of(stream: Socket): GateConnection | undefined {
    return this.byStream.get(stream);
  }

  /** Records that HTTP now runs over `stream` (the TLS socket once the handshake is done). */
  attach(c: GateConnection, stream: Socket): void {
    c.stream = stream;
    this.byStream.set(stream, c);
  }

  /** Moves a connection to its next phase and sets the phase's deadline. */
  enter(c: GateConnection | undefined, phase: ConnectionPhase): void {
    if (!c?.counted) return;
    const now = performance.now();
    c.phase = phase;
    c.since = now;
    c.deadline = now + this.limitOf(phase);
  }

  /** How long a connection may stay in `phase`, ms (three times per request: no table built per call). */
  private limitOf(phase: ConnectionPhase): number {
    const l = this.limits;
    switch (phase) {
      case 'handshake':
        return l.tlsHandshakeTimeoutMs;
      case 'headers':
        return l.headersTimeoutMs;
      case 'body':
        return l.requestTimeoutMs;
      case 'busy':
        return Number.POSITIVE_INFINITY;
      case 'idle':
        return l.keepAliveTimeoutMs;
    }
  }

  /**
   * Answers a refused connection (taken in by {@link beginRefusal}): `503 Service Unavailable` with `Retry-After` on
   * `stream` (the TCP socket, or for TLS the socket once its handshake is done), then closes it.
   */
  refuse(stream: Socket, reason: RefusalReason): void {
    const retryAfterS = reason === 'address' ? 10 : 2;
    const message =
      reason === 'address'
        ? 'Too many connections from this address; close some or retry later'
        : 'The server has no free connection; retry later';
    answerAndClose(stream, 503, 'Service Unavailable', message, retryAfterS);
  }

  /**
   * Takes a refused connection in for its answer, if fewer than a bounded number are being answered; else drops
   * it at once. Either way it never counts against the limits.
   */
  beginRefusal(raw: Socket): boolean {
    raw.on('error', () => undefined);
    if (this.refusing >= MAX_REFUSING) {
      raw.destroy();
      return false;
    }
    this.refusing++;
    raw.once('close', () => this.refusing--);
    setTimeout(() => raw.destroy(), LINGER_MS).unref();
    return true;
  }

  /** Closes every connection and stops the sweep. */
  close(): void {
    clearInterval(this.sweeper);
    for (const c of [...this.open]) {
      this.release(c);
      c.raw.destroy();
    }
  }

  private release(c: GateConnection): void {
    if (!c.counted) return;
    c.counted = false;
    this.open.delete(c);
    const n = (this.perPeer.get(c.peer) ?? 1) - 1;
    if (n <= 0) this.perPeer.delete(c.peer);
    else this.perPeer.set(c.peer, n);
  }

  /**
   * Frees a slot: for an address at its cap (`peer`), one of its idle keep-alive connections; when the server is
   * full, an idle keep-alive connection first, else one still waiting for its request (or TLS handshake), from the
   * address holding most, oldest first.
   */
  private evict(peer: string | undefined): boolean {
    const now = performance.now();
    let best: GateConnection | undefined;
    let bestRank: [number, number, number] = [0, 0, 0];
    for (const c of this.open) {
      if (peer !== undefined && c.peer !== peer) continue;
      const waiting = c.phase === 'headers' || c.phase === 'handshake';
      // An address at its own cap only gets its idle connections back: its stalled ones are its own doing.
      if (c.phase !== 'idle' && (peer !== undefined || !waiting)) continue;
      const rank: [number, number, number] = [
        c.phase === 'idle' ? 1 : 0,
        this.perPeer.get(c.peer) ?? 0,
        now - c.since,
      ];
      if (!best || compare(rank, bestRank) > 0) {
        best = c;
        bestRank = rank;
      }
    }
    if (!best) return false;
    this.end(best, 503);
    return true;
  }

  /** Closes a connection that timed out or is evicted, answering when HTTP is spoken and nothing was sent yet. */
  private end(c: GateConnection, status: 408 | 503): void {
    this.release(c);
    if (c.phase === 'idle') {
      c.stream.end();
      setTimeout(() => c.raw.destroy(), LINGER_MS).unref();
    } else if (c.phase === 'headers' || c.phase === 'body') {
      if (status === 408) answerAndClose(c.stream, 408, 'Request Timeout', 'The request took too long', 0);
      else answerAndClose(c.stream, 503, 'Service Unavailable', 'The server needed this connection', 2);
    } else c.raw.destroy();
  }

  private sweep(): void {
    const now = performance.now();
    for (const c of this.open) if (now > c.deadline) this.end(c, 408);
  }
}

function compare(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Writes a small HTTP/1.1 answer with `Connection: close`, stops caring about what the client sends, and closes. */
export function answerAndClose(
  stream: Socket,
  status: number,
  reason: string,
  message: string,
  retryAfterS: number,
): void {
  const body = `${message}\n`;
  const retry = retryAfterS > 0 ? `Retry-After: ${retryAfterS}\r\n` : '';
  stream.on('error', () => undefined);
  if (!stream.destroyed && stream.writable)
    stream.end(
      `HTTP/1.1 ${status} ${reason}\r\n${retry}Content-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  // Read and drop what the client still sends, so that closing does not reset the connection before the
  // client has read the answer; the socket is destroyed after a short linger.
  stream.resume();
  setTimeout(() => stream.destroy(), LINGER_MS).unref();
}
