import type { JobInfo, Operation } from '../../api/index.js';
import type { JobControl } from '../jobs.js';
import type { SessionContext } from './context.js';
import { toJobInfo } from './vocabulary.js';

/**
 * How the data namespaces (packages) run their work as a job of the host and answer within `waitMs`. The work's
 * result is stored in its wire form (the method's result schema encodes it: sizes as decimal strings), which is
 * what `jobs.get` of any transport shows; the answer of the method itself decodes it again.
 */

/** One job to run for a session. */
interface JobRun {
  /** The host's own name of the job (`vm.deploy`, `vm.export`). */
  kind: string;
  operation: Operation;
  target: NonNullable<JobInfo['target']>;
  /** Wait for the end up to this long (0 or none: answer at once; Infinity: until it ends). */
  waitMs: number | undefined;
  /** The work; answers the job's result in its wire form (JSON). */
  work(job: JobControl): Promise<unknown>;
  /** The wire form back to the caller's result. */
  decode(wire: unknown): unknown;
  /** Runs after the work ended, whatever its outcome (removing an upload). */
  finally?: () => Promise<void>;
}

/**
 * Runs `run.work` as a job of the host, owned by the session's user, and answers the job after at most
 * `run.waitMs`.
 *
 * @example
 * const job = await runJob<ExportResult>(ctx, { kind: 'vm.export', operation: 'export', target, waitMs, work, decode });
 */
export async function runJob<R>(ctx: SessionContext, run: JobRun): Promise<JobInfo<R>> {
  const { job } = ctx.host.jobs.run(
    { kind: run.kind, operation: run.operation, target: run.target, owner: ctx.principal.user },
    async (c) => {
      try {
        return await run.work(c);
      } finally {
        await run.finally?.();
      }
    },
  );
  const now = await ctx.host.jobs.wait(job.id, run.waitMs ?? 0);
  const info = toJobInfo(now);
  if (info.result !== undefined) info.result = run.decode(info.result);
  return info as JobInfo<R>;
}
