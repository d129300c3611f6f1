import { ApiError } from './errors.js';
import { oneOf } from './schema.js';
import type { DomainState, SystemState } from './state.js';

/**
 * The one operation vocabulary. A {@link StateOperation} is what `systems.changeState` takes (the CLI's
 * `vm stop` is `shutdown`, `--force` is `powerOff`); an {@link Operation} is what a job does or a driver offers.
 * {@link ALLOWED_FROM} says from which states each may be asked (DSP1057's state model, libvirt's rules), and
 * the CIM RequestedState of each is a table in cim-values.ts.
 */

/** The state changes, in the order tables list them. */
export const STATE_OPERATIONS = [
  'start',
  'resume',
  'shutdown',
  'powerOff',
  'reboot',
  'reset',
  'pause',
  'suspend',
] as const;

/**
 * A state change: `shutdown` asks the guest (ACPI), `powerOff` pulls the plug, `reboot` asks the guest to
 * restart, `reset` presses the reset button, `suspend` saves the memory and stops (libvirt managed save).
 */
export type StateOperation = (typeof STATE_OPERATIONS)[number];

/** Every operation a job can run or a driver can offer. */
export const OPERATIONS = [
  ...STATE_OPERATIONS,
  'define',
  'undefine',
  'modify',
  'attachDevice',
  'detachDevice',
  'setMemory',
  'deploy',
  'export',
  'console',
  'stats',
  'poolAdd',
  'poolRemove',
  'imageUpload',
  'userAdd',
  'userRemove',
] as const;

/** An operation (see {@link OPERATIONS}); `modify` covers settings and resource changes of a stopped system. */
export type Operation = (typeof OPERATIONS)[number];

/** Wire schema of {@link StateOperation}. */
export const StateOperationSchema = oneOf(STATE_OPERATIONS);

/** Wire schema of {@link Operation}. */
export const OperationSchema = oneOf(OPERATIONS);

/** Checks a string against the state operations (what a CLI word or a peer sent). */
export function isStateOperation(text: string): text is StateOperation {
  return (STATE_OPERATIONS as readonly string[]).includes(text);
}

/** The operations whose validity depends on the current state. */
export type CheckedOperation = StateOperation | 'undefine' | 'modify';

/**
 * From which states each operation may be asked. `powerOff` also preempts a system that is starting or stopping,
 * clears a crashed one and discards a suspended one's saved memory (DSP1057: Suspended -> Defined by
 * RequestedState 3); `start` restarts a crashed one. Definitions change only while stopped.
 */
export const ALLOWED_FROM: Readonly<Record<CheckedOperation, readonly SystemState[]>> = {
  start: ['stopped', 'crashed'],
  resume: ['paused', 'suspended'],
  shutdown: ['running'],
  powerOff: ['running', 'paused', 'starting', 'stopping', 'crashed', 'suspended'],
  reboot: ['running'],
  reset: ['running'],
  pause: ['running'],
  suspend: ['running', 'paused'],
  undefine: ['stopped'],
  modify: ['stopped'],
};

/** The state each state change ends in once done (`shutdown`: once the guest has powered off). */
export const ENDS_IN: Readonly<Record<StateOperation, DomainState>> = {
  start: 'running',
  resume: 'running',
  shutdown: 'stopped',
  powerOff: 'stopped',
  reboot: 'running',
  reset: 'running',
  pause: 'paused',
  suspend: 'suspended',
};

/** Each operation as a verb in messages: `Cannot <verb> "web1": ...`. */
export const VERB: Readonly<Record<CheckedOperation, string>> = {
  start: 'start',
  resume: 'resume',
  shutdown: 'shut down',
  powerOff: 'power off',
  reboot: 'reboot',
  reset: 'reset',
  pause: 'pause',
  suspend: 'suspend',
  undefine: 'undefine',
  modify: 'modify',
};

/** The operations that may be asked in a state, in {@link STATE_OPERATIONS} order. */
export function operationsFrom(state: SystemState): StateOperation[] {
  return STATE_OPERATIONS.filter((op) => ALLOWED_FROM[op].includes(state));
}

function why(op: CheckedOperation, state: SystemState): string {
  if (state === 'unknown') return 'its state is unknown';
  if (op !== 'undefine' && op !== 'modify' && ENDS_IN[op] === state) return `it is already ${state}`;
  if (op === 'start' && (state === 'paused' || state === 'suspended'))
    return `it is ${state}; resume it instead`;
  if ((op === 'undefine' || op === 'modify') && state !== 'stopped') return `it is ${state}; stop it first`;
  return `it is ${state}`;
}

/**
 * Why `op` cannot be asked of the system `name` in `state`, as the message users see, or undefined when it may.
 * Drivers that throw their own error use this text; the host throws {@link checkTransition}'s.
 *
 * @example
 * transitionRefusal('web1', 'running', 'start'); // 'Cannot start "web1": it is already running'
 * transitionRefusal('web1', 'stopped', 'start'); // undefined
 */
export function transitionRefusal(
  name: string,
  state: SystemState,
  op: CheckedOperation,
): string | undefined {
  if (ALLOWED_FROM[op].includes(state)) return undefined;
  return `Cannot ${VERB[op]} "${name}": ${why(op, state)}`;
}

/**
 * Throws `INVALID_STATE` with a message that says what and why when `op` does not apply in `state`.
 *
 * @example
 * checkTransition('web1', 'paused', 'start'); // throws: Cannot start "web1": it is paused; resume it instead
 */
export function checkTransition(name: string, state: SystemState, op: CheckedOperation): void {
  const refusal = transitionRefusal(name, state, op);
  if (refusal !== undefined) throw new ApiError('INVALID_STATE', refusal);
}
