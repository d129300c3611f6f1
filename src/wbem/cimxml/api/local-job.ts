import { randomUUID } from 'node:crypto';
import { ApiError, type JobInfo, type Operation } from '../../../api/index.js';

/** What a client-side job does, given a signal that is aborted when it is cancelled and a way to name its phase. */
export type LocalWork<R> = (signal: AbortSignal, phase: (words: string) => void) => Promise<R>;

/**
 * A job that this client runs itself, over several calls to the host (a shutdown that powers off after the
 * guest's time: forced-shutdown.ts): what the host's methods cannot do in one, reported as one job. It lives as
 * long as the client: running until its work settles, then completed with the work's result, or failed (cancelled)
 * with the work's ApiError. Ids are `cimxml.<uuid>`, like the jobs of methods that completed at once (job-ids.ts).
 *
 * @example
 * const job = new LocalJob('shutdown', target, owner, async (signal, phase) => { phase('powering off'); ... });
 * await job.done; job.info().state; // 'completed'
 */
export class LocalJob<R> {
  readonly id = `cimxml.${randomUUID()}`;
  /** Settles (never rejects) when the work has. */
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  private readonly createdAt = new Date().toISOString();
  private phase: string | undefined;
  private final: JobInfo | undefined;

  constructor(
    private readonly operation: Operation,
    private readonly target: JobInfo['target'],
    private readonly owner: string,
    work: LocalWork<R>,
    /** Asked when the job is cancelled, while its work runs (a host's job of the work to cancel, say). */
    private readonly onCancel: () => Promise<void> = async () => {},
  ) {
    this.done = work(this.abort.signal, (words) => {
      this.phase = words.slice(0, 256);
    }).then(
      (result) => this.end('completed', { ...(result === undefined ? {} : { result }) }),
      (e: unknown) => {
        const err =
          e instanceof ApiError
            ? e
            : new ApiError('INTERNAL', `Job ${this.id}: ${e instanceof Error ? e.message : String(e)}`);
        this.end(err.code === 'CANCELLED' ? 'cancelled' : 'failed', { error: err.toInfo() });
      },
    );
  }

  private end(state: 'completed' | 'failed' | 'cancelled', extra: Partial<JobInfo>): void {
    this.final = { ...this.base(), state, percent: state === 'completed' ? 100 : 0, ...extra };
    this.final.finishedAt = new Date().toISOString();
  }

  private base(): JobInfo {
    return {
      id: this.id,
      operation: this.operation,
      ...(this.target === undefined ? {} : { target: this.target }),
      owner: this.owner,
      state: 'running',
      percent: 0,
      createdAt: this.createdAt,
      startedAt: this.createdAt,
      deleteOnCompletion: false,
    };
  }

  /** The job as it is now. */
  info(): JobInfo {
    if (this.final !== undefined) return structuredClone(this.final);
    return { ...this.base(), ...(this.phase === undefined ? {} : { phase: this.phase }) };
  }

  /** Asks the work to stop (it decides what it can still undo) and waits until it has. */
  async cancel(): Promise<void> {
    if (this.final !== undefined) return;
    this.abort.abort(new ApiError('CANCELLED', `Job ${this.id} was cancelled`));
    await this.onCancel();
    await this.done;
  }
}
