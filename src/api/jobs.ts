import { type StaticDecode, type TSchema, Type } from '@sinclair/typebox';
import { ApiError, ApiErrorInfoSchema } from './errors.js';
import { OperationSchema } from './operations.js';
import { Id, MAX_WAIT_MS, oneOf, Strict, Timestamp } from './schema.js';

/**
 * Jobs: every mutating call returns one. The host keeps them in its store (bounded), so the socket, CIM
 * (CIM_ConcreteJob) and REST (202 + Location) show the same jobs; `waitMs` lets a caller wait for the end.
 */

/** The states of a job, in the order a job goes through them. */
export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;

/** A job's state; `completed`, `failed` and `cancelled` are final. */
export type JobState = (typeof JOB_STATES)[number];

/** True when a job in this state has ended. */
export function isFinalJobState(state: JobState): boolean {
  return state === 'completed' || state === 'failed' || state === 'cancelled';
}

const JobTarget = Type.Object({
  kind: oneOf(['system', 'pool', 'package'] as const),
  id: Type.String({ maxLength: 256 }),
  name: Type.Optional(Type.String({ maxLength: 256 })),
});

const jobProperties = {
  id: Id,
  operation: OperationSchema,
  /** What the job works on: a system (UUID and name), a pool, a package. */
  target: Type.Optional(JobTarget),
  /** The user whose call started it. */
  owner: Type.String({ maxLength: 128 }),
  state: oneOf(JOB_STATES),
  /** 0 to 100; it only rises, and is 100 once the job completed. */
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  /** What it is doing now, e.g. `disk 2 of 3`. */
  phase: Type.Optional(Type.String({ maxLength: 256 })),
  error: Type.Optional(ApiErrorInfoSchema),
  createdAt: Timestamp,
  startedAt: Type.Optional(Timestamp),
  finishedAt: Type.Optional(Timestamp),
  /** Removed as soon as it ends (CIM DeleteOnCompletion); else kept until deleted or the store's bound. */
  deleteOnCompletion: Type.Boolean(),
  keepUntil: Type.Optional(Timestamp),
};

/**
 * The wire schema of a job whose result has the schema `result`.
 *
 * @example
 * const DefineJob = JobInfoSchema(SystemSummarySchema);
 */
export function JobInfoSchema<R extends TSchema>(result: R) {
  return Type.Object({ ...jobProperties, result: Type.Optional(result) });
}

/** A job of unknown result (jobs.get, jobs.list). */
export const AnyJobInfoSchema = JobInfoSchema(Type.Unknown());

/**
 * A job as callers see it; `result` is there once it completed, `error` once it failed or was cancelled.
 *
 * @example
 * const job: JobInfo<SystemSummary> = await api.systems.define(def, { waitMs: 5000 });
 * if (job.state === 'running') await api.jobs.wait(job.id);
 */
export type JobInfo<R = unknown> = Omit<StaticDecode<typeof AnyJobInfoSchema>, 'result'> & { result?: R };

/**
 * The job's result, or its error thrown as an {@link ApiError}: the one helper the CLI and the SDK use.
 * A job that has not ended throws `INVALID_STATE`.
 *
 * @example
 * const summary = resultOf(await api.systems.define(def, { waitMs: Number.POSITIVE_INFINITY }));
 */
export function resultOf<R>(job: JobInfo<R>): R {
  if (job.state === 'completed') return job.result as R;
  if (job.error !== undefined) throw ApiError.fromInfo(job.error);
  if (job.state === 'failed' || job.state === 'cancelled') {
    throw new ApiError(job.state === 'cancelled' ? 'CANCELLED' : 'INTERNAL', `Job ${job.id} ${job.state}`);
  }
  throw new ApiError('INVALID_STATE', `Job ${job.id} has not ended: it is ${job.state}`, {
    hint: `Wait for it: jobs.wait("${job.id}")`,
  });
}

/** What `jobs.list` selects. */
export const JobQuerySchema = Strict({
  states: Type.Optional(Type.Array(oneOf(JOB_STATES), { maxItems: JOB_STATES.length })),
  target: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});

/** What `jobs.list` selects: states, a system (name or UUID), at most `limit` (newest first). */
export type JobQuery = StaticDecode<typeof JobQuerySchema>;

/** How `jobs.wait` waits, as a transport carries it. */
export const JobWaitOptionsSchema = Strict({
  /** Give up after this long and answer the job as it is (default: until it ends). */
  timeoutMs: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_MS })),
});

/** How `jobs.wait` waits; `onProgress` is called as the job progresses (in process, and where pushed). */
export type JobWaitOptions = StaticDecode<typeof JobWaitOptionsSchema> & {
  onProgress?: (p: { percent: number; phase?: string }) => void;
};

/**
 * The jobs of a host.
 *
 * @example
 * const done = await api.jobs.wait(job.id, { onProgress: (p) => bar.update(p.percent) });
 */
export interface JobsApi {
  list(q?: JobQuery): Promise<JobInfo[]>;
  get(id: string): Promise<JobInfo>;
  /** Resolves when the job ends, or after `timeoutMs` with the job still running; progress only rises. */
  wait(id: string, o?: JobWaitOptions): Promise<JobInfo>;
  /** Asks a running job to stop; a job that has ended is answered as it is. */
  cancel(id: string): Promise<JobInfo>;
  /** Forgets a finished job (CIM DeleteInstance); a running one is INVALID_STATE. */
  delete(id: string): Promise<void>;
}
