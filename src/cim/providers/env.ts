import type { SystemState, VirtualSystemBackend } from '../backend.js';
import type { JobStore } from '../jobs.js';
import type { CimInstance, CimInstanceName, CimValue } from '../types.js';

/** What every provider shares: the backend, the jobs, and the CIM-only state kept per virtual system. */
export interface ProviderEnv {
  backend: VirtualSystemBackend;
  jobs: JobStore;
  /** The last RequestedState asked of each system, by UUID (12 Not Applicable when never asked). */
  requested: Map<string, number>;
  /** When each system last changed state, by UUID (TimeOfLastStateChange). */
  changedAt: Map<string, Date>;
  /** How long a method may run before it answers 4096 and leaves a job (ms). */
  syncMs: number;
  /** How long an orderly shutdown (RequestedState 4) may take before its job fails (ms). */
  shutdownTimeoutMs: number;
  /** When the service started: the host's TimeOfLastStateChange. */
  startedAt: Date;
}

/**
 * EnabledState of a virtual system (DSP1057 §7.x): running 2 Enabled, stopped 3 Disabled, paused 9 Quiesce,
 * and while changing 10 Starting or 4 Shutting Down.
 */
export function enabledState(state: SystemState): number {
  switch (state) {
    case 'running':
      return 2;
    case 'paused':
      return 9;
    case 'starting':
      return 10;
    case 'stopping':
      return 4;
    default:
      return 3;
  }
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
