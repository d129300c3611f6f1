import { Type } from '@sinclair/typebox';
import { oneOf } from './schema.js';

/**
 * The one state vocabulary of a virtual system, whatever carries it. Drivers report the stable states
 * ({@link DomainState}); the host adds `starting` and `stopping` while a job changes the state; a transport that
 * cannot tell says `unknown`. The CIM and libvirt spellings of each state are tables in cim-values.ts and
 * libvirt-values.ts.
 */

/** Every state, in the order tables list them. */
export const SYSTEM_STATES = [
  'stopped',
  'starting',
  'running',
  'paused',
  'stopping',
  'suspended',
  'crashed',
  'unknown',
] as const;

/**
 * The state of a virtual system. `suspended`: its memory is saved and it is not running (DSP1057 "Suspended",
 * libvirt managed save); `crashed`: the guest crashed and the hypervisor kept it for inspection (libvirt CRASHED).
 */
export type SystemState = (typeof SYSTEM_STATES)[number];

/** The states a driver reports; `starting`/`stopping` are the host's while a job runs, `unknown` a transport's. */
export type DomainState = Extract<SystemState, 'stopped' | 'running' | 'paused' | 'suspended' | 'crashed'>;

/** The states a driver reports, as a list. */
export const DOMAIN_STATES: readonly DomainState[] = ['stopped', 'running', 'paused', 'suspended', 'crashed'];

/** Why a system is in its state, for machines to compare (the reason's text is for people). */
export const STATE_REASON_CODES = [
  'defined',
  'shutdown',
  'powered-off',
  'forced-after-timeout',
  'start-failed',
  'process-exited',
  'host-stopped',
  'booted',
  'unpaused',
  'adopted',
  'user',
  'io-error',
  'hypervisor',
  'panicked',
  'saved',
  'unknown',
] as const;

/** A reason code (see {@link STATE_REASON_CODES}). */
export type StateReasonCode = (typeof STATE_REASON_CODES)[number];

/**
 * Why a system is in its state: a code to compare and the text users see.
 *
 * @example
 * const r: StateReason = { code: 'shutdown', text: 'guest powered off (ACPI shutdown)' };
 */
export interface StateReason {
  code: StateReasonCode;
  text: string;
}

/** Checks a string against the state vocabulary. */
export function isSystemState(text: string): text is SystemState {
  return (SYSTEM_STATES as readonly string[]).includes(text);
}

/** Wire schema of {@link SystemState}. */
export const SystemStateSchema = oneOf(SYSTEM_STATES);

/** Wire schema of {@link StateReason}. */
export const StateReasonSchema = Type.Object({
  code: oneOf(STATE_REASON_CODES),
  text: Type.String({ maxLength: 1024 }),
});
