import { ApiError, isFinalJobState, type JobInfo } from '../../api/index.js';
import { parseCimInterval } from '../datetime.js';
import { jobEffects, jobError, jobIdOf, jobInstance, jobInstanceId } from '../jobs.js';
import { toCimError } from '../methods/errors-map.js';
import { C, idPath, systemPath, vsmsPath } from '../naming.js';
import type { CimContext, InstanceProvider, MethodResult } from '../provider.js';
import { memoAsync } from '../provider.js';
import { systemSummaries } from '../snapshot.js';
import type { CimInstanceName, CimValue } from '../types.js';
import { key, link, type ProviderEnv } from './env.js';

/** CIM_ConcreteJob.RequestStateChange return values (DSP1103): 0 done, 4 Invalid Parameter, 4097, 4098. */
const JOB_RSC = {
  Completed: 0,
  InvalidParameter: 4,
  InvalidStateTransition: 4097,
  TimeoutNotSupported: 4098,
};

/** The RequestedState values that end a job: 4 Terminate, 5 Kill (the Api's `jobs.cancel`). */
const ENDING = new Set([4, 5]);

/** The most jobs `jobs.list` answers (JobQuerySchema's limit): the host keeps at most this many finished ones. */
const JOBS_LISTED = 10_000;

/** Every job the host keeps, read through the caller's session once per operation. */
function allJobs(ctx: CimContext, env: ProviderEnv): Promise<JobInfo[]> {
  return memoAsync(ctx, 'jobs', async () => {
    try {
      return await env.api(ctx).jobs.list({ limit: JOBS_LISTED });
    } catch (e) {
      throw toCimError(e);
    }
  });
}

/** One job by InstanceID, or undefined. */
async function oneJob(
  ctx: CimContext,
  env: ProviderEnv,
  name: CimInstanceName,
): Promise<JobInfo | undefined> {
  const id = jobIdOf(key(name, 'InstanceID'));
  if (id === undefined) return undefined;
  try {
    return await env.api(ctx).jobs.get(id);
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'NOT_FOUND' || e.code === 'INVALID_ARGUMENT')) return undefined;
    throw toCimError(e);
  }
}

/**
 * CIM_ConcreteJob.RequestStateChange: 4 Terminate and 5 Kill cancel a running job (`jobs.cancel`, whose role
 * check and ownership rule apply); a job that has ended cannot change (4097), nor can a job be started, suspended
 * or serviced; other values are 4.
 */
async function requestJobState(
  ctx: CimContext,
  env: ProviderEnv,
  job: JobInfo,
  params: Record<string, CimValue | undefined>,
): Promise<MethodResult> {
  const raw = params.RequestedState;
  const requested = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(requested >= 2 && requested <= 6)) return { returnValue: JOB_RSC.InvalidParameter, out: {} };
  const timeout = params.TimeoutPeriod;
  if (typeof timeout === 'string' && (parseCimInterval(timeout) ?? 1) !== 0)
    return { returnValue: JOB_RSC.TimeoutNotSupported, out: {} };
  if (!ENDING.has(requested) || isFinalJobState(job.state))
    return { returnValue: JOB_RSC.InvalidStateTransition, out: {} };
  try {
    await env.api(ctx).jobs.cancel(job.id);
  } catch (e) {
    throw toCimError(e);
  }
  return { returnValue: JOB_RSC.Completed, out: {} };
}

/**
 * Providers of jobs (DSP1103): the host's jobs, what they affect and the service that owns them. GetError,
 * RequestStateChange (cancel) and DeleteInstance (a finished job) go through the caller's session.
 */
export function jobProviders(env: ProviderEnv): InstanceProvider[] {
  return [
    {
      className: C.job,
      enumerate: async (ctx) => (await allJobs(ctx, env)).map(jobInstance),
      get: async (ctx, n) => {
        const j = await oneJob(ctx, env, n);
        return j === undefined ? undefined : jobInstance(j);
      },
      invoke: async (ctx, target, method, params): Promise<MethodResult> => {
        const j = await oneJob(ctx, env, target);
        if (j === undefined) return { returnValue: 1, out: {} };
        if (method === 'GetError') return { returnValue: 0, out: { Error: jobError(j) } };
        if (method === 'GetErrors') {
          const e = jobError(j);
          return { returnValue: 0, out: { Errors: e ? [e] : [] } };
        }
        if (method === 'RequestStateChange') return requestJobState(ctx, env, j, params);
        return { returnValue: 1, out: {} };
      },
      delete: async (ctx, n) => {
        try {
          await env.api(ctx).jobs.delete(jobIdOf(key(n, 'InstanceID')) ?? '');
        } catch (e) {
          throw toCimError(e);
        }
      },
    },
    {
      className: 'Vessel_AffectedJobElement',
      enumerate: async (ctx) => {
        const names = new Map((await systemSummaries(ctx, env)).map((s) => [s.uuid, s.name]));
        return (await allJobs(ctx, env)).flatMap((j) => {
          const effects = jobEffects(j);
          const name = j.target === undefined ? undefined : names.get(j.target.id);
          if (effects === undefined || name === undefined) return [];
          return [
            link(
              'Vessel_AffectedJobElement',
              'AffectingElement',
              idPath(C.job, jobInstanceId(j.id)),
              'AffectedElement',
              systemPath(name),
              {
                ElementEffects: effects,
                OtherElementEffectsDescriptions: effects.map((e) =>
                  e === '1' ? 'Changes its state or settings' : '',
                ),
              },
            ),
          ];
        });
      },
    },
    {
      className: 'Vessel_OwningJobElement',
      enumerate: async (ctx) =>
        (await allJobs(ctx, env)).map((j) =>
          link(
            'Vessel_OwningJobElement',
            'OwningElement',
            vsmsPath(env.hostName),
            'OwnedElement',
            idPath(C.job, jobInstanceId(j.id)),
          ),
        ),
    },
  ];
}
