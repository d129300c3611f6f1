import type { JobInfo, Operation } from '../../api/index.js';
import type { JobHandle } from '../host.js';
import type { Job } from '../store.js';
import type { SessionContext } from './context.js';
import { apiErrorCodeOf, toApiError } from './errors.js';

/**
 * How the data namespaces (packages) run their work as a job and answer within `waitMs`: the work's result is
 * stored in its wire form (the caller's schema encodes it: sizes as decimal strings), so that every transport
 * reads the same job; the answer decodes it again.
 */

/** What a job works on, as the Api's JobInfo names it. */
export interface JobTarget {
  kind: 'system' | 'pool' | 'package';
  id: string;
  name?: string;
}

/** One job to run for a session. */
export interface JobRun {
  /** The host's own name of the job (`vm.deploy`, `vm.export`). */
  kind: string;
  operation: Operation;
  target: JobTarget;
  /** Wait for the end up to this long (0: answer at once; Infinity: until it ends). */
  waitMs: number | undefined;
  /** The work; answers the job's result in its wire form (JSON). */
  work(job: JobHandle): Promise<unknown>;
  /** The wire form back to the caller's result. */
  decode(wire: unknown): unknown;
  /** Runs after the job ended, whatever its outcome (removing an upload). */
  finally?: () => Promise<void>;
}

function toInfo(
  ctx: SessionContext,
  j: Job,
  target: JobTarget,
  operation: Operation,
  decode: (w: unknown) => unknown,
) {
  const info: JobInfo = {
    id: j.id,
    operation,
    target,
    owner: ctx.principal.user,
    state: j.state,
    percent: j.progress,
    createdAt: j.createdAt,
    ...(j.finishedAt === undefined ? {} : { finishedAt: j.finishedAt }),
    deleteOnCompletion: false,
  };
  if (j.state === 'completed' && j.result !== undefined) info.result = decode(j.result);
  if (j.error !== undefined) info.error = { code: apiErrorCodeOf(j.error.code), message: j.error.message };
  return info;
}

/**
 * Runs `run.work` as a job of the host and answers the job after at most `run.waitMs`.
 *
 * @example
 * const job = await runJob(ctx, { kind: 'vm.export', operation: 'export', target, waitMs, work, decode });
 */
export async function runJob<R>(ctx: SessionContext, run: JobRun): Promise<JobInfo<R>> {
  const { job, done } = ctx.host.runJob(run.kind, run.target.id, async (j) => {
    try {
      return await run.work({ id: j.id, progress: (p) => ctx.host.store.setJobProgress(j.id, p) });
    } catch (e) {
      throw toApiError(e); // recorded with the Api's code
    } finally {
      await run.finally?.();
    }
  });
  const waitMs = run.waitMs ?? 0;
  if (waitMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => {
      if (waitMs !== Number.POSITIVE_INFINITY) timer = setTimeout(r, Math.min(waitMs, 2 ** 31 - 1));
    });
    await Promise.race([
      done.then(
        () => undefined,
        () => undefined,
      ),
      timeout,
    ]);
    clearTimeout(timer);
  }
  const now = ctx.host.store.getJob(job.id) ?? job;
  return toInfo(ctx, now, run.target, run.operation, run.decode) as JobInfo<R>;
}
