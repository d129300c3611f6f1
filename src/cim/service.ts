import type { Api, Principal, Transport } from '../api/index.js';
import { createClassRepository, INTEROP_NAMESPACE, VIRT_NAMESPACE } from './classes/index.js';
import type { ConsoleLimits } from './console-sessions.js';
import { ObjectManager } from './object-manager.js';
import type { CimContext } from './provider.js';
import { consoleProviders } from './providers/consoles.js';
import { deviceProviders } from './providers/devices.js';
import type { ProviderEnv } from './providers/env.js';
import { jobProviders } from './providers/jobs.js';
import { metricProviders } from './providers/metrics.js';
import { objectManagerProviders } from './providers/object-manager.js';
import { poolProviders } from './providers/pools.js';
import { profileProviders } from './providers/profiles.js';
import { settingsProviders } from './providers/settings.js';
import { softwareProviders } from './providers/software.js';
import { systemProviders } from './providers/systems.js';

/** Opens the Api for the principal of a CIM request (the local host's `openSession`, or a client). */
export type ApiFactory = (principal: Principal) => Api;

/** Options of the CIM service. */
export interface CimServiceOptions {
  /** The Api of each caller: opened for the request's user and role, not local, via `via`. */
  api: ApiFactory;
  /** The host's name, in the host system's Name key and in instance paths. */
  hostName: string;
  /** The edge the requests come through (default `cimxml`). */
  via?: Transport;
  /** How long a method waits for its job before it answers 4096 (default 2000 ms; 0 or negative: always a job). */
  syncMs?: number;
  /** The guest's time to shut down for RequestedState 4 and 10 (default 120 s); then it is powered off. */
  shutdownTimeoutMs?: number;
  /** The bounds of the serial console sessions of Vessel_TextConsoleService (default CONSOLE_LIMITS). */
  consoles?: Partial<ConsoleLimits>;
}

/** The CIM side of a Vessel host: the object manager with every provider registered. */
export interface CimService {
  om: ObjectManager;
  env: ProviderEnv;
  /** Ends the Api sessions the service opened. */
  close(): Promise<void>;
}

/** The most sessions kept open at once (one per user and role that called); beyond, the oldest is closed. */
const MAX_SESSIONS = 256;

/**
 * Builds the CIM service of a host: the class repository, every provider of DSP1042/DSP1057 and their component
 * profiles in `root/virtualization`, and profile registration in `root/interop`. The providers read and change
 * the host only through the Api session of each request's user and role, so the Api's role check, state
 * vocabulary, jobs and errors are CIM's too; the service keeps one session per user and role.
 *
 * @example
 * const cim = createCimService({ api: (p) => openSession(host, p), hostName: 'h1' });
 * await cim.om.enumerateInstances(newContext('admin', 'admin'), 'root/virtualization', 'CIM_ComputerSystem');
 */
export function createCimService(options: CimServiceOptions): CimService {
  const sessions = new Map<string, Api>();
  /** The session asked for last: a client's requests come one user after another, each asking once or twice. */
  let last: { user: string; role: string; api: Api } | undefined;
  const via = options.via ?? 'cimxml';
  const env: ProviderEnv = {
    hostName: options.hostName,
    api(ctx: CimContext): Api {
      if (last !== undefined && last.user === ctx.user && last.role === ctx.role) return last.api;
      const id = `${ctx.role}\u0000${ctx.user}`;
      let api = sessions.get(id);
      if (api === undefined) {
        if (sessions.size >= MAX_SESSIONS) {
          const [oldest, old] = sessions.entries().next().value as [string, Api];
          sessions.delete(oldest);
          void old.close().catch(() => undefined);
        }
        api = options.api({ user: ctx.user, role: ctx.role, local: false, via });
        sessions.set(id, api);
      }
      last = { user: ctx.user, role: ctx.role, api };
      return api;
    },
    syncMs: options.syncMs ?? 2000,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 120_000,
    startedAt: new Date(),
  };
  const om = new ObjectManager(createClassRepository());
  const consoles = consoleProviders(env, options.consoles);
  for (const p of [
    ...systemProviders(env),
    ...settingsProviders(env),
    ...deviceProviders(env),
    ...poolProviders(env),
    ...jobProviders(env),
    ...metricProviders(env),
    ...softwareProviders(env),
    ...consoles.providers,
  ])
    om.register(VIRT_NAMESPACE, p);
  const profiles = profileProviders(env);
  for (const p of [...profiles.interop, ...objectManagerProviders(env)]) om.register(INTEROP_NAMESPACE, p);
  om.register(INTEROP_NAMESPACE, profiles.conformance);
  om.register(VIRT_NAMESPACE, profiles.conformance);
  return {
    om,
    env,
    close: async () => {
      const open = [...sessions.values()];
      sessions.clear();
      last = undefined;
      await consoles.sessions.closeAll();
      await Promise.all(open.map((a) => a.close().catch(() => undefined)));
    },
  };
}
