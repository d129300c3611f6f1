import { ApiError, isFinalJobState, type JobInfo, type JobsApi } from '../../../api/index.js';
import type { HostClient, Job } from '../../../host/index.js';
import { partialNamespace } from '../unsupported.js';
import { jobOf } from './values.js';

/** How often a job of the old protocol is asked for, ms (it pushes no progress). */
const POLL_MS = 200;

/**
 * The `jobs` namespace over the old socket protocol. The results of jobs this connection started are converted
 * to the Api's types by the converter registered for them (`track`); other jobs' results are left out.
 */
export class LegacyJobs {
  private readonly converters = new Map<string, (raw: unknown) => unknown>();

  constructor(
    private readonly client: HostClient,
    private readonly host: string,
  ) {}

  /** Registers how the result of a job this connection started becomes the Api's. */
  track(id: string, convert: (raw: unknown) => unknown): void {
    this.converters.set(id, convert);
  }

  /** A job as the Api shows it. */
  async get(id: string): Promise<JobInfo> {
    const j = await this.client.call<Job>('job.get', { id });
    const convert = this.converters.get(id);
    return jobOf(j, j.state === 'completed' && convert !== undefined ? convert(j.result) : undefined);
  }

  /** The namespace. */
  api(): JobsApi {
    return partialNamespace(
      'jobs',
      {
        get: (id) => this.get(id),
        list: async (q = {}) => {
          const all = await this.client.call<Job[]>('job.list', { limit: q.limit ?? 100 });
          return all
            .map((j) => jobOf(j))
            .filter((j) => q.states === undefined || q.states.includes(j.state))
            .filter((j) => q.target === undefined || j.target?.id === q.target);
        },
        wait: async (id, o = {}) => {
          const deadline = o.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + o.timeoutMs;
          let last = -1;
          for (;;) {
            const job = await this.get(id);
            if (job.percent > last) {
              last = job.percent;
              o.onProgress?.({ percent: job.percent });
            }
            if (isFinalJobState(job.state) || Date.now() >= deadline) return job;
            await new Promise((r) => setTimeout(r, POLL_MS));
          }
        },
        cancel: async (id) => {
          const job = await this.get(id);
          if (isFinalJobState(job.state)) return job;
          throw new ApiError('NOT_SUPPORTED', `Cannot cancel job ${id} on ${this.host}`);
        },
      },
      this.host,
    );
  }
}
