import { HypervisorError } from './errors.js';
import type { VmState } from './types.js';

/** The lifecycle operations whose validity depends on the current state. */
export type LifecycleOp =
  | 'start'
  | 'shutdown'
  | 'powerOff'
  | 'pause'
  | 'resume'
  | 'reset'
  | 'undefine'
  | 'modify';

/** From which states each operation may be asked (DSP1057 §7.x RequestStateChange, in Vessel's terms). */
export const ALLOWED_FROM: Record<LifecycleOp, readonly VmState[]> = {
  start: ['stopped'],
  shutdown: ['running'],
  powerOff: ['running', 'paused'],
  pause: ['running'],
  resume: ['paused'],
  reset: ['running'],
  undefine: ['stopped'],
  modify: ['stopped'],
};

/** The state an operation leads to once it is done (shutdown: once the guest has powered off). */
export const RESULT_STATE: Record<Exclude<LifecycleOp, 'undefine' | 'modify'>, VmState> = {
  start: 'running',
  shutdown: 'stopped',
  powerOff: 'stopped',
  pause: 'paused',
  resume: 'running',
  reset: 'running',
};

const VERB: Record<LifecycleOp, string> = {
  start: 'start',
  shutdown: 'shut down',
  powerOff: 'power off',
  pause: 'pause',
  resume: 'resume',
  reset: 'reset',
  undefine: 'undefine',
  modify: 'modify',
};

function why(op: LifecycleOp, state: VmState): string {
  if (op === 'start' && state === 'running') return 'it is already running';
  if (op === 'start' && state === 'paused') return 'it is paused; resume it instead';
  if (op === 'pause' && state === 'paused') return 'it is already paused';
  if (op === 'resume' && state === 'running') return 'it is already running';
  if ((op === 'undefine' || op === 'modify') && state !== 'stopped') return `it is ${state}; stop it first`;
  return `it is ${state}`;
}

/**
 * Throws `INVALID_STATE` with a message that says what and why when `op` does not apply in `state`.
 *
 * @example
 * checkTransition('web1', 'running', 'start'); // throws: Cannot start "web1": it is already running
 */
export function checkTransition(name: string, state: VmState, op: LifecycleOp): void {
  if (!ALLOWED_FROM[op].includes(state)) {
    throw new HypervisorError('INVALID_STATE', `Cannot ${VERB[op]} "${name}": ${why(op, state)}`);
  }
}
