import { ApiError, isFinalJobState, type JobInfo, type SystemSummary } from '../../../api/index.js';
import { cimInterval } from '../../../cim/index.js';
import type { MethodOutcome } from '../client.js';
import type { Inventory, Listed } from './inventory.js';
import type { ClientJobs } from './jobs.js';
import { LocalJob } from './local-job.js';
import type { CimSession } from './session.js';

/**
 * A shutdown that powers off after the guest's time, as the Api promises (forceAfterTimeout, the default of a
 * shutdown with a time), over the DSP1057 methods alone: RequestStateChange(4 Shutdown, TimeoutPeriod) first; when
 * its job fails for the time (a Vessel host's TIMEOUT), or has not ended a grace after it (a host that lets the
 * guest take longer), and the system is not stopped, RequestStateChange(3 Off), which a Vessel host accepts while the
 * shutdown still runs (it supersedes it). The caller sees one job, run by this client (local-job.ts), whose result's
 * reason is `forced-after-timeout` when it powered off; the system's reason says so too until it changes again.
 * Since only this client can power off, the caller must wait: without a wait (waitMs 0) it is NOT_SUPPORTED.
 */

/** RequestStateChange's 3 (Timeout): the transition did not complete in the TimeoutPeriod. */
export const TIMED_OUT = 3;

/** How long after the guest's time the client still waits for the host's shutdown job to end. */
export const GRACE_MS = 5000;

/** What the shutdown needs of CimSystems. */
export interface ShutdownContext {
  s: CimSession;
  inv: Inventory;
  jobs: ClientJobs;
  /** The error of a host's 4097 for the operation, in the Api's words. */
  refusal: (x: Listed, op: 'shutdown' | 'powerOff') => ApiError;
}

async function requestState(c: ShutdownContext, x: Listed, value: 3 | 4, timeoutMs?: number) {
  const what = value === 4 ? 'shut down' : 'power off';
  const ctx = { what: `Cannot ${what} "${x.summary.name}"`, notFound: 'VM_NOT_FOUND' } as const;
  const outcome: MethodOutcome = await c.s.call(ctx, (cl) =>
    cl.invokeMethod(x.cs.path, 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: String(value) },
      ...(timeoutMs === undefined
        ? {}
        : { TimeoutPeriod: { type: 'datetime', value: cimInterval(Math.max(1, timeoutMs)) } }),
    }),
  );
  return { ctx, outcome };
}

/**
 * Shuts `x` down, powering it off when the guest has not stopped within `timeoutMs`.
 *
 * @example
 * const job = await forcedShutdown(c, await inv.find('web1'), 30_000, Number.POSITIVE_INFINITY);
 */
