import type { JobState } from './jobs.js';
import { ALLOWED_FROM, type StateOperation } from './operations.js';
import type { SystemState } from './state.js';

/**
 * The CIM spelling of the state and operation vocabularies (CIM 2.41 CIM_EnabledLogicalElement,
 * CIM_ManagedSystemElement, CIM_ConcreteJob; DSP1057's virtual system state model, ../shared/cim/REFERENCE.md §4).
 * Data only: the CIM providers (src/cim) and the CIM-XML client read these tables; tests check them whole.
 */

/** CIM_EnabledLogicalElement.EnabledState values Vessel uses. */
export const EnabledState = {
  Unknown: 0,
  Enabled: 2,
  Disabled: 3,
  ShuttingDown: 4,
  EnabledButOffline: 6,
  Quiesce: 9,
  Starting: 10,
} as const;

/** CIM_ManagedSystemElement.OperatingStatus values Vessel uses. */
export const OperatingStatus = {
  Unknown: 0,
  Starting: 3,
  Stopping: 4,
  Stopped: 5,
  Aborted: 6,
  Dormant: 7,
  InService: 16,
} as const;

/** CIM_ManagedSystemElement.OperationalStatus values Vessel uses. */
export const OperationalStatus = { Unknown: 0, OK: 2, Error: 6 } as const;

/** How a system in one state looks in CIM. */
export interface CimStateValues {
  enabledState: number;
  operatingStatus: number;
  operationalStatus: number;
}

/**
 * Each state's CIM properties. `crashed` is Disabled like `stopped` (DSP1057 has no crashed state) and says so in
 * OperationalStatus (Error) and OperatingStatus (Aborted).
 *
 * @example
 * CIM_STATE_OF.paused.enabledState; // 9 Quiesce
 */
export const CIM_STATE_OF: Readonly<Record<SystemState, CimStateValues>> = {
  stopped: { enabledState: 3, operatingStatus: 5, operationalStatus: 2 },
  starting: { enabledState: 10, operatingStatus: 3, operationalStatus: 2 },
  running: { enabledState: 2, operatingStatus: 16, operationalStatus: 2 },
  paused: { enabledState: 9, operatingStatus: 7, operationalStatus: 2 },
  stopping: { enabledState: 4, operatingStatus: 4, operationalStatus: 2 },
  suspended: { enabledState: 6, operatingStatus: 7, operationalStatus: 2 },
  crashed: { enabledState: 3, operatingStatus: 6, operationalStatus: 6 },
  unknown: { enabledState: 0, operatingStatus: 0, operationalStatus: 0 },
};

/**
 * The RequestedState (CIM_EnabledLogicalElement.RequestStateChange) of each state change: 2 Enabled, 3 Disabled,
 * 4 Shut Down, 6 Offline, 9 Quiesce, 10 Reboot, 11 Reset.
 */
export const REQUESTED_STATE_OF: Readonly<Record<StateOperation, number>> = {
  start: 2,
  resume: 2,
  shutdown: 4,
  powerOff: 3,
  reboot: 10,
  reset: 11,
  pause: 9,
  suspend: 6,
};

/** RequestedState 12 "Not Applicable": no change was asked. */
export const REQUESTED_NOT_APPLICABLE = 12;

/**
 * The RequestedState property of a system whose last asked change was `op`.
 *
 * @example
 * requestedStateOf(undefined); // 12
 */
export function requestedStateOf(op: StateOperation | undefined): number {
  return op === undefined ? REQUESTED_NOT_APPLICABLE : REQUESTED_STATE_OF[op];
}

/**
 * The state change a RequestedState asks of a system in `state`: 2 is `resume` from paused or suspended and
 * `start` otherwise (whose refusal then says why). Undefined for values Vessel does not offer (7 Test, 8 Defer,
 * vendor values): the caller answers Not Supported.
 *
 * @example
 * operationForRequestedState(2, 'paused');  // 'resume'
 * operationForRequestedState(2, 'running'); // 'start' (then INVALID_STATE: it is already running)
 */
export function operationForRequestedState(
  requested: number,
  state: SystemState,
): StateOperation | undefined {
  if (requested === 2) return state === 'paused' || state === 'suspended' ? 'resume' : 'start';
  for (const [op, value] of Object.entries(REQUESTED_STATE_OF)) {
    if (value === requested && op !== 'start' && op !== 'resume') return op as StateOperation;
  }
  return undefined;
}

/**
 * AvailableRequestedStates of a system in `state`: the RequestedState of every operation {@link ALLOWED_FROM}
 * permits there and the host supports, sorted, without repeats. Derived, never hand-listed.
 *
 * @example
 * availableRequestedStates('running', ['start', 'shutdown', 'powerOff', 'reboot', 'reset', 'pause', 'resume']);
 * // [3, 4, 9, 10, 11]
 */
export function availableRequestedStates(state: SystemState, supported: readonly StateOperation[]): number[] {
  const out = new Set<number>();
  for (const op of supported) if (ALLOWED_FROM[op].includes(state)) out.add(REQUESTED_STATE_OF[op]);
  return [...out].sort((a, b) => a - b);
}

/** RequestedStatesSupported (CIM_EnabledLogicalElementCapabilities) for the operations the host supports. */
export function requestedStatesSupported(supported: readonly StateOperation[]): number[] {
  return [...new Set(supported.map((op) => REQUESTED_STATE_OF[op]))].sort((a, b) => a - b);
}

/** Hyper-V's vendor EnabledState values a CIM-XML client meets (REFERENCE.md §4c), and what they mean. */
const VENDOR_STATES: Readonly<Record<number, SystemState>> = {
  32768: 'paused',
  32769: 'suspended',
  32770: 'starting',
  32774: 'stopping',
};

/**
 * The state a CIM-XML client reads from a remote system's EnabledState (and OperationalStatus, which tells a
 * crashed system from a stopped one). DMTF values, then Hyper-V's vendor ones; anything else is `unknown`.
 *
 * @example
 * systemStateFromCim(3, [6]);  // 'crashed'
 * systemStateFromCim(32768);   // 'paused' (Hyper-V)
 */
export function systemStateFromCim(
  enabledState: number,
  operationalStatus: readonly number[] = [],
): SystemState {
  if (enabledState === 3 && operationalStatus.includes(OperationalStatus.Error)) return 'crashed';
  for (const [state, v] of Object.entries(CIM_STATE_OF)) {
    if (v.enabledState === enabledState && state !== 'crashed') return state as SystemState;
  }
  return VENDOR_STATES[enabledState] ?? 'unknown';
}

/** CIM_ConcreteJob.JobState of each job state: 2 New, 4 Running, 7 Completed, 8 Terminated, 10 Exception. */
export const CIM_JOB_STATE_OF: Readonly<Record<JobState, number>> = {
  queued: 2,
  running: 4,
  completed: 7,
  cancelled: 8,
  failed: 10,
};
