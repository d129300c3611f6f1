import { randomUUID } from 'node:crypto';
import { CimError, type CimStatusName } from './errors.js';
import type { CimInstanceName } from './types.js';

/** JobState values of CIM_ConcreteJob (DSP1103). */
export const JobState = { New: 2, Running: 4, Completed: 7, Terminated: 8, Exception: 10 } as const;

/** A job started by a method that answered 4096. */
export interface JobRecord {
  id: string;
  /** e.g. `RequestStateChange web1 -> 4`. */
  name: string;
  method: string;
  owner: string;
  state: (typeof JobState)[keyof typeof JobState];
  submitted: Date;
  started: Date;
  finished?: Date | undefined;
  stateChanged: Date;
  /** The elements the job works on; ElementEffects per element (5 = Create). */
  affected: Array<{ path: CimInstanceName; effects: number[] }>;
  /** The failure, for state Exception: CIM status name and text. */
  error?: { status: CimStatusName; message: string } | undefined;
  /** How long a finished job stays visible, in ms (TimeBeforeRemoval). */
  keepMs: number;
}

/** The outcome of {@link JobStore.run}: done within the window, or running as a job. */
export type RunOutcome<T> = { done: true; value: T } | { done: false; job: JobRecord };

/**
 * The jobs of the CIM service (DSP1103 Job Control): each asynchronous method gets a job that ends Completed or
 * Exception; finished jobs are kept for `keepMs` and then forgotten. At most `max` jobs are kept.
 */
export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();

  constructor(
    private readonly keepMs = 5 * 60_000,
    private readonly max = 10_000,
    /** Turns what a failed job threw into the CIM error it reports (default: CimErrors as they are). */
    private readonly toCim: (e: unknown) => CimError | undefined = (e) =>
      e instanceof CimError ? e : undefined,
  ) {}

  /**
   * Runs `work`; when it settles within `syncMs` the result (or error) is returned as is, otherwise a job tracks
   * it and is returned. A negative `syncMs` always makes a job. `affected` names the elements for
   * CIM_AffectedJobElement.
   */
  async run<T>(
    spec: { name: string; method: string; owner: string; affected: JobRecord['affected'] },
    syncMs: number,
    work: () => Promise<T>,
  ): Promise<RunOutcome<T>> {
    if (syncMs < 0) {
      const job = this.create(spec);
      work().then(
        () => this.finish(job.id),
        (e: unknown) => this.fail(job.id, e),
      );
      return { done: false, job };
    }
    const p = work();
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      p.then(
        (value) => ({ done: true as const, value }),
        (error: unknown) => ({ done: true as const, error }),
      ),
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), syncMs);
      }),
    ]);
    clearTimeout(timer);
    if (settled !== undefined) {
      if ('error' in settled) throw settled.error;
      return { done: true, value: settled.value };
    }
    const job = this.create(spec);
    p.then(
      () => this.finish(job.id),
      (e: unknown) => this.fail(job.id, e),
    );
    return { done: false, job };
  }

  /** Creates a running job record. */
  create(spec: { name: string; method: string; owner: string; affected: JobRecord['affected'] }): JobRecord {
    this.prune();
    if (this.jobs.size >= this.max)
      throw new CimError(
        'CIM_ERR_SERVER_LIMITS_EXCEEDED',
        `There are already ${this.max} jobs; try again later`,
      );
    const now = new Date();
    const job: JobRecord = {
      id: `Vessel:Job/${randomUUID()}`,
      ...spec,
      state: JobState.Running,
      submitted: now,
      started: now,
      stateChanged: now,
      keepMs: this.keepMs,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  /** Marks a job Completed. */
  finish(id: string): void {
    const j = this.jobs.get(id);
    if (!j) return;
    j.state = JobState.Completed;
    j.finished = j.stateChanged = new Date();
  }

  /** Marks a job Exception with the error that ended it. */
  fail(id: string, e: unknown): void {
    const j = this.jobs.get(id);
    if (!j) return;
    j.state = JobState.Exception;
    j.finished = j.stateChanged = new Date();
    const c = this.toCim(e);
    j.error =
      c && c.code !== 'CIM_MOF_SYNTAX'
        ? { status: c.code, message: c.message }
        : { status: 'CIM_ERR_FAILED', message: e instanceof Error ? e.message : String(e) };
  }

  /** A job by InstanceID. */
  get(id: string): JobRecord | undefined {
    this.prune();
    return this.jobs.get(id);
  }

  /** Every job still kept. */
  list(): JobRecord[] {
    this.prune();
    return [...this.jobs.values()];
  }

  /** Forgets a finished job (DeleteOnCompletion or KillJob). */
  delete(id: string): boolean {
    return this.jobs.delete(id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, j] of this.jobs)
      if (j.finished && now - j.finished.getTime() > j.keepMs) this.jobs.delete(id);
  }
}
