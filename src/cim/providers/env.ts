import type { Api, SystemState } from '../../api/index.js';
import type { CimContext } from '../provider.js';
import type { CimInstance, CimInstanceName, CimValue } from '../types.js';

/**
 * What every provider shares: the host's name in paths, the Api session of each request's caller, and how long a
 * method waits for its job. CIM keeps no state of its own: systems, settings, states, jobs and pools are the
 * Api's.
 */
export interface ProviderEnv {
  /** The host's name, in the host system's Name key and in instance paths. */
  readonly hostName: string;
  /** The Api session of the operation's caller (its user and role), through which every read and change goes. */
  api(ctx: CimContext): Api;
  /** How long a method waits for its job before it answers 4096 with the job (ms; 0 or less: it never waits). */
  syncMs: number;
  /** The guest's time to shut down for RequestedState 4 and 10 (ms); then it is powered off, as the host does. */
  shutdownTimeoutMs: number;
  /** When the service started: the host's TimeOfLastStateChange. */
  readonly startedAt: Date;
}

const ACTIVE: ReadonlySet<SystemState> = new Set(['running', 'paused', 'starting', 'stopping']);

/**
 * True for a system that is active, or becoming or ceasing to be: it has logical devices and uses its pools.
 *
 * @example
 * isActive('paused'); // true
 */
export function isActive(state: SystemState): boolean {
  return ACTIVE.has(state);
}

/** What a method leaves of the caller's time for answering (a quarter of it, at most this many ms). */
const ANSWER_MARGIN_MS = 250;

/**
 * How long a method waits for its job (the Api's `waitMs`): the service's `syncMs`, and no longer than the caller's
 * deadline allows (less a margin for the answer), so that a caller with little time gets the job (4096) in time.
 *
 * @example
 * api.systems.define(def, { waitMs: waitOf(env, ctx) });
 */
export function waitOf(env: ProviderEnv, ctx?: CimContext): number {
  const wait = Math.max(env.syncMs, 0);
  if (ctx?.deadline === undefined) return wait;
  const left = ctx.deadline - Date.now();
  return Math.max(0, Math.min(wait, Math.floor(left - Math.min(ANSWER_MARGIN_MS, left / 4))));
}

/** An instance of `className` with the given properties (its path is filled in by the object manager). */
export function instance(className: string, properties: Record<string, CimValue | undefined>): CimInstance {
  return { className, properties };
}

/** An association instance between two paths. */
export function link(
  className: string,
  roleA: string,
  a: CimInstanceName,
  roleB: string,
  b: CimInstanceName,
  extra: Record<string, CimValue | undefined> = {},
): CimInstance {
  return { className, properties: { [roleA]: a, [roleB]: b, ...extra } };
}

/** A string key of a path, or undefined. */
export function key(name: CimInstanceName, k: string): string | undefined {
  const v = name.keys[k];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The state properties of a CIM_Service that runs whenever the host does (CIM_EnabledLogicalElement and
 * CIM_Service): enabled, no change requested (12 Not Applicable), OK, started automatically.
 *
 * @example
 * instance('Vessel_TextConsoleService', { Name: 'x', ...RUNNING_SERVICE });
 */
export const RUNNING_SERVICE: Readonly<Record<string, CimValue>> = {
  EnabledState: '2',
  RequestedState: '12',
  EnabledDefault: '2',
  HealthState: '5',
  OperationalStatus: ['2'],
  Started: 'true',
  StartMode: 'Automatic',
};
