import type { VmState } from '../types.js';

/** virDomainState (libvirt-domain.h) as Vessel's states, with libvirt's words for each. */
const STATES: readonly { state: VmState; word: string }[] = [
  { state: 'stopped', word: 'no state' },
  { state: 'running', word: 'running' },
  { state: 'running', word: 'blocked' },
  { state: 'paused', word: 'paused' },
  { state: 'running', word: 'shutting down' },
  { state: 'stopped', word: 'shut off' },
  { state: 'stopped', word: 'crashed' },
  { state: 'paused', word: 'suspended by guest power management' },
];

/** The reason words of each state (virDomainRunningReason, virDomainPausedReason, virDomainShutoffReason...). */
const REASONS: Record<number, readonly string[]> = {
  1: [
    'unknown',
    'booted',
    'migrated',
    'restored',
    'from snapshot',
    'unpaused',
    'migration canceled',
    'save canceled',
    'woken up',
    'crashed',
    'post-copy',
    'post-copy failed',
  ],
  3: [
    'unknown',
    'paused by the user',
    'migrating',
    'saving',
    'dumping',
    'I/O error',
    'watchdog',
    'from snapshot',
    'shutting down',
    'snapshot',
    'crashed',
    'starting up',
    'post-copy',
    'post-copy failed',
    'API error',
  ],
  4: ['unknown', 'guest shutdown'],
  5: [
    'unknown',
    'guest powered off',
    'powered off',
    'crashed',
    'migrated',
    'saved',
    'failed',
    'from snapshot',
    'daemon restarted',
  ],
  6: ['unknown', 'panicked'],
};

/**
 * A domain's state as Vessel's, with a reason in words: the reason's (`guest powered off`, `powered off` for
 * destroyed, `paused by the user`), else the state's (`running`, `shut off`).
 *
 * @example
 * domainState(5, 1); // { state: 'stopped', reason: 'guest powered off' }
 */
export function domainState(state: number, reason: number): { state: VmState; reason: string } {
  const s = STATES[state] ?? { state: 'stopped', word: `state ${state}` };
  const why = REASONS[state]?.[reason];
  return { state: s.state, reason: why === undefined || why === 'unknown' ? s.word : why };
}

/** virDomainEventType and the detail words of each (libvirt-domain.h), with the state the event leaves. */
const EVENTS: readonly { state?: VmState; word: string; details: readonly string[] }[] = [
  { word: 'defined', details: ['added', 'updated', 'renamed', 'from snapshot'] },
  { word: 'undefined', details: ['removed', 'renamed'] },
  {
    state: 'running',
    word: 'started',
    details: ['booted', 'migrated', 'restored', 'from snapshot', 'woken up'],
  },
  {
    state: 'paused',
    word: 'suspended',
    details: [
      'paused',
      'migrated',
      'I/O error',
      'watchdog',
      'restored',
      'from snapshot',
      'API error',
      'post-copy',
      'post-copy failed',
    ],
  },
  {
    state: 'running',
    word: 'resumed',
    details: ['unpaused', 'migrated', 'from snapshot', 'post-copy', 'post-copy failed'],
  },
  {
    state: 'stopped',
    word: 'stopped',
    details: ['guest powered off', 'powered off', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot'],
  },
  { word: 'shutdown', details: ['finished', 'guest', 'host'] },
  { state: 'paused', word: 'pmsuspended', details: ['memory', 'disk'] },
  { state: 'stopped', word: 'crashed', details: ['panicked', 'crashloaded'] },
];

/**
 * A lifecycle event (virDomainEventType, detail) as the state it leaves (undefined: no state change, e.g. defined)
 * and a reason in words.
 *
 * @example
 * lifecycleEvent(5, 1); // { state: 'stopped', reason: 'powered off', guest: false }
 */
export function lifecycleEvent(
  event: number,
  detail: number,
): { state?: VmState; reason: string; guest: boolean } {
  const e = EVENTS[event];
  if (e === undefined) return { reason: `event ${event}`, guest: false };
  const word = e.details[detail];
  const reason = word ?? e.word;
  const guest = (event === 5 && detail === 0) || (event === 6 && detail === 1) || event === 8;
  return e.state === undefined ? { reason, guest } : { state: e.state, reason, guest };
}
