import type { ArtifactsApi } from './artifacts.js';
import type { ConsolesApi } from './consoles.js';
import type { EventsApi } from './events.js';
import type { HostApi } from './host.js';
import type { JobsApi } from './jobs.js';
import type { MetricsApi } from './metrics.js';
import type { NetworksApi } from './networks.js';
import type { PackagesApi } from './packages.js';
import type { PoolsApi } from './pools.js';
import type { SystemsApi } from './systems.js';
import type { UsersApi } from './users.js';

/**
 * Every operation of a Vessel host, whatever carries it: in process, unix socket, CIM-XML, WS-Man, REST. The
 * local host implements it for a principal (`LocalHost.session`); clients implement it over their transport; the
 * CLI, the CIM providers and the servers hold one. A transport that cannot carry a method throws NOT_SUPPORTED.
 *
 * @example
 * async function stopAll(api: Api): Promise<void> {
 *   for (const s of await api.systems.list({ states: ['running'] })) {
 *     await api.systems.changeState(s.uuid, 'shutdown', { waitMs: Number.POSITIVE_INFINITY });
 *   }
 * }
 */
export interface Api {
  readonly host: HostApi;
  readonly systems: SystemsApi;
  readonly jobs: JobsApi;
  readonly events: EventsApi;
  readonly packages: PackagesApi;
  readonly artifacts: ArtifactsApi;
  readonly consoles: ConsolesApi;
  readonly pools: PoolsApi;
  readonly users: UsersApi;
  readonly networks: NetworksApi;
  readonly metrics: MetricsApi;
  /** Ends the connection (in process: ends the session's subscriptions). */
  close(): Promise<void>;
}

/** The namespaces of the Api (every key but `close`). */
export type ApiNamespace = Exclude<keyof Api, 'close'>;

/**
 * `'systems.list' | 'jobs.wait' | …`, derived from {@link Api}: a method missing from METHODS does not compile.
 */
export type ApiMethodName = {
  [N in ApiNamespace]: `${N}.${keyof Api[N] & string}`;
}[ApiNamespace];
