import { MAX_WAIT_MS, operationForRequestedState } from '../../api/index.js';
import { parseCimInterval } from '../datetime.js';
import { CimError } from '../errors.js';
import type { CimContext, MethodResult } from '../provider.js';
import { type ProviderEnv, waitOf } from '../providers/env.js';
import { oneSystem } from '../snapshot.js';
import type { CimInstanceName, CimValue } from '../types.js';
import { answerJob } from './answer.js';

/** RequestStateChange return values Vessel answers before asking the Api (CIM_EnabledLogicalElement). */
const RSC = {
  Completed: 0,
  NotSupported: 1,
  InvalidParameter: 5,
  JobStarted: 4096,
  InvalidStateTransition: 4097,
  TimeoutNotSupported: 4098,
} as const;

/** The RequestedState values of the CIM ValueMap (2..11 less 5; 12 Not Applicable is not requestable). */
const VALUE_MAP = new Set([2, 3, 4, 6, 7, 8, 9, 10, 11]);

/**
 * CIM_ComputerSystem.RequestStateChange of a virtual system (DSP1057 §8.2.1): the RequestedState becomes the Api's
 * state change (operationForRequestedState: 2 start or resume, 3 powerOff, 4 shutdown, 6 suspend, 9 pause,
 * 10 reboot, 11 reset) run as a job of the caller's session, whose role check, transition rules and driver support
 * decide; its answer is 0, or 4096 with the job, or what the Api's error table gives (4097 for a transition the
 * state does not allow, 1 for what the host does not offer). A value outside the ValueMap is 5, 7 Test and
 * 8 Defer are 1. TimeoutPeriod ("the maximum amount of time that the client expects the transition to take",
 * CIM_EnabledLogicalElement) is the guest's time of a shutdown or reboot, after which the job fails and the system
 * keeps running (never a forced power-off, which the client did not ask for); without one, the service's own
 * shutdown time applies. On the other transitions, which do not wait for a guest, a non-zero TimeoutPeriod is 4098.
 */
export async function requestStateChange(
  env: ProviderEnv,
  ctx: CimContext,
  target: CimInstanceName,
  params: Record<string, CimValue | undefined>,
): Promise<MethodResult> {
  const name = target.keys.Name;
  const system = typeof name === 'string' ? await oneSystem(ctx, env, name) : undefined;
  if (system === undefined) throw new CimError('CIM_ERR_NOT_FOUND', `No virtual system "${String(name)}"`);
  const raw = params.RequestedState;
  const requested = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!VALUE_MAP.has(requested)) return { returnValue: RSC.InvalidParameter, out: {} };
  const period = params.TimeoutPeriod;
  const timeoutMs = typeof period === 'string' ? parseCimInterval(period) : 0;
  if (timeoutMs === undefined || timeoutMs > MAX_WAIT_MS)
    return { returnValue: RSC.InvalidParameter, out: {} };
  const op = operationForRequestedState(requested, system.state);
  if (op === undefined) return { returnValue: RSC.NotSupported, out: {} };
  const guest = op === 'shutdown' || op === 'reboot';
  if (timeoutMs !== 0 && !guest) return { returnValue: RSC.TimeoutNotSupported, out: {} };
  const guestTime = !guest
    ? {}
    : timeoutMs === 0
      ? { timeoutMs: env.shutdownTimeoutMs }
      : { timeoutMs, ...(op === 'shutdown' ? { forceAfterTimeout: false } : {}) };
  return answerJob(
    'RequestStateChange',
    () => env.api(ctx).systems.changeState(system.uuid, op, { waitMs: waitOf(env, ctx), ...guestTime }),
    () => ({}),
  );
}
