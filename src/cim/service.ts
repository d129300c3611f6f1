import type { VirtualSystemBackend } from './backend.js';
import { createClassRepository, INTEROP_NAMESPACE, VIRT_NAMESPACE } from './classes/index.js';
import { JobStore } from './jobs.js';
import { toCimError } from './methods/errors-map.js';
import { ObjectManager } from './object-manager.js';
import { deviceProviders } from './providers/devices.js';
import type { ProviderEnv } from './providers/env.js';
import { jobProviders } from './providers/jobs.js';
import { poolProviders } from './providers/pools.js';
import { profileProviders } from './providers/profiles.js';
import { settingsProviders } from './providers/settings.js';
import { systemProviders } from './providers/systems.js';

/** Options of the CIM service. */
export interface CimServiceOptions {
  backend: VirtualSystemBackend;
  /** How long a method may take before it answers 4096 and leaves a job (default 2000 ms; negative: always a job). */
  syncMs?: number;
  /** How long an orderly shutdown may take before its job fails (default 120 s). */
  shutdownTimeoutMs?: number;
  /** How long finished jobs stay visible (default 5 minutes). */
  jobKeepMs?: number;
}

/** The CIM side of a Vessel host: the object manager with every provider registered, and its jobs. */
export interface CimService {
  om: ObjectManager;
  env: ProviderEnv;
  /** Stops listening to the backend. */
  close(): void;
}

/**
 * Builds the CIM service of a host: the class repository, every provider of DSP1042/DSP1057 and their component
 * profiles in `root/virtualization`, and profile registration in `root/interop`.
 *
 * @example
 * const cim = createCimService({ backend: backendFromDriver(driver, { hostName: 'h1', limits: DEFAULT_LIMITS }) });
 * await cim.om.enumerateInstances(newContext('admin', 'admin'), 'root/virtualization', 'CIM_ComputerSystem');
 */
export function createCimService(options: CimServiceOptions): CimService {
  const env: ProviderEnv = {
    backend: options.backend,
    jobs: new JobStore(options.jobKeepMs, undefined, toCimError),
    requested: new Map(),
    changedAt: new Map(),
    syncMs: options.syncMs ?? 2000,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 120_000,
    startedAt: new Date(),
  };
  const om = new ObjectManager(createClassRepository());
  for (const p of [
    ...systemProviders(env),
    ...settingsProviders(env),
    ...deviceProviders(env),
    ...poolProviders(env),
    ...jobProviders(env),
  ])
    om.register(VIRT_NAMESPACE, p);
  const profiles = profileProviders(env);
  for (const p of profiles.interop) om.register(INTEROP_NAMESPACE, p);
  om.register(INTEROP_NAMESPACE, profiles.conformance);
  om.register(VIRT_NAMESPACE, profiles.conformance);
  const unsubscribe = options.backend.subscribe((e) => {
    if (e.kind === 'state' || e.state !== undefined) env.changedAt.set(e.uuid, e.time);
  });
  return { om, env, close: unsubscribe };
}
