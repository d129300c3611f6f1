import type { Api, JobInfo } from '../api/index.js';
import { formatBytes } from '../model/index.js';

/** One report of a long operation: bytes done of a total, or a percentage (a host job's), and what it is doing. */
export interface ProgressUpdate {
  phase?: string | undefined;
  done?: number | undefined;
  total?: number | undefined;
  percent?: number | undefined;
}

/** Where and how often progress is shown. */
export interface ProgressOptions {
  /** The stream to draw on (default stderr). */
  stream?: NodeJS.WriteStream;
  /** Draw a bar that redraws itself (default: when the stream is a terminal). */
  tty?: boolean;
  /** Show nothing but the final summary (e.g. with --json). */
  quiet?: boolean;
  /** Between two progress lines when not on a terminal (default $VESSEL_PROGRESS_MS, else 5 s). */
  intervalMs?: number;
}

const BAR_REDRAW_MS = 100;

function defaultInterval(): number {
  const v = Number(process.env.VESSEL_PROGRESS_MS);
  return Number.isFinite(v) && v >= 0 ? v : 5000;
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m >= 60
    ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
    : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The one progress style of every long CLI operation (deploy, export, pack, verify, unpack, disk convert): a bar
 * redrawn in place on a terminal, a line every few seconds otherwise, and a final summary line in both cases.
 * It never shows 100% before {@link finish}: an operation that fails at its last byte stops at 99%, and
 * {@link fail} clears the bar so that the error is the last line.
 *
 * @example
 * const p = new Progress('deploy web.ova');
 * await api.jobs.wait(job.id, { onProgress: (e) => p.update(e) });
 * p.finish('deployed web (1 system)');
 */
export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private readonly intervalMs: number;
  private readonly start = performance.now();
  private last = Number.NEGATIVE_INFINITY;
  private lastLine = '';
  private lastPercent = 0;
  private drawn = false;
  private phase: string | undefined;

  constructor(
    private readonly label: string,
    o: ProgressOptions = {},
  ) {
    this.stream = o.stream ?? process.stderr;
    this.tty = o.tty ?? this.stream.isTTY === true;
    this.quiet = o.quiet === true;
    this.intervalMs = o.intervalMs ?? defaultInterval();
  }

  /** Records a report and shows it when due (at most ten redraws a second; a line per interval otherwise). */
  update(u: ProgressUpdate): void {
    if (this.quiet) return;
    const now = performance.now();
    const phaseChanged = u.phase !== undefined && u.phase !== this.phase;
    if (u.phase !== undefined) this.phase = u.phase;
    const pct = Math.floor((this.fraction(u) ?? 0) * 100);
    // A bar also moves on every tenth of the way, so that a fast operation is seen moving.
    const due =
      now - this.last >= (this.tty ? BAR_REDRAW_MS : this.intervalMs) ||
      (this.tty && pct - this.lastPercent >= 10);
    if (!due && !phaseChanged) return;
    this.lastPercent = pct;
    const text = this.describe(u, now);
    if (this.tty) {
      const columns = this.stream.columns || 80;
      this.stream.write(`\r${this.bar(u, columns, text)}\x1b[K`);
      this.drawn = true;
    } else if (text !== this.lastLine) {
      this.stream.write(`${this.label}: ${text}\n`);
      this.lastLine = text;
    }
    this.last = now;
  }

  /** Ends with the summary line (nothing when quiet: with --json the JSON on stdout is the summary). */
  finish(summary: string): void {
    this.clear();
    if (!this.quiet) this.stream.write(`${summary}\n`);
  }

  /** Ends without a summary: the bar is cleared so that the error that follows is the last line. */
  fail(): void {
    this.clear();
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** The fraction done, kept below 1 until finish(). */
  private fraction(u: ProgressUpdate): number | undefined {
    const f =
      u.percent !== undefined
        ? u.percent / 100
        : u.done !== undefined && u.total !== undefined && u.total > 0
          ? u.done / u.total
          : undefined;
    return f === undefined ? undefined : Math.min(0.99, Math.max(0, f));
  }

  private describe(u: ProgressUpdate, now: number): string {
    const f = this.fraction(u);
    const parts: string[] = [];
    if (f !== undefined) parts.push(`${Math.floor(f * 100)}%`);
    if (u.done !== undefined)
      parts.push(
        u.total === undefined ? formatBytes(u.done) : `${formatBytes(u.done)} / ${formatBytes(u.total)}`,
      );
    const seconds = (now - this.start) / 1000;
    if (u.done !== undefined && u.done > 0 && seconds > 0) {
      const rate = u.done / seconds;
      parts.push(`${(rate / 1e6).toFixed(1)} MB/s`);
      if (u.total !== undefined && rate > 0)
        parts.push(`ETA ${duration(Math.max(0, (u.total - u.done) / rate))}`);
    }
    if (this.phase !== undefined && this.phase !== '') parts.push(this.phase);
    return parts.join('  ');
  }

  private bar(u: ProgressUpdate, columns: number, text: string): string {
    const f = this.fraction(u) ?? 0;
    const head = `${this.label} `;
    const width = Math.max(10, Math.min(30, columns - head.length - text.length - 4));
    const filled = Math.round(f * width);
    return `${head}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`.slice(
      0,
      Math.max(20, columns - 1),
    );
  }
}

/**
 * Waits for a host job, showing its progress; the bar is cleared when the job does not complete (or the wait
 * fails), so that the error the caller reports is the last line.
 *
 * @example
 * const end = await followJob<DeployResult>(api, job.id, new Progress('deploy web.ova'));
 */
export async function followJob<R>(api: Api, id: string, p: Progress): Promise<JobInfo<R>> {
  try {
    const end = await api.jobs.wait(id, { onProgress: (e) => p.update(e) });
    if (end.state !== 'completed') p.fail();
    return end as JobInfo<R>;
  } catch (e) {
    p.fail();
    throw e;
  }
}
