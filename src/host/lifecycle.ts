import {
  ApiError,
  checkTransition,
  STATE_OPERATIONS,
  type StateOperation,
  type StateReasonCode,
} from '../api/index.js';
import { type HypervisorDriver, HypervisorError, requireOperation } from '../hypervisor/index.js';
import type { Asked } from './api/vocabulary.js';
import type { JobControl } from './jobs.js';
import { refuseSharedWriters, type StoragePools } from './pools/index.js';
import type { HostVmState, StoredVm } from './store.js';

/**
 * State changes of one system, as a job runs them under the system's lock: the check against the Api's
 * ALLOWED_FROM (with the message users see), the in-between states the host records, shutdown timeouts (failing
 * with TIMEOUT, or powering off and saying so), and cancellation (a cancelled shutdown leaves the system running).
 */

/** How a state change is made (the Api's ChangeStateOptions, without the job's wait). */
export interface StateOptions {
  /** shutdown: the guest's time, ms (default 60 s). */
  timeoutMs?: number | undefined;
  /** shutdown: power off when the guest has not stopped in time (default true). */
  forceAfterTimeout?: boolean | undefined;
  /** powerOff: end a shutdown that waits for the guest instead of waiting behind it (the Api's semantics). */
  supersede?: boolean;
  /** The socket's `stop`: `Cannot stop` when stopped, and a paused system is powered off. */
  legacyStop?: boolean;
}

/** What a state change needs of the host. */
export interface LifecycleContext {
  readonly driver: HypervisorDriver;
  readonly pools: StoragePools;
  /** The stored row, or VM_NOT_FOUND. */
  get(uuid: string): StoredVm;
  /** Every stored system (another writer of a direct image is refused at start too). */
  vms(): readonly StoredVm[];
  /** Sets, records and publishes a state with this reason. */
  recordCoded(
    uuid: string,
    name: string,
    state: HostVmState,
    reason: { code: StateReasonCode; text: string },
  ): void;
  /** The state change under way per system, which the events it causes are attributed to. */
  readonly asked: Map<string, Asked>;
}

const DEFAULT_SHUTDOWN_MS = 60_000;

/**
 * Runs `op` on the system `uuid` (the job holds the system's lock).
 *
 * @example
 * await applyState(ctx, { uuid, name: 'web1' }, 'shutdown', { timeoutMs: 30_000 }, job, () => undefined);
 */
export async function applyState(
  ctx: LifecycleContext,
  vm: { uuid: string; name: string },
  op: StateOperation,
  o: StateOptions,
  job: JobControl,
  /** Called once the change is accepted (the state allows it): records it as the requested one. */
  accepted: () => void,
): Promise<void> {
  const { uuid, name } = vm;
  const current = (await ctx.driver.getState(uuid)).state;
  if (o.legacyStop && current === 'stopped')
    throw new HypervisorError('INVALID_STATE', `Cannot stop "${name}": it is already stopped`);
  const effective: StateOperation = o.legacyStop && current === 'paused' ? 'powerOff' : op;
  checkTransition(name, current, effective);
  accepted();
  const drive = (name: 'start' | 'shutdown' | 'powerOff' | 'pause' | 'resume' | 'reset') =>
    requireOperation(ctx.driver, name)(uuid);
  switch (effective) {
    case 'start':
      return start(ctx, vm);
    case 'shutdown':
      return shutdown(ctx, vm, o, job);
    case 'reboot':
      // The guest's OS restarts: an orderly shutdown (as `shutdown`, timeout included), then a start.
      await shutdown(ctx, vm, o, job);
      job.signal.throwIfAborted();
      return start(ctx, vm);
    case 'powerOff':
    case 'pause':
    case 'resume':
    case 'reset':
      return drive(effective);
    case 'suspend':
      throw new ApiError('NOT_SUPPORTED', `The driver ${ctx.driver.uri} does not support "${effective}"`);
  }
}

