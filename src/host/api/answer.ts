import type { JobInfo } from '../../api/index.js';
import type { Host } from '../host.js';
import type { JobRecord } from '../store-jobs.js';
import { toJobInfo } from './vocabulary.js';

/**
 * The answer of a mutating call: its job, after waiting `waitMs` for it (0, the default: at once; Infinity: until
 * it ends). A job that failed is answered, not thrown: the caller reads `error` (or `resultOf` throws it).
 *
 * @example
 * return answer(host, host.defineJob(def, caller), o?.waitMs);
 */
export async function answer<R>(
  host: Host,
  started: { job: JobRecord },
  waitMs: number | undefined,
): Promise<JobInfo<R>> {
  return toJobInfo(await host.jobs.wait(started.job.id, waitMs ?? 0)) as JobInfo<R>;
}
