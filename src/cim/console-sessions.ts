import { randomBytes } from 'node:crypto';
import type { ByteChannel, Role } from '../api/index.js';
import { CimError } from './errors.js';

/**
 * The serial console sessions that Vessel_TextConsoleService keeps for CIM callers, who cannot hold a connection
 * open: each is a live console channel read into a bounded buffer, which the caller drains with Receive (a long
 * poll) and writes with Send, as WinRS carries a shell's streams over WS-Man (Command, Send, Receive). A CIM
 * request is untrusted: sessions are bounded per user and per host, a session nobody receives from is closed,
 * buffered output is bounded (the oldest bytes go first, and are counted), and a session id is a random 128-bit
 * value that only its own user (and role) can use; anyone else's id is as unknown as a made-up one.
 */

/** The bounds of the console sessions of one CIM service. */
export interface ConsoleLimits {
  /** Sessions one user may hold open at once. */
  perUser: number;
  /** Sessions the host holds open at once, all users together. */
  perHost: number;
  /** A session without a Receive for this long is closed (ms). */
  idleMs: number;
  /** Output kept per session until received; beyond, the oldest bytes are dropped (and counted). */
  bufferBytes: number;
  /** The most bytes one Send carries, one Receive answers, and ReadLog answers. */
  dataBytes: number;
  /** The longest a Receive waits for output (ms). */
  maxWaitMs: number;
}

/** The bounds `vessel host serve` runs with. */
export const CONSOLE_LIMITS: Readonly<ConsoleLimits> = {
  perUser: 4,
  perHost: 32,
  idleMs: 60_000,
  bufferBytes: 1 << 20,
  dataBytes: 64 * 1024,
  maxWaitMs: 5_000,
};

/** What a Receive answers: the bytes waiting (at most `dataBytes`), whether the session is over, bytes dropped. */
export interface Received {
  data: Buffer;
  closed: boolean;
  droppedBytes: number;
}

/** The longest session id a caller may name (ours are 32 hex digits); longer ones are not looked up. */
const MAX_ID_CHARS = 64;

class Session {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes dropped since the last Receive answered. */
  dropped = 0;
  ended = false;
  lastSeen: number;
  private wake: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly user: string,
    readonly role: Role,
    readonly system: string,
    readonly channel: ByteChannel,
    private readonly bufferBytes: number,
    now: number,
  ) {
    this.lastSeen = now;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for await (const chunk of this.channel.input) this.push(Buffer.from(chunk));
    } catch {
      // A channel that fails ends the session as one that closes does.
    }
    this.ended = true;
    this.notify();
  }

  private push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.buffered += b.length;
    while (this.buffered > this.bufferBytes) {
      const first = this.chunks[0]!;
      const over = this.buffered - this.bufferBytes;
      if (first.length <= over) {
        this.chunks.shift();
        this.buffered -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(over);
        this.buffered -= over;
        this.dropped += over;
      }
    }
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** True while a Receive waits on it (a session being received from is not idle). */
  get polled(): boolean {
    return this.wake !== undefined;
  }

  get waiting(): number {
    return this.buffered;
  }

  /** Takes up to `max` buffered bytes. */
  take(max: number): Buffer {
    const out: Buffer[] = [];
    let n = 0;
    while (n < max && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const part = first.length <= max - n ? first : first.subarray(0, max - n);
      out.push(part);
      n += part.length;
      if (part === first) this.chunks.shift();
      else this.chunks[0] = first.subarray(part.length);
    }
    this.buffered -= n;
    return Buffer.concat(out, n);
  }

  /** Resolves when output arrives, the channel ends, another Receive takes over, or after `ms`. */
  wait(ms: number): Promise<void> {
    this.notify(); // one waiter per session: an earlier Receive answers what it has
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.wake === done) this.wake = undefined;
        resolve();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.wake = done;
    });
  }

  close(): Promise<void> {
    this.ended = true;
    this.notify();
    return this.channel.close().catch(() => undefined);
  }
}

/**
 * The console sessions of one CIM service, with their bounds.
 *
 * @example
 * const sessions = new ConsoleSessions(CONSOLE_LIMITS);
 * const id = await sessions.open('alice', 'operator', 'web1', () => api.consoles.open('web1', 'serial'));
 * const { data, closed } = await sessions.receive('alice', 'operator', id, 2000);
 */
