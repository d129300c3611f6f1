import { cimInterval, cimTimestamp } from '../datetime.js';
import { CIM_STATUS } from '../errors.js';
import { type JobRecord, JobState } from '../jobs.js';
import { C, idPath, vsmsPath } from '../naming.js';
import type { InstanceProvider, MethodResult } from '../provider.js';
import type { CimInstance } from '../types.js';
import { instance, key, link, type ProviderEnv } from './env.js';

/** The CIM_Error of a failed job (DSP1103 §8.1 GetError). */
export function jobError(j: JobRecord): CimInstance | undefined {
  if (!j.error) return undefined;
  return instance('CIM_Error', {
    ErrorType: '4',
    OwningEntity: 'Vessel',
    MessageID: j.error.status,
    Message: j.error.message,
    PerceivedSeverity: '6',
    ProbableCause: '1',
    CIMStatusCode: String(CIM_STATUS[j.error.status]),
    CIMStatusCodeDescription: j.error.status,
  });
}

function jobInstance(j: JobRecord): CimInstance {
  const end = j.finished?.getTime() ?? Date.now();
  return instance(C.job, {
    InstanceID: j.id,
    Name: j.method,
    ElementName: j.name,
    Owner: j.owner,
    JobState: String(j.state),
    JobStatus:
      j.state === JobState.Completed ? 'Completed' : j.state === JobState.Exception ? 'Exception' : 'Running',
    PercentComplete: j.finished ? '100' : '0',
    TimeSubmitted: cimTimestamp(j.submitted),
    StartTime: cimTimestamp(j.started),
    ElapsedTime: cimInterval(end - j.started.getTime()),
    TimeOfLastStateChange: cimTimestamp(j.stateChanged),
    TimeBeforeRemoval: cimInterval(j.keepMs),
    DeleteOnCompletion: 'false',
    ErrorCode: j.error ? String(CIM_STATUS[j.error.status]) : undefined,
    ErrorDescription: j.error?.message,
    OperationalStatus: j.state === JobState.Exception ? ['6', '17'] : j.finished ? ['2', '17'] : ['2'],
    HealthState: j.state === JobState.Exception ? '20' : '5',
  });
}

/** Providers of jobs (DSP1103): the jobs, what they affect, and the service that owns them. */
export function jobProviders(env: ProviderEnv): InstanceProvider[] {
  const host = env.backend.hostName;
  return [
    {
      className: C.job,
      enumerate: () => env.jobs.list().map(jobInstance),
      get: (_ctx, n) => {
        const j = env.jobs.get(key(n, 'InstanceID') ?? '');
        return j ? jobInstance(j) : undefined;
      },
      invoke: async (_ctx, target, method): Promise<MethodResult> => {
        const j = env.jobs.get(key(target, 'InstanceID') ?? '');
        if (method === 'GetError') return { returnValue: 0, out: { Error: j ? jobError(j) : undefined } };
        if (method === 'GetErrors') {
          const e = j ? jobError(j) : undefined;
          return { returnValue: 0, out: { Errors: e ? [e] : [] } };
        }
        return { returnValue: 1, out: {} };
      },
    },
    {
      className: 'Vessel_AffectedJobElement',
      enumerate: () =>
        env.jobs.list().flatMap((j) =>
          j.affected.map((a) =>
            link(
              'Vessel_AffectedJobElement',
              'AffectingElement',
              idPath(C.job, j.id),
              'AffectedElement',
              a.path,
              {
                ElementEffects: a.effects.map(String),
                OtherElementEffectsDescriptions: a.effects.map((e) =>
                  e === 1 ? 'Changes its state or settings' : '',
                ),
              },
            ),
          ),
        ),
    },
    {
      className: 'Vessel_OwningJobElement',
      enumerate: () =>
        env.jobs
          .list()
          .map((j) =>
            link(
              'Vessel_OwningJobElement',
              'OwningElement',
              vsmsPath(host),
              'OwnedElement',
              idPath(C.job, j.id),
            ),
          ),
    },
  ];
}
