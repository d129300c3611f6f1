import { randomUUID } from 'node:crypto';
import { ApiError, isFinalJobState } from '../api/index.js';
import { toApiError } from './api/errors.js';
import type { HostEvent, Store } from './store.js';
import type { JobRecord, NewJob } from './store-jobs.js';

/**
 * The host's job runner: every long or mutating operation runs as a job recorded in the store (the Api's
 * JobInfo), with progress that only rises, a phase, cancellation through an AbortSignal, waiters, and a
 * `job.progress` / `job.finished` event per change so that subscribers and replays see jobs as they ran.
 */

/** What a job's function gets: its id, the signal that says it was cancelled, and how to report progress. */
export interface JobControl {
  readonly id: string;
  readonly signal: AbortSignal;
  progress(percent: number, phase?: string): void;
}

/** What a new job is (the id is made here). */
export type JobSpec = Omit<NewJob, 'id'>;

interface Live {
  controller: AbortController;
  listeners: Set<() => void>;
}

/**
 * Runs and tracks the jobs of one host.
 *
 * @example
 * const { job, done } = host.jobs.run({ kind: 'vm.start', operation: 'start', owner: 'local' }, async (c) => {
 *   c.progress(50, 'booting');
 *   return 'ok';
 * });
 */
export class HostJobs {
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly store: Store,
    /** Records and publishes one of the job's events. */
    private readonly record: (kind: 'job.progress' | 'job.finished', job: JobRecord) => HostEvent,
    /** Called when a job is deleted, to remove what it leaves behind (its artifacts). */
    private readonly deleted: (id: string) => void = () => undefined,
  ) {}

  /**
   * Starts `fn` as a job: recorded as running at once, then completed with its result, failed with its error
   * (as the Api's), or cancelled when its signal fired and it gave up. `done` settles with the function's outcome.
   */
  run<T>(spec: JobSpec, fn: (c: JobControl) => Promise<T>): { job: JobRecord; done: Promise<T> } {
    const id = randomUUID();
    const job = this.store.jobs.create({ ...spec, id });
    const live: Live = { controller: new AbortController(), listeners: new Set() };
    this.live.set(id, live);
    const control: JobControl = {
      id,
      signal: live.controller.signal,
      progress: (percent, phase) => {
        if (!this.store.jobs.progress(id, percent, phase)) return;
        this.changed(id, 'job.progress');
      },
    };
    const done = (async () => fn(control))().then(
      (result) => {
        this.finish(id, () => this.store.jobs.finish(id, 'completed', result));
        return result;
      },
      (e: unknown) => {
        const error = toApiError(e);
        const cancelled = live.controller.signal.aborted && error.code === 'CANCELLED';
        this.finish(id, () =>
          this.store.jobs.finish(id, cancelled ? 'cancelled' : 'failed', undefined, error.toInfo()),
        );
        throw e;
      },
    );
    done.catch(() => undefined); // the caller may not wait; the outcome is in the store
    return { job, done };
  }

  private finish(id: string, write: () => boolean): void {
    const live = this.live.get(id);
    this.live.delete(id);
    if (write()) this.changed(id, 'job.finished', live);
  }

  private changed(id: string, kind: 'job.progress' | 'job.finished', live = this.live.get(id)): void {
    const job = this.store.jobs.get(id);
    if (job !== undefined) this.record(kind, job);
    for (const l of live?.listeners ?? []) l();
  }

  /** The job, or NOT_FOUND. */
  get(id: string): JobRecord {
    const job = this.store.jobs.get(id);
    if (job === undefined) {
      throw new ApiError('NOT_FOUND', `No job "${id}"`, {
        detail: { domain: 'host', code: 'JOB_NOT_FOUND' },
      });
    }
    return job;
  }

  /** The jobs of this process that have not ended and work on `targetId` (a system's UUID). */
  running(targetId: string): JobRecord[] {
    return [...this.live.keys()]
      .map((id) => this.store.jobs.get(id))
      .filter((j): j is JobRecord => j !== undefined && j.target?.id === targetId);
  }

  /**
   * Asks a running job to stop (its signal fires with CANCELLED, saying why); a job that has ended is answered as
   * it is.
   */
  cancel(id: string, why = `Job ${id} was cancelled`): JobRecord {
    const job = this.get(id);
    this.live.get(id)?.controller.abort(new ApiError('CANCELLED', why));
    return job;
  }

  /**
   * Resolves when the job ends, or after `timeoutMs` with the job as it is then; `onProgress` hears each rise.
   */
  wait(
    id: string,
    timeoutMs = Number.POSITIVE_INFINITY,
    onProgress?: (p: { percent: number; phase?: string }) => void,
  ): Promise<JobRecord> {
    const first = this.get(id);
    const live = this.live.get(id);
    if (isFinalJobState(first.state) || live === undefined || timeoutMs <= 0) return Promise.resolve(first);
    return new Promise((resolve) => {
      let last = first.percent;
      const settle = () => {
        clearTimeout(timer);
        live.listeners.delete(listener);
        resolve(this.get(id));
      };
      const listener = () => {
        const now = this.store.jobs.get(id);
        if (now === undefined || isFinalJobState(now.state)) return settle();
        if (now.percent > last || onProgress !== undefined) {
          last = now.percent;
          onProgress?.({ percent: now.percent, ...(now.phase === undefined ? {} : { phase: now.phase }) });
        }
      };
      const timer =
        timeoutMs === Number.POSITIVE_INFINITY
          ? undefined
          : setTimeout(settle, Math.min(timeoutMs, 2 ** 31 - 1));
      live.listeners.add(listener);
    });
  }

  /** Forgets a job that has ended; a running one is INVALID_STATE. */
  delete(id: string): void {
    const job = this.get(id);
    if (!isFinalJobState(job.state)) {
      throw new ApiError('INVALID_STATE', `Cannot delete job ${id}: it is ${job.state}`, {
        hint: `Cancel it first: jobs.cancel("${id}")`,
      });
    }
    this.store.jobs.delete(id);
    this.deleted(id);
  }
}
