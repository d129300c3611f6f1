/** How the client keeps a connection alive (libvirt's defaults: a ping after 5 s of silence, 5 unanswered = dead). */
export interface KeepaliveOptions {
  intervalMs: number;
  count: number;
}

/** libvirt's client defaults (virKeepAlive: interval 5 s, count 5). */
export const DEFAULT_KEEPALIVE: KeepaliveOptions = { intervalMs: 5000, count: 5 };

/**
 * The sending half of libvirt's keepalive protocol: after `intervalMs` without a packet from the peer, send a PING;
 * after `count` such intervals in a row, call `dead`. Any packet from the peer resets it (as virKeepAlive does).
 *
 * @example
 * const k = new Keepalive({ intervalMs: 5000, count: 5 }, () => sendPing(), () => socket.destroy());
 * k.start(); socket.on('data', () => k.heard());
 */
export class Keepalive {
  private timer: NodeJS.Timeout | undefined;
  private lastHeard = Date.now();
  private missed = 0;
  constructor(
    private readonly options: KeepaliveOptions,
    private readonly ping: () => void,
    private readonly dead: (missed: number) => void,
  ) {}

  start(): void {
    this.stop();
    this.lastHeard = Date.now();
    const tick = Math.max(10, Math.floor(this.options.intervalMs / 2));
    this.timer = setInterval(() => this.check(), tick);
    this.timer.unref();
  }

  /** The peer sent something. */
  heard(): void {
    this.lastHeard = Date.now();
    this.missed = 0;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    if (Date.now() - this.lastHeard < this.options.intervalMs * (this.missed + 1)) return;
    if (this.missed >= this.options.count) {
      this.stop();
      this.dead(this.missed);
      return;
    }
    this.missed++;
    this.ping();
  }
}
