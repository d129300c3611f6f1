import { RestError } from './errors.js';

/**
 * The open Server-Sent Event streams of a REST endpoint (GET /api/v1/events): how many each user holds and all
 * together (each holds a connection for as long as the client stays), and how they end when the server stops.
 */

/** Limits of the event streams. */
export interface EventStreamLimits {
  /** Streams one user may hold at once (default 4); beyond, 429. */
  maxPerUser: number;
  /** Streams all users together (default 64, a quarter of the server's connections); beyond, 503. */
  maxTotal: number;
  /** Interval of the heartbeat comment that keeps proxies from closing an idle stream, ms (default 15 s). */
  heartbeatMs: number;
  /** Output a stream may hold unsent for a client that does not read; beyond, the client is dropped (256 KiB). */
  maxPendingBytes: number;
  /** How long a replay waits for the client to read a page before it is dropped, ms (default 60 s). */
  stallMs: number;
}

/** Default limits of event streams. */
export const DEFAULT_EVENT_STREAM_LIMITS: Readonly<EventStreamLimits> = {
  maxPerUser: 4,
  maxTotal: 64,
  heartbeatMs: 15_000,
  maxPendingBytes: 256 << 10,
  stallMs: 60_000,
};

/** An admitted stream: `release` frees its slot; `onStop` is called when the server stops. */
export interface StreamSlot {
  release(): void;
  onStop(stop: () => void): void;
}

/**
 * Counts open event streams per user and in total, and stops them all when the endpoint closes.
 *
 * @example
 * const slot = streams.admit('alice'); // throws a 429 problem beyond the user's share
 * slot.onStop(() => res.end());
 * res.once('close', () => slot.release());
 */
export class EventStreams {
  readonly limits: EventStreamLimits;
  private readonly perUser = new Map<string, number>();
  private readonly stops = new Set<() => void>();
  private total = 0;
  private stopped = false;

  constructor(limits: Partial<EventStreamLimits> = {}) {
    this.limits = { ...DEFAULT_EVENT_STREAM_LIMITS, ...limits };
  }

  /** Streams open now. */
  get size(): number {
    return this.total;
  }

  /** Takes a slot for `user`, or throws REST_TOO_MANY_STREAMS (429) or REST_BUSY (503). */
  admit(user: string): StreamSlot {
    const held = this.perUser.get(user) ?? 0;
    if (this.stopped) throw new RestError('REST_BUSY', 'The server is stopping');
    if (held >= this.limits.maxPerUser)
      throw new RestError(
        'REST_TOO_MANY_STREAMS',
        `${user.slice(0, 64)} already holds ${held} event streams, the most one user may hold`,
        { hint: 'Close a stream, or follow several systems with one stream' },
      );
    if (this.total >= this.limits.maxTotal)
      throw new RestError('REST_BUSY', `The server already carries ${this.total} event streams; retry later`);
    this.perUser.set(user, held + 1);
    this.total++;
    let stop: (() => void) | undefined;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        if (stop !== undefined) this.stops.delete(stop);
        this.total--;
        const n = (this.perUser.get(user) ?? 1) - 1;
        if (n <= 0) this.perUser.delete(user);
        else this.perUser.set(user, n);
      },
      onStop: (fn) => {
        if (released) return;
        stop = fn;
        this.stops.add(fn);
      },
    };
  }

  /** Ends every stream (the server stops): each writes its last words and ends its response. */
  stopAll(): void {
    this.stopped = true;
    for (const stop of [...this.stops]) stop();
  }
}
