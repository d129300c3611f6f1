import type { StateReasonCode, SystemState } from './state.js';

/**
 * libvirt's spelling of the state vocabulary (include/libvirt/libvirt-domain.h: virDomainState, the per-state
 * reason enums, virDomainEventType), for the libvirt driver (issue 13). Data plus one reader.
 */

/** virDomainState. */
export const VirDomainState = {
  NOSTATE: 0,
  RUNNING: 1,
  BLOCKED: 2,
  PAUSED: 3,
  SHUTDOWN: 4,
  SHUTOFF: 5,
  CRASHED: 6,
  PMSUSPENDED: 7,
} as const;

/** virDomainEventType (lifecycle events). */
export const VirDomainEvent = {
  DEFINED: 0,
  UNDEFINED: 1,
  STARTED: 2,
  SUSPENDED: 3,
  RESUMED: 4,
  STOPPED: 5,
  SHUTDOWN: 6,
  PMSUSPENDED: 7,
  CRASHED: 8,
} as const;

/** One row: a virDomainState, our state, our reason for each libvirt reason, and for any other reason. */
interface StateRow {
  state: SystemState;
  reasons: Readonly<Record<number, StateReasonCode>>;
  otherwise: StateReasonCode;
}

/**
 * Each virDomainState with its reasons (virDomainRunningReason, virDomainPausedReason, virDomainShutoffReason,
 * virDomainCrashedReason). A pause libvirt made itself (migration, save, snapshot, watchdog) is `hypervisor`.
 */
export const LIBVIRT_STATES: Readonly<Record<number, StateRow>> = {
  [VirDomainState.NOSTATE]: { state: 'unknown', reasons: {}, otherwise: 'unknown' },
  // RUNNING_UNKNOWN 0 is what a reconnecting daemon reports for a guest it found running: adopted.
  [VirDomainState.RUNNING]: {
    state: 'running',
    reasons: { 0: 'adopted', 1: 'booted', 5: 'unpaused' },
    otherwise: 'unknown',
  },
  [VirDomainState.BLOCKED]: { state: 'running', reasons: {}, otherwise: 'unknown' },
  [VirDomainState.PAUSED]: {
    state: 'paused',
    reasons: { 0: 'hypervisor', 1: 'user', 5: 'io-error', 10: 'panicked' },
    otherwise: 'hypervisor',
  },
  [VirDomainState.SHUTDOWN]: { state: 'stopping', reasons: {}, otherwise: 'shutdown' },
  [VirDomainState.SHUTOFF]: {
    state: 'stopped',
    reasons: {
      0: 'defined',
      1: 'shutdown',
      2: 'powered-off',
      3: 'process-exited',
      5: 'saved',
      6: 'start-failed',
      8: 'host-stopped',
    },
    otherwise: 'unknown',
  },
  [VirDomainState.CRASHED]: { state: 'crashed', reasons: { 1: 'panicked' }, otherwise: 'unknown' },
  [VirDomainState.PMSUSPENDED]: { state: 'suspended', reasons: {}, otherwise: 'unknown' },
};

/** SHUTOFF's reason SAVED (virDomainShutoffReason 5). */
const SHUTOFF_SAVED = 5;

/**
 * Our state and reason for what virDomainGetState answered. A shut-off domain saved with a managed save image
 * (virDomainHasManagedSaveImage) is `suspended`: starting it resumes; saved to a file of the caller's, `stopped`.
 *
 * @example
 * fromLibvirtState(5, 2);                           // { state: 'stopped', reason: 'powered-off' }
 * fromLibvirtState(5, 5, { managedSave: true });    // { state: 'suspended', reason: 'saved' }
 */
export function fromLibvirtState(
  state: number,
  reason: number,
  o: { managedSave?: boolean } = {},
): { state: SystemState; reason: StateReasonCode } {
  const row = LIBVIRT_STATES[state];
  if (row === undefined) return { state: 'unknown', reason: 'unknown' };
  if (state === VirDomainState.SHUTOFF && reason === SHUTOFF_SAVED && o.managedSave === true) {
    return { state: 'suspended', reason: 'saved' };
  }
  return { state: row.state, reason: row.reasons[reason] ?? row.otherwise };
}

/**
 * The virDomainState each of our states is, for what speaks libvirt's vocabulary; `starting` is the host's own
 * (undefined).
 */
export const LIBVIRT_STATE_OF: Readonly<Record<SystemState, number | undefined>> = {
  stopped: VirDomainState.SHUTOFF,
  starting: undefined,
  running: VirDomainState.RUNNING,
  paused: VirDomainState.PAUSED,
  stopping: VirDomainState.SHUTDOWN,
  suspended: VirDomainState.PMSUSPENDED,
  crashed: VirDomainState.CRASHED,
  unknown: VirDomainState.NOSTATE,
};

/**
 * The state a lifecycle event announces. DEFINED and UNDEFINED are not state changes (a running domain can be
 * redefined): they become `system.defined` and `system.undefined` events, so they map to undefined here.
 */
export const LIBVIRT_EVENT_STATE: Readonly<Record<number, SystemState | undefined>> = {
  [VirDomainEvent.DEFINED]: undefined,
  [VirDomainEvent.UNDEFINED]: undefined,
  [VirDomainEvent.STARTED]: 'running',
  [VirDomainEvent.SUSPENDED]: 'paused',
  [VirDomainEvent.RESUMED]: 'running',
  [VirDomainEvent.STOPPED]: 'stopped',
  [VirDomainEvent.SHUTDOWN]: 'stopping',
  [VirDomainEvent.PMSUSPENDED]: 'suspended',
  [VirDomainEvent.CRASHED]: 'crashed',
};