/**
 * The state changes the host runs for a driver with these entry points: the driver's own, and `reboot` (a
 * shutdown, then a start) when it can shut down, power off and start.
 *
 * @example
 * hostOperations(['start', 'shutdown', 'powerOff', 'pause', 'resume']); // [...those, 'reboot']
 */
export function hostOperations(driverOps: readonly string[]): StateOperation[] {
  const has = (op: string) => driverOps.includes(op);
  return STATE_OPERATIONS.filter((op) =>
    op === 'reboot' ? has('shutdown') && has('powerOff') && has('start') : op !== 'suspend' && has(op),
  );
}

async function start(ctx: LifecycleContext, { uuid, name }: { uuid: string; name: string }): Promise<void> {
  const def = ctx.get(uuid).definition;
  await ctx.pools.check(def, 'start'); // a symlink may have been swapped since define
  refuseSharedWriters(def, ctx.vms(), 'start'); // ... and made two systems' images one file
  const startOp = requireOperation(ctx.driver, 'start');
  ctx.recordCoded(uuid, name, 'starting', { code: 'user', text: 'start requested' });
  try {
    await startOp(uuid);
  } catch (e) {
    ctx.recordCoded(uuid, name, 'stopped', {
      code: 'start-failed',
      text: `start failed: ${(e as Error).message}`,
    });
    throw e;
  }
}

async function shutdown(
  ctx: LifecycleContext,
  { uuid, name }: { uuid: string; name: string },
  o: StateOptions,
  job: JobControl,
): Promise<void> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_SHUTDOWN_MS;
  const shutdownOp = requireOperation(ctx.driver, 'shutdown');
  ctx.recordCoded(uuid, name, 'stopping', { code: 'user', text: 'shutdown requested (ACPI)' });
  let off: boolean;
  try {
    await shutdownOp(uuid);
    off = await waitStopped(ctx.driver, uuid, timeoutMs, job.signal);
  } catch (e) {
    await settleRunning(ctx, uuid, name, job.signal.aborted ? 'shutdown cancelled' : 'shutdown failed');
    throw e;
  }
  if (off) return;
  if (o.forceAfterTimeout === false) {
    await settleRunning(ctx, uuid, name, `the guest did not shut down within ${timeoutMs} ms`);
    throw new ApiError('TIMEOUT', `"${name}" did not shut down within ${timeoutMs} ms`, {
      hint: 'Power it off, or give the guest more time (timeoutMs)',
    });
  }
  const asked = ctx.asked.get(uuid);
  if (asked !== undefined) {
    asked.next = {
      state: 'stopped',
      code: 'forced-after-timeout',
      text: `powered off: the guest did not shut down within ${timeoutMs} ms`,
    };
  }
  await requireOperation(ctx.driver, 'powerOff')(uuid);
}

/** After a shutdown that did not happen: the stored state back to what the driver says (running, normally). */
async function settleRunning(ctx: LifecycleContext, uuid: string, name: string, text: string): Promise<void> {
  const now = await ctx.driver.getState(uuid).catch(() => undefined);
  if (now === undefined) return;
  if (ctx.get(uuid).state === 'stopping' && now.state !== 'stopped')
    ctx.recordCoded(uuid, name, now.state, { code: 'user', text });
}

/**
 * Waits for the driver to report the system stopped: true when it did, false after `timeoutMs`; rejects with the
 * signal's reason when the job is cancelled.
 *
 * @example
 * const off = await waitStopped(driver, uuid, 60_000, job.signal);
 */
function waitStopped(
  driver: HypervisorDriver,
  uuid: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => settle(() => reject(signal.reason));
    const timer = setTimeout(() => settle(() => resolve(false)), Math.min(timeoutMs, 2 ** 31 - 1));
    // Subscribed before the state is read, so a stop in between is not missed.
    const stop = driver.subscribe((e) => {
      if (e.uuid === uuid && e.kind === 'state' && e.state === 'stopped') settle(() => resolve(true));
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    driver.getState(uuid).then(
      (s) => {
        if (s.state === 'stopped') settle(() => resolve(true));
      },
      (e: unknown) => settle(() => reject(e)),
    );
  });
}