export class ConsoleSessions {
  private readonly sessions = new Map<string, Session>();
  /** Opens under way, counted against the bounds until they finish. */
  private readonly opening = new Map<string, number>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly limits: Readonly<ConsoleLimits>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sessions open now (for tests and the service's instance). */
  get size(): number {
    return this.sessions.size;
  }

  private countOf(user: string): number {
    let n = this.opening.get(user) ?? 0;
    for (const s of this.sessions.values()) if (s.user === user) n++;
    return n;
  }

  /**
   * Opens a session on a channel `open` makes, within the bounds (CIM_ERR_SERVER_LIMITS_EXCEEDED beyond them,
   * checked before the channel is opened); answers its id.
   */
  async open(user: string, role: Role, system: string, open: () => Promise<ByteChannel>): Promise<string> {
    this.sweep();
    let pending = 0;
    for (const n of this.opening.values()) pending += n;
    if (this.sessions.size + pending >= this.limits.perHost)
      throw new CimError(
        'CIM_ERR_SERVER_LIMITS_EXCEEDED',
        `This host has ${this.limits.perHost} console sessions open, the most it keeps; close one (CloseSession) or let one expire`,
      );
    if (this.countOf(user) >= this.limits.perUser)
      throw new CimError(
        'CIM_ERR_SERVER_LIMITS_EXCEEDED',
        `User "${user}" has ${this.limits.perUser} console sessions open, the most one user may hold; close one (CloseSession) or let one expire`,
      );
    this.opening.set(user, (this.opening.get(user) ?? 0) + 1);
    let channel: ByteChannel;
    try {
      channel = await open();
    } finally {
      const left = (this.opening.get(user) ?? 1) - 1;
      if (left > 0) this.opening.set(user, left);
      else this.opening.delete(user);
    }
    const id = randomBytes(16).toString('hex');
    this.sessions.set(id, new Session(id, user, role, system, channel, this.limits.bufferBytes, this.now()));
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(5_000, Math.max(50, this.limits.idleMs / 4)));
    this.sweeper.unref();
    return id;
  }

  /** The caller's own session, or CIM_ERR_NOT_FOUND (for an unknown id and for another caller's alike). */
  private mine(user: string, role: Role, id: string): Session {
    this.sweep();
    const s = id.length <= MAX_ID_CHARS ? this.sessions.get(id) : undefined;
    if (s === undefined || s.user !== user || s.role !== role)
      throw new CimError(
        'CIM_ERR_NOT_FOUND',
        `No console session "${id.slice(0, MAX_ID_CHARS)}" of user "${user}" (closed, expired, or never opened)`,
      );
    return s;
  }

  /**
   * Answers what the session's console wrote (at most `dataBytes`), waiting up to `waitMs` (at most `maxWaitMs`)
   * when nothing is waiting; `closed` once the console ended and everything was received (then the session is
   * gone). `droppedBytes`: output dropped since the last Receive because the buffer was full.
   */
  async receive(user: string, role: Role, id: string, waitMs: number): Promise<Received> {
    const s = this.mine(user, role, id);
    s.lastSeen = this.now();
    if (s.waiting === 0 && !s.ended && waitMs > 0) await s.wait(Math.min(waitMs, this.limits.maxWaitMs));
    s.lastSeen = this.now();
    const data = s.take(this.limits.dataBytes);
    const droppedBytes = s.dropped;
    s.dropped = 0;
    const closed = s.ended && s.waiting === 0;
    if (closed && this.sessions.get(id) === s) {
      this.sessions.delete(id);
      await s.close();
    }
    return { data, closed, droppedBytes };
  }

  /** Writes to the session's console: CIM_ERR_INVALID_PARAMETER beyond `dataBytes`; false when it has ended. */
  async send(user: string, role: Role, id: string, bytes: Uint8Array): Promise<boolean> {
    const s = this.mine(user, role, id);
    if (bytes.length > this.limits.dataBytes)
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        `Data holds ${bytes.length} bytes; one Send carries at most ${this.limits.dataBytes}`,
      );
    if (s.ended) return false;
    if (bytes.length > 0) await s.channel.write(bytes);
    return true;
  }

  /** Closes the caller's session (CIM_ERR_NOT_FOUND when it has none of that id). */
  async close(user: string, role: Role, id: string): Promise<void> {
    const s = this.mine(user, role, id);
    this.sessions.delete(id);
    await s.close();
  }

  /** Closes the sessions nobody received from for `idleMs` (and none is receiving from now). */
  sweep(): void {
    const before = this.now() - this.limits.idleMs;
    for (const [id, s] of this.sessions)
      if (s.lastSeen <= before && !s.polled) {
        this.sessions.delete(id);
        void s.close();
      }
    if (this.sessions.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Closes every session (the service is closing). */
  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    await Promise.all(all.map((s) => s.close()));
  }
}
