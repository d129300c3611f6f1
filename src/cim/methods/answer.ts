import {
  ApiError,
  type ApiErrorInfo,
  isFinalJobState,
  type JobInfo,
  RSC_RETURN_OF,
  type VsmsMethod,
  vsmsReturnFor,
} from '../../api/index.js';
import { jobInstanceId } from '../jobs.js';
import { C, idPath } from '../naming.js';
import type { MethodResult } from '../provider.js';
import type { CimValue } from '../types.js';
import { cimErrorOf, toCimError } from './errors-map.js';

/** The methods whose answers come from an Api job: RequestStateChange and the six DSP1042 methods. */
type JobMethod = 'RequestStateChange' | VsmsMethod;

/** The return values every one of them shares (DSP1042 §8.2, CIM_EnabledLogicalElement). */
const JOB_METHOD = { Completed: 0, JobStarted: 4096 } as const;

/**
 * What a method answers for an Api error: the return value the Api's table gives it (RSC_RETURN_OF, or
 * vsmsReturnFor inside the method's ValueMap), or, where the table says to raise, the CIM status CIM_STATUS_OF gives.
 */
function refused(method: JobMethod, info: ApiErrorInfo, cause?: unknown): MethodResult {
  const value = method === 'RequestStateChange' ? RSC_RETURN_OF[info.code] : vsmsReturnFor(method, info.code);
  if (value === undefined) throw cimErrorOf(info, cause);
  return { returnValue: value, out: {} };
}

/**
 * Starts an Api job and answers the CIM method with it: 0 and the OUT parameters `out` makes of the job's result
 * when it completed within the call's wait, 4096 and the job's path when it still runs, and the Api's error
 * through the one table (src/api/errors-cim.ts) when it was refused or failed.
 *
 * @example
 * return answerJob('DestroySystem', () => api.systems.undefine(uuid, { powerOff: true, waitMs }), () => ({}));
 */
export async function answerJob<R>(
  method: JobMethod,
  start: () => Promise<JobInfo<R>>,
  out: (result: R) => Record<string, CimValue | undefined>,
): Promise<MethodResult> {
  let job: JobInfo<R>;
  try {
    job = await start();
  } catch (e) {
    if (e instanceof ApiError) return refused(method, e.toInfo(), e);
    throw toCimError(e);
  }
  if (job.state === 'completed') return { returnValue: JOB_METHOD.Completed, out: out(job.result as R) };
  if (isFinalJobState(job.state))
    return refused(
      method,
      job.error ?? {
        code: job.state === 'cancelled' ? 'CANCELLED' : 'INTERNAL',
        message: `Job ${job.id} ${job.state}`,
      },
    );
  return { returnValue: JOB_METHOD.JobStarted, out: { Job: idPath(C.job, jobInstanceId(job.id)) } };
}
