import type { CimInstance } from '../types.js';

/** How a destination's deliveries are retried (DSP1054 §7.1: CIM_IndicationService's retry properties). */
export interface RetryPolicy {
  /** Retries after the first attempt (DeliveryRetryAttempts). */
  attempts: number;
  /** Wait before the first retry, doubled each retry (DeliveryRetryInterval, here in ms). */
  intervalMs: number;
  /** Longest wait between two attempts. */
  maxIntervalMs: number;
  /** Most indications waiting for one destination; beyond, the oldest is dropped (and counted). */
  queueMax: number;
}

/** The default policy: 3 retries after 2 s, 4 s and 8 s, at most 1,000 indications waiting per destination. */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 3,
  intervalMs: 2000,
  maxIntervalMs: 60_000,
  queueMax: 1000,
};

/** What a courier counts. */
export interface CourierStats {
  delivered: number;
  /** Indications given up after every retry failed. */
  failed: number;
  /** Indications dropped because the queue was full. */
  dropped: number;
  /** Attempts that failed (each retry counts). */
  errors: number;
  queued: number;
  lastError?: string | undefined;
}

/** One indication waiting, with what to tell when it is given up. */
interface Parcel {
  indication: CimInstance;
  onFatal: () => void;
}

/**
 * Delivers indications to one destination in order, one at a time: each is sent, and retried on failure after
 * the policy's growing interval; after the last retry it is given up (its `onFatal` runs, for the subscription's
 * OnFatalErrorPolicy). The queue is bounded and `push` never waits, so a slow or dead destination never holds up
 * the host or the other destinations.
 *
 * @example
 * const c = new Courier((i) => postExport(url, i), DEFAULT_RETRY);
 * c.push(indication, () => disable(subscription));
 */
export class Courier {
  private readonly queue: Parcel[] = [];
  private running = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  readonly stats: CourierStats = { delivered: 0, failed: 0, dropped: 0, errors: 0, queued: 0 };

  constructor(
    private readonly send: (indication: CimInstance) => Promise<void>,
    private readonly policy: RetryPolicy,
  ) {}

  /** Queues an indication (dropping the oldest when full) and starts delivering. */
  push(indication: CimInstance, onFatal: () => void = () => undefined): void {
    if (this.closed) return;
    if (this.queue.length >= this.policy.queueMax) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.queue.push({ indication, onFatal });
    this.stats.queued = this.queue.length;
    if (!this.running) void this.run();
  }

  /** Stops: what waits is dropped, a wait between retries ends. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.stats.queued = 0;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const p = this.queue[0]!;
        let ok = false;
        for (let attempt = 0; attempt <= this.policy.attempts && !this.closed; attempt++) {
          if (attempt > 0)
            await this.sleep(
              Math.min(this.policy.intervalMs * 2 ** (attempt - 1), this.policy.maxIntervalMs),
            );
          if (this.closed) break;
          try {
            await this.send(p.indication);
            ok = true;
            break;
          } catch (e) {
            this.stats.errors++;
            this.stats.lastError = (e as Error).message.slice(0, 512);
          }
        }
        if (this.queue[0] === p) this.queue.shift();
        this.stats.queued = this.queue.length;
        if (ok) this.stats.delivered++;
        else if (!this.closed) {
          this.stats.failed++;
          try {
            p.onFatal();
          } catch {
            // a policy that fails does not stop deliveries
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
      this.timer.unref();
    });
  }
}
