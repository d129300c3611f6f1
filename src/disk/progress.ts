/**
 * Progress for long disk work: a tracker turning {@link ProgressEvent}s into rate and ETA, and the one-line
 * bar the CLI draws on a terminal (`[#####.....]  45%  920 MiB / 2 GiB  85.3 MB/s  ETA 0:12`). Sizes are written by
 * the model's one `formatBytes`.
 */
import { formatBytes } from '../model/index.js';
import type { ProgressEvent } from './types.js';

/** A progress snapshot with derived figures. */
export interface ProgressState {
  phase: string;
  done: number;
  total: number | undefined;
  /** Fraction 0..1 when the total is known. */
  fraction: number | undefined;
  /** Bytes per second over the whole run so far. */
  rate: number;
  /** Seconds left at the current rate, when it can be estimated. */
  etaSeconds: number | undefined;
  elapsedSeconds: number;
}

/** Accumulates progress events and derives rate and ETA. `now` is injectable for tests. */
export class ProgressTracker {
  private readonly start: number;
  private last: ProgressEvent | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.start = now();
  }

  /** Records an event and returns the derived state. */
  update(e: ProgressEvent): ProgressState {
    this.last = e;
    return this.state();
  }

  /** The state after the last event. */
  state(): ProgressState {
    const e = this.last ?? { phase: '', done: 0, total: undefined };
    const elapsed = Math.max(1e-3, (this.now() - this.start) / 1000);
    const rate = e.done / elapsed;
    const fraction = e.total ? Math.min(1, e.done / e.total) : undefined;
    const etaSeconds = e.total !== undefined && rate > 0 ? Math.max(0, (e.total - e.done) / rate) : undefined;
    return {
      phase: e.phase,
      done: e.done,
      total: e.total,
      fraction,
      rate,
      etaSeconds,
      elapsedSeconds: elapsed,
    };
  }
}

/** Formats seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The one-line progress bar for a terminal of `columns` characters. */
export function formatProgressBar(s: ProgressState, columns = 80): string {
  const pct = s.fraction === undefined ? '' : `${Math.floor(s.fraction * 100)}%`.padStart(4);
  const amount =
    s.total === undefined ? formatBytes(s.done) : `${formatBytes(s.done)} / ${formatBytes(s.total)}`;
  const rate = `${(s.rate / 1e6).toFixed(1)} MB/s`;
  const eta = s.etaSeconds === undefined ? '' : `ETA ${formatDuration(s.etaSeconds)}`;
  const text = [pct, amount, rate, eta].filter(Boolean).join('  ');
  const width = Math.max(10, Math.min(40, columns - text.length - 4));
  const filled = s.fraction === undefined ? 0 : Math.round(s.fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`.slice(0, Math.max(20, columns - 1));
}
