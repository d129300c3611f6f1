import { WsmanFault } from './errors.js';

/**
 * The server's own bound on wsman:OperationTimeout (10 minutes): a longer one is served under this bound, as WinRM
 * serves it under MaxTimeoutms (MS-WSMV §3.1.4.1.6), and a duration of days cannot overflow a timer.
 */
export const MAX_OPERATION_TIMEOUT_MS = 600_000;

/**
 * The time a client gave one operation (DSP0226 §6.1, wsman:OperationTimeout), as the work sees it: whether it ran
 * out, and whether a change was started before it did. A change is started only while time is left, and once
 * started runs to its end (the Api's changes are whole or not at all), so a late answer never leaves state half
 * changed; a read that runs out leaves nothing behind (no enumeration context is opened after it).
 *
 * @example
 * const deadline = new Deadline(req.timeoutMs);
 * deadline.beforeChange(); // throws wsman:TimedOut when the time ran out
 * await om.modifyInstance(ctx, ns, inst, props);
 */
export class Deadline {
  /** The time given, capped at {@link MAX_OPERATION_TIMEOUT_MS}. */
  readonly ms: number;
  /** When it runs out, ms since the epoch. */
  readonly at: number;
  private started = false;

  constructor(timeoutMs: number) {
    this.ms = Math.min(Math.max(timeoutMs, 0), MAX_OPERATION_TIMEOUT_MS);
    this.at = Date.now() + this.ms;
  }

  /** True once the time ran out. */
  passed(): boolean {
    return Date.now() >= this.at;
  }

  /** Throws wsman:TimedOut when the time ran out. */
  check(): void {
    if (this.passed()) throw this.fault();
  }

  /** Before a change: throws wsman:TimedOut when the time ran out (nothing is changed), else notes the start. */
  beforeChange(): void {
    this.check();
    this.started = true;
  }

  /** The wsman:TimedOut fault, saying whether a change was started (and goes on to its end). */
  fault(): WsmanFault {
    const what = this.started
      ? '; the change had started and runs to its end: read the resource for its outcome'
      : '; nothing was changed';
    return new WsmanFault(
      'WSMAN_TIMED_OUT',
      `The operation did not finish within OperationTimeout (${this.ms} ms)${what}`,
    );
  }

  /**
   * The work's answer, or wsman:TimedOut when the time runs out first (a late failure is not left unhandled). The
   * timer is set only for work still running once the event loop turns (one check per turn for every race begun in
   * it, {@link armLater}): most operations read memory and settle before that, and a timer for each of them cost
   * more than the read (10 µs a request under load). The timer counts from the deadline, so it fires when it did.
   */
  race<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // No closure over this race's reject for the timer: one made per request cost more than the rest of the race
      // (measured: 2 µs a Get); the timer calls timeOut with the entry.
      const entry: PendingRace = { deadline: this, timer: undefined, settled: false, reject };
      armLater(entry);
      work.then(
        (v) => {
          settle(entry);
          resolve(v);
        },
        (e: unknown) => {
          settle(entry);
          reject(e);
        },
      );
    });
  }
}

/** A race waiting for its work: its deadline, its timer once set, whether the work settled, and how it fails. */
interface PendingRace {
  deadline: Deadline;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
  reject: (e: unknown) => void;
}

/** Races begun in this turn of the event loop, armed together by one setImmediate. */
let unarmed: PendingRace[] = [];

function armLater(entry: PendingRace): void {
  if (unarmed.length === 0) setImmediate(arm);
  unarmed.push(entry);
}

function arm(): void {
  const list = unarmed;
  unarmed = [];
  for (const e of list)
    if (!e.settled) e.timer = setTimeout(timeOut, Math.max(0, e.deadline.at - Date.now()), e);
}

/** A race whose time ran out: wsman:TimedOut. */
function timeOut(e: PendingRace): void {
  e.reject(e.deadline.fault());
}

function settle(entry: PendingRace): void {
  entry.settled = true;
  if (entry.timer !== undefined) clearTimeout(entry.timer);
}
