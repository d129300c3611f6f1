import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendFromDriver, type Role } from '../../cim/index.js';
import { Host, USERS_FILE, UserStore } from '../../host/index.js';
import { TestDriver } from '../../hypervisor/index.js';
import { buildDefinition, DEFAULT_LIMITS } from '../../model/index.js';
import type { LoginLimits } from '../http/throttle.js';
import { backendFromHost } from './host-backend.js';
import { type CimXmlEndpoint, serveCimXml } from './serve.js';
import type { CimXmlLimits } from './server.js';

/** Options of {@link startTestHost}. */
export interface TestHostOptions {
  /** How many virtual systems to define (`vm1`..`vmN`, 1 vCPU, 64 MiB, one disk, one NIC). */
  vms?: number;
  /** Users to create: name, role, password (scrypt makes each take ~50 ms). */
  users?: Array<[string, Role, string]>;
  /** Also serve HTTPS with a generated certificate. */
  https?: boolean;
  /** CIM service method timing (see CimServiceOptions.syncMs). */
  syncMs?: number;
  hostName?: string;
  /** Server limits other than the defaults. */
  limits?: Partial<CimXmlLimits>;
  login?: Partial<LoginLimits>;
}

/** A CIM-XML server over the in-memory `test:///` driver, on 127.0.0.1 and free ports. */
export interface TestHost {
  url: string;
  httpsUrl?: string | undefined;
  driver: TestDriver;
  endpoint: CimXmlEndpoint;
  stateDir: string;
  close(): Promise<void>;
}

/**
 * Starts a complete CIM-XML endpoint on the test driver in a temporary state directory: what the conformance
 * suite, the wbemcli tests and the benchmarks run against (`vessel host serve` does the same on the host's
 * driver and store).
 *
 * @example
 * const h = await startTestHost({ vms: 3, users: [['admin', 'admin', 'secret']] });
 * // ... new CimClient(h.url, { user: 'admin', password: 'secret' })
 * await h.close();
 */
export async function startTestHost(o: TestHostOptions = {}): Promise<TestHost> {
  const stateDir = await mkdtemp(join(tmpdir(), 'vessel-cim-'));
  const users = new UserStore(join(stateDir, USERS_FILE));
  for (const [name, role, password] of o.users ?? [['admin', 'admin', 'secret']])
    await users.add(name, role, password);
  const driver = new TestDriver('test:///default', { checkFiles: false, shutdownDelayMs: 20 });
  for (let i = 1; i <= (o.vms ?? 0); i++)
    await driver.define(
      buildDefinition({
        name: `vm${i}`,
        cpus: 1,
        memoryBytes: 64n << 20n,
        disks: [`/var/lib/vessel/images/vm${i}.qcow2`],
        nics: [{ network: 'user' }],
      }),
    );
  const endpoint = await serveCimXml({
    backend: backendFromDriver(driver, { hostName: o.hostName ?? 'testhost', limits: DEFAULT_LIMITS }),
    stateDir,
    http: { port: 0 },
    https: o.https ? { port: 0, host: '127.0.0.1' } : undefined,
    syncMs: o.syncMs,
    shutdownTimeoutMs: 5000,
    limits: o.limits,
    login: o.login,
  });
  return {
    url: `http://127.0.0.1:${endpoint.server.httpPort}`,
    httpsUrl: endpoint.server.httpsPort ? `https://127.0.0.1:${endpoint.server.httpsPort}` : undefined,
    driver,
    endpoint,
    stateDir,
    close: async () => {
      await endpoint.close();
      await driver.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** A CIM-XML server on a real Vessel host (store, locks, jobs, pools) on the `test:///default` driver. */
export interface VesselHostServer {
  url: string;
  host: Host;
  endpoint: CimXmlEndpoint;
  stateDir: string;
  close(): Promise<void>;
}

/**
 * Starts what `vessel host serve --driver test:///default --cim-http PORT` runs, on 127.0.0.1 and a free port, in
 * a temporary state directory: the host's store and jobs behind the CIM providers, its storage pools as DSP1047
 * pools. Users as in {@link startTestHost} (default `admin`/`secret`).
 *
 * @example
 * const h = await startVesselHostServer();
 * const api = await CimXmlApi.connect({ url: h.url, user: 'admin', password: 'secret' });
 */
export async function startVesselHostServer(
  o: Pick<TestHostOptions, 'users' | 'syncMs' | 'hostName' | 'limits' | 'login'> & {
    /** Where the state directory is made (default the system's temporary folder). */
    parent?: string;
  } = {},
): Promise<VesselHostServer> {
  const stateDir = await mkdtemp(join(o.parent ?? tmpdir(), 'vessel-cimhost-'));
  let host: Host | undefined;
  try {
    host = await Host.open({ stateDir, driverUri: 'test:///default' });
    const users = new UserStore(join(stateDir, USERS_FILE));
    for (const [name, role, password] of o.users ?? [['admin', 'admin', 'secret']])
      await users.add(name, role, password);
    const opened = host;
    const endpoint = await serveCimXml({
      backend: {
        ...backendFromHost(opened, { hostName: o.hostName ?? 'testhost' }),
        storagePools: () => opened.pools.list(),
      },
      stateDir,
      http: { port: 0 },
      syncMs: o.syncMs,
      shutdownTimeoutMs: 5000,
      limits: o.limits,
      login: o.login,
    });
    return {
      url: `http://127.0.0.1:${endpoint.server.httpPort}`,
      host: opened,
      endpoint,
      stateDir,
      close: async () => {
        await endpoint.close();
        await opened.close({ stopVms: true });
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await host?.close({ stopVms: true });
    await rm(stateDir, { recursive: true, force: true });
    throw e;
  }
}