export async function forcedShutdown(
  c: ShutdownContext,
  x: Listed,
  timeoutMs: number,
  waitMs: number | undefined,
): Promise<JobInfo<SystemSummary>> {
  const { name, uuid } = x.summary;
  if (waitMs === undefined || !(waitMs > 0))
    throw new ApiError(
      'NOT_SUPPORTED',
      `Cannot shut down "${name}" with a power-off after ${timeoutMs} ms over ${c.s.encoding} without waiting: RequestStateChange (DSP1057) fails a late shutdown on ${c.s.where}, and only this client can power the system off after it, which it cannot do once it has returned`,
      { hint: 'Wait for the job (leave out --no-wait, or give waitMs), or shut down without a timeout' },
    );
  const target = { kind: 'system' as const, id: uuid, name };
  const summary = async () => (await c.inv.find(uuid)).summary;
  const first = await requestState(c, x, 4, timeoutMs);
  const rv = first.outcome.returnValue;
  if (rv === 0 || rv === 4096 || rv === TIMED_OUT) c.inv.recordAsked(uuid, 'shutdown');
  if (rv !== 4096 && rv !== TIMED_OUT)
    return c.jobs.start(
      { operation: 'shutdown', target, ...first, method: 'RequestStateChange', result: summary },
      waitMs,
      (v) => (v === 4097 ? c.refusal(x, 'shutdown') : undefined),
    );
  // 3: the host's job failed for the time within the call; 4096: it runs.
  const host =
    rv === TIMED_OUT
      ? undefined
      : await c.jobs.start(
          { operation: 'shutdown', target, ...first, method: 'RequestStateChange', result: summary },
          0,
        );
  const job = new LocalJob<SystemSummary>(
    'shutdown',
    target,
    c.s.client.user ?? '',
    async (signal, phase) => {
      if (host !== undefined) {
        phase(`Waiting up to ${timeoutMs} ms for the guest to shut down`);
        const ended = await c.jobs.wait(host.id, { timeoutMs: timeoutMs + GRACE_MS });
        if (ended.state === 'completed') return summary();
        if (ended.state === 'cancelled' || signal.aborted)
          throw new ApiError('CANCELLED', ended.error?.message ?? `The shutdown of "${name}" was cancelled`);
        if (ended.state === 'failed' && ended.error?.code !== 'TIMEOUT')
          throw new ApiError(ended.error?.code ?? 'HYPERVISOR_FAILED', ended.error?.message ?? 'failed');
      }
      const now = await c.inv.find(uuid);
      if (now.summary.state === 'stopped') return now.summary;
      phase('Powering off: the guest did not shut down in time');
      const off = await requestState(c, now, 3);
      const done = await c.jobs
        .start(
          { operation: 'powerOff', target, ...off, method: 'RequestStateChange', result: summary },
          Number.POSITIVE_INFINITY,
          (v) => (v === 4097 ? c.refusal(now, 'powerOff') : undefined),
        )
        .catch(async (e: unknown) => {
          // The guest stopped at last between the read and the power-off: the shutdown happened.
          const late = e instanceof ApiError && e.code === 'INVALID_STATE' ? await summary() : undefined;
          if (late?.state === 'stopped') return undefined;
          throw e;
        });
      if (done === undefined) return summary();
      if (done.state !== 'completed')
        throw new ApiError(done.error?.code ?? 'HYPERVISOR_FAILED', done.error?.message ?? done.state);
      return c.inv.recordForced(
        await summary(),
        `powered off: the guest did not shut down within ${timeoutMs} ms`,
      );
    },
    async () => {
      if (host !== undefined && !isFinalJobState((await c.jobs.get(host.id)).state))
        await c.jobs.cancel(host.id);
    },
  );
  return c.jobs.startLocal(job, first.ctx, waitMs);
}

/**
 * A shutdown or reboot with a time that the host answered 3 (Timeout): its job failed within the call, the guest
 * not stopped in time; the caller gets that failed job (TIMEOUT), as from a job that failed later.
 *
 * @example
 * if (outcome.returnValue === TIMED_OUT) return timedOut(c, 'shutdown', x, 30_000, o.waitMs);
 */
export function timedOut(
  c: ShutdownContext,
  op: 'shutdown' | 'reboot',
  x: Listed,
  timeoutMs: number,
  waitMs: number | undefined,
): Promise<JobInfo<SystemSummary>> {
  const { name, uuid } = x.summary;
  const verb = op === 'shutdown' ? 'shut down' : 'reboot';
  const job = new LocalJob<SystemSummary>(
    op,
    { kind: 'system', id: uuid, name },
    c.s.client.user ?? '',
    async () => {
      throw new ApiError(
        'TIMEOUT',
        `"${name}" did not shut down within ${timeoutMs} ms (RequestStateChange answered 3, Timeout, on ${c.s.where})`,
        { hint: 'Power it off, or give the guest more time (timeoutMs)' },
      );
    },
  );
  return c.jobs.startLocal(job, { what: `Cannot ${verb} "${name}"` }, Math.max(1, waitMs ?? 0));
}
