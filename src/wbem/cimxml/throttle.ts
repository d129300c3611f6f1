/**
 * Slows down repeated failed logins from one peer: the n-th failure in a row waits `baseMs * 2^(n-1)` (at most
 * `maxMs`) before it is answered, so guessing passwords over one address costs ever more time. A success resets
 * the count; counts are forgotten after `forgetMs` without failures.
 *
 * @example
 * await throttle.failed('192.0.2.7'); // the 5th failure in a row waits 1.6 s
 */
export class LoginThrottle {
  private readonly peers = new Map<string, { count: number; last: number }>();

  constructor(
    private readonly baseMs = 100,
    private readonly maxMs = 5000,
    private readonly forgetMs = 15 * 60_000,
  ) {}

  /** The delay the next failure of this peer would get, in ms. */
  delayFor(peer: string): number {
    const p = this.peers.get(peer);
    const count = p && Date.now() - p.last < this.forgetMs ? p.count : 0;
    return Math.min(this.maxMs, this.baseMs * 2 ** count);
  }

  /** Records a failure and waits the peer's delay. */
  async failed(peer: string): Promise<void> {
    const delay = this.delayFor(peer);
    const p = this.peers.get(peer);
    const now = Date.now();
    this.peers.set(peer, { count: p && now - p.last < this.forgetMs ? p.count + 1 : 1, last: now });
    if (this.peers.size > 10_000) this.forgetOld(now);
    await new Promise((r) => setTimeout(r, delay));
  }

  /** Records a success: the peer starts from zero. */
  succeeded(peer: string): void {
    this.peers.delete(peer);
  }

  private forgetOld(now: number): void {
    for (const [k, v] of this.peers) if (now - v.last >= this.forgetMs) this.peers.delete(k);
  }
}
