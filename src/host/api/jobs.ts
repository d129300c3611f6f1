import { ApiError, type JobQuery, type JobsApi } from '../../api/index.js';
import type { JobRecord } from '../store-jobs.js';
import type { SessionContext } from './context.js';
import { toJobInfo } from './vocabulary.js';

/**
 * The jobs namespace: the host's jobs as the store keeps them. An operator cancels or deletes only the jobs its
 * own calls started; an admin, any (the role check itself is the session's).
 *
 * @example
 * const done = await jobsApi(ctx).wait(job.id, { timeoutMs: 5000 });
 */
export function jobsApi(ctx: SessionContext): JobsApi {
  const { host, principal } = ctx;
  const owned = (id: string, verb: string): JobRecord => {
    const job = host.jobs.get(id);
    if (principal.role !== 'admin' && job.owner !== principal.user) {
      throw new ApiError(
        'ACCESS_DENIED',
        `${principal.user} may not ${verb} job ${id}: ${job.owner} started it`,
      );
    }
    return job;
  };
  return {
    async list(q: JobQuery = {}) {
      const target = q.target === undefined ? undefined : (host.store.getVm(q.target)?.uuid ?? q.target);
      return host.store.jobs.list({ ...q, ...(target === undefined ? {} : { target }) }).map(toJobInfo);
    },
    async get(id) {
      return toJobInfo(host.jobs.get(id));
    },
    async wait(id, o = {}) {
      return toJobInfo(await host.jobs.wait(id, o.timeoutMs, o.onProgress));
    },
    async cancel(id) {
      owned(id, 'cancel');
      host.jobs.cancel(id, `Job ${id} was cancelled by ${principal.user}`);
      return toJobInfo(host.jobs.get(id));
    },
    async delete(id) {
      owned(id, 'delete');
      host.jobs.delete(id);
    },
  };
}
