import type { LibvirtClient, LibvirtError, LibvirtEvent } from '../../libvirt/index.js';

/** The backoff between reconnect attempts: doubles from `initialMs` up to `maxMs`. */
export interface ReconnectOptions {
  initialMs: number;
  maxMs: number;
}

/** libvirt's own clients retry by hand; the driver starts at 100 ms and waits at most 5 s between attempts. */
export const DEFAULT_RECONNECT: ReconnectOptions = { initialMs: 100, maxMs: 5000 };

/** What the driver does around a (re)connection. */
export interface ConnectionHooks {
  /** An event of the current client. */
  event(e: LibvirtEvent): void;
  /** A fresh client, already current but not yet announced: register for events here (a throw retries). */
  prepare(client: LibvirtClient): Promise<void>;
  /** The connection is back (after `prepare`): re-read the state. */
  reconnected(): void;
}

/** Where a lost connection stands. */
export interface ConnectionStatus {
  connected: boolean;
  /** Why the connection was lost (while not connected). */
  lostBecause?: string;
  /** Reconnect attempts since it was lost. */
  attempts: number;
  /** How many times the connection came back since the driver opened. */
  reconnects: number;
}

/**
 * The driver's libvirt connection, reopened when it is lost: a closed socket (libvirtd restarted or killed) or
 * unanswered keepalives fail the calls in flight with `CLOSED`/`KEEPALIVE` (the client does that), and this
 * reopens the URI with a doubling backoff until libvirtd answers, lets the driver register for events again
 * (`prepare`) and tells it to re-read the state (`reconnected`). Calls made while the connection is down reach
 * the closed client and fail at once with `CLOSED`, so no call waits on a daemon that is gone.
 *
 * @example
 * const conn = new LibvirtConnection(client, () => connectLibvirt(uri), hooks);
 * await conn.client.call('CONNECT_GET_HOSTNAME', undefined);
 */
export class LibvirtConnection {
  private current!: LibvirtClient;
  private lost: { reason: LibvirtError; attempts: number } | undefined;
  private looping = false;
  private closed = false;
  private reconnects = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    client: LibvirtClient,
    private readonly reopen: (() => Promise<LibvirtClient>) | undefined,
    private readonly hooks: ConnectionHooks,
    private readonly options: ReconnectOptions = DEFAULT_RECONNECT,
  ) {
    this.adopt(client);
  }

  /** The current client (a closed one while the connection is down). */
  get client(): LibvirtClient {
    return this.current;
  }

  /** Whether the connection is up, and how the reconnecting goes. */
  status(): ConnectionStatus {
    return {
      connected: this.lost === undefined && this.current.closed === undefined,
      ...(this.lost === undefined ? {} : { lostBecause: this.lost.reason.message }),
      attempts: this.lost?.attempts ?? 0,
      reconnects: this.reconnects,
    };
  }

  /** Stops reconnecting and closes the current client. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.wake?.();
    this.current.close();
  }

  private adopt(c: LibvirtClient): void {
    this.current = c;
    c.onEvent((e) => {
      if (this.current === c) this.hooks.event(e);
    });
    c.onClose((reason) => this.onClose(c, reason));
  }

  private onClose(c: LibvirtClient, reason: LibvirtError): void {
    if (this.closed || c !== this.current || this.looping || this.reopen === undefined) return;
    this.lost = { reason, attempts: 0 };
    void this.loop(this.reopen);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
      this.timer.unref();
    });
  }

  private async loop(reopen: () => Promise<LibvirtClient>): Promise<void> {
    this.looping = true;
    let delay = this.options.initialMs;
    try {
      while (!this.closed) {
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.options.maxMs);
        if (this.closed) return;
        if (this.lost !== undefined) this.lost.attempts++;
        let c: LibvirtClient;
        try {
          c = await reopen();
        } catch {
          continue; // libvirtd is not back yet
        }
        if (this.closed) {
          c.close();
          return;
        }
        this.adopt(c);
        try {
          await this.hooks.prepare(c);
        } catch {
          c.close();
          continue;
        }
        if (c.closed !== undefined) continue; // lost again while registering
        this.lost = undefined;
        this.reconnects++;
        this.looping = false;
        this.hooks.reconnected();
        return;
      }
    } finally {
      this.looping = false;
    }
  }
}
