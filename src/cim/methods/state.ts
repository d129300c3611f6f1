import type { StateOperation, SystemInfo, VirtualSystemBackend } from '../backend.js';
import { parseCimInterval } from '../datetime.js';
import { CimError } from '../errors.js';
import { C, idPath, systemPath } from '../naming.js';
import type { CimContext, MethodResult } from '../provider.js';
import type { ProviderEnv } from '../providers/env.js';
import type { CimInstanceName, CimValue } from '../types.js';
import { codeOf, toCimError } from './errors-map.js';

/** RequestStateChange return values (CIM_EnabledLogicalElement, DSP1057 §8.2.1). */
export const RSC = {
  Completed: 0,
  NotSupported: 1,
  Failed: 4,
  InvalidParameter: 5,
  JobStarted: 4096,
  InvalidStateTransition: 4097,
  TimeoutNotSupported: 4098,
} as const;

/** The RequestedState values of the CIM ValueMap (2..11 less 5, and 12 is not requestable). */
const VALUE_MAP = new Set([2, 3, 4, 6, 7, 8, 9, 10, 11]);

/** The longest a wait for a state may take, whatever the caller asks: a wait never outlives its bound. */
export const MAX_STATE_WAIT_MS = 10 * 60_000;

/** How often the state is read again in case an event was missed; each read waits for the previous one. */
const RECHECK_MS = 1000;

/**
 * Waits until a system reaches a state (or is gone), or fails with CIM_ERR_FAILED after `timeoutMs` (at most
 * {@link MAX_STATE_WAIT_MS}; a non-finite or negative value is that bound). It wakes on the backend's events and
 * reads the state once a second besides, one read at a time; once settled it stops reading and unsubscribes.
 */
export function waitForState(
  backend: VirtualSystemBackend,
  uuid: string,
  state: SystemInfo['state'],
  timeoutMs: number,
  what: string,
): Promise<void> {
  const bound =
    Number.isFinite(timeoutMs) && timeoutMs >= 0 ? Math.min(timeoutMs, MAX_STATE_WAIT_MS) : MAX_STATE_WAIT_MS;
  return new Promise((resolve, reject) => {
    let settled = false;
    let reading = false;
    let again = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(recheck);
      unsubscribe();
      if (err === undefined) resolve();
      else reject(err);
    };
    const check = () => {
      if (settled) return;
      if (reading) {
        again = true; // an event came while a read was under way: read once more after it
        return;
      }
      reading = true;
      backend.lookup(uuid).then(
        (s) => {
          reading = false;
          if (s === undefined || s.state === state) finish();
          else if (again) {
            again = false;
            check();
          }
        },
        (e: unknown) => {
          reading = false;
          finish(e);
        },
      );
    };
    const timer = setTimeout(
      () =>
        finish(new CimError('CIM_ERR_FAILED', `${what} did not finish within ${Math.round(bound / 1000)} s`)),
      bound,
    );
    const recheck = setInterval(check, RECHECK_MS);
    const unsubscribe = backend.subscribe((e) => {
      if (e.uuid === uuid) check();
    });
    check();
  });
}

/** The work a requested state means from the current state, or undefined when Vessel does not offer it. */
function plan(
  info: SystemInfo,
  requested: number,
): { ops: StateOperation[]; waitStopped: boolean; thenStart: boolean } | undefined {
  switch (requested) {
    case 2:
      return { ops: [info.state === 'paused' ? 'resume' : 'start'], waitStopped: false, thenStart: false };
    case 3:
      return { ops: ['powerOff'], waitStopped: false, thenStart: false };
    case 4:
      return { ops: ['shutdown'], waitStopped: true, thenStart: false };
    case 9:
      return { ops: ['pause'], waitStopped: false, thenStart: false };
    case 10:
      // Reboot: an orderly shutdown, then start again (the guest's OS restarts).
      return info.state === 'running' ? { ops: ['shutdown'], waitStopped: true, thenStart: true } : undefined;
    case 11:
      return { ops: ['reset'], waitStopped: false, thenStart: false };
    default:
      return undefined;
  }
}

/**
 * CIM_ComputerSystem.RequestStateChange for a virtual system: 2 start/resume, 3 power off, 4 orderly shut down,
 * 9 pause, 10 reboot, 11 reset. Answers 0 when done within the service's sync window, else 4096 with a
 * ConcreteJob that ends Completed or Exception; 4097 for a transition the current state does not allow;
 * 4098 for a non-zero TimeoutPeriod; 5 for a value outside the ValueMap; 1 for 6, 7 and 8.
 */
export async function requestStateChange(
  env: ProviderEnv,
  ctx: CimContext,
  target: CimInstanceName,
  params: Record<string, CimValue | undefined>,
): Promise<MethodResult> {
  const name = target.keys.Name;
  const info = typeof name === 'string' ? await env.backend.lookup(name) : undefined;
  if (!info || info.name !== name)
    throw new CimError('CIM_ERR_NOT_FOUND', `No virtual system "${String(name)}"`);
  const raw = params.RequestedState;
  const requested = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!VALUE_MAP.has(requested)) return { returnValue: RSC.InvalidParameter, out: {} };
  const timeout = params.TimeoutPeriod;
  if (typeof timeout === 'string' && (parseCimInterval(timeout) ?? 1) !== 0)
    return { returnValue: RSC.TimeoutNotSupported, out: {} };
  const p = plan(info, requested);
  if (!p) return { returnValue: requested === 10 ? RSC.InvalidStateTransition : RSC.NotSupported, out: {} };
  for (const op of p.ops) if (!env.backend.supports(op)) return { returnValue: RSC.NotSupported, out: {} };

  const work = async (): Promise<void> => {
    for (const op of p.ops) await env.backend.changeState(info.uuid, op);
    if (p.waitStopped)
      await waitForState(
        env.backend,
        info.uuid,
        'stopped',
        env.shutdownTimeoutMs,
        `Shutting down "${info.name}"`,
      );
    if (p.thenStart) await env.backend.changeState(info.uuid, 'start');
  };
  const previous = env.requested.get(info.uuid);
  try {
    const outcome = await env.jobs.run(
      {
        name: `RequestStateChange ${info.name} to ${requested}`,
        method: 'RequestStateChange',
        owner: ctx.user,
        affected: [{ path: systemPath(info.name), effects: [1] }],
      },
      env.syncMs,
      async () => {
        env.requested.set(info.uuid, requested);
        await work();
      },
    );
    if (outcome.done) return { returnValue: RSC.Completed, out: {} };
    return { returnValue: RSC.JobStarted, out: { Job: idPath(C.job, outcome.job.id) } };
  } catch (e) {
    if (previous === undefined) env.requested.delete(info.uuid);
    else env.requested.set(info.uuid, previous);
    if (codeOf(e) === 'INVALID_STATE') return { returnValue: RSC.InvalidStateTransition, out: {} };
    if (codeOf(e) === 'NOT_SUPPORTED') return { returnValue: RSC.NotSupported, out: {} };
    throw toCimError(e);
  }
}
