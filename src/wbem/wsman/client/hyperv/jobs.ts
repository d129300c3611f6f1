import { randomUUID } from 'node:crypto';
import {
  ApiError,
  type JobInfo,
  type JobQuery,
  type JobsApi,
  type Operation,
} from '../../../../api/index.js';

/** At most this many finished jobs are kept per connection (the oldest is forgotten first). */
const KEPT = 1000;

/**
 * The jobs of a Hyper-V connection. Each Api call waits for Hyper-V's own job (Msvm_ConcreteJob, polled by
 * HypervSession.invoke) before it answers, so every job here has ended: completed with its result, or failed with
 * the error its caller threw. They live as long as the connection; Hyper-V keeps no record that outlasts it.
 *
 * @example
 * const job = await jobs.run('start', { kind: 'system', id: uuid, name }, () => startIt());
 */
export class HypervJobs implements JobsApi {
  private readonly done = new Map<string, JobInfo>();

  constructor(private readonly owner: string) {}

  /** Runs `work` as a job and answers the ended job; its failure is thrown, as the other transports do. */
  async run<R>(operation: Operation, target: JobInfo['target'], work: () => Promise<R>): Promise<JobInfo<R>> {
    const createdAt = new Date().toISOString();
    const result = await work();
    const job: JobInfo<R> = {
      id: `hyperv.${randomUUID()}`,
      operation,
      ...(target === undefined ? {} : { target }),
      owner: this.owner,
      state: 'completed',
      percent: 100,
      createdAt,
      startedAt: createdAt,
      finishedAt: new Date().toISOString(),
      deleteOnCompletion: false,
      result,
    };
    this.done.set(job.id, job);
    if (this.done.size > KEPT) this.done.delete(this.done.keys().next().value as string);
    return job;
  }

  private find(id: string): JobInfo {
    const j = this.done.get(id);
    if (j === undefined)
      throw new ApiError('NOT_FOUND', `No job "${id.slice(0, 128)}" in this Hyper-V connection`, {
        detail: { domain: 'host', code: 'JOB_NOT_FOUND' },
      });
    return j;
  }

  async list(q: JobQuery = {}): Promise<JobInfo[]> {
    const all = [...this.done.values()].reverse();
    return all
      .filter((j) => q.states === undefined || q.states.includes(j.state))
      .filter((j) => q.target === undefined || j.target?.id === q.target || j.target?.name === q.target)
      .slice(0, q.limit ?? all.length);
  }

  async get(id: string): Promise<JobInfo> {
    return this.find(id);
  }

  async wait(id: string): Promise<JobInfo> {
    return this.find(id);
  }

  async cancel(id: string): Promise<JobInfo> {
    return this.find(id);
  }

  async delete(id: string): Promise<void> {
    this.find(id);
    this.done.delete(id);
  }
}
