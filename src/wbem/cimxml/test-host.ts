import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Api, type Principal, type Role, resultOf } from '../../api/index.js';
import { DEFAULT_POOL, Host, openSession, USERS_FILE, UserStore } from '../../host/index.js';
import type { TestDriver } from '../../hypervisor/index.js';
import { buildDefinition } from '../../model/index.js';
import type { LoginLimits } from '../http/throttle.js';
import { hostApiFactory } from './host-api.js';
import { type CimXmlEndpoint, type ServeCimXmlOptions, serveCimXml } from './serve.js';
import type { CimXmlLimits } from './server.js';

/** Options of {@link startTestHost}. */
export interface TestHostOptions {
  /** How many virtual systems to define (`vm1`..`vmN`, 1 vCPU, 64 MiB, one disk, one NIC). */
  vms?: number;
  /** Users to create: name, role, password (scrypt makes each take ~50 ms). */
  users?: Array<[string, Role, string]>;
  /** Also serve HTTPS with a generated certificate. */
  https?: boolean;
  /** How long a CIM method waits for its job (see CimServiceOptions.syncMs). */
  syncMs?: number;
  hostName?: string;
  /** Also serve WS-Man over HTTP (and HTTPS when `https`) on free ports. */
  wsman?: boolean;
  /** Server limits other than the defaults. */
  limits?: Partial<CimXmlLimits>;
  login?: Partial<LoginLimits>;
  /** Where the state directory is made (default the system's temporary folder). */
  parent?: string;
  /** Indication delivery settings (retry policy, timeout) other than the defaults. */
  indications?: ServeCimXmlOptions['indications'];
  /** The host's driver (default `test:///default`; e.g. `libvirt:test:///FILE?socket=...`). */
  driverUri?: string;
}

/**
 * A CIM-XML server on a real Vessel host (store, jobs, per-system locks, storage pools) with the in-memory
 * `test:///default` driver, on 127.0.0.1 and free ports, in a temporary state directory.
 */
export interface TestHost {
  url: string;
  httpsUrl?: string | undefined;
  /** `http://127.0.0.1:PORT/wsman` when `wsman` is on. */
  wsmanUrl?: string | undefined;
  wsmanHttpsUrl?: string | undefined;
  /** The host behind the server. */
  host: Host;
  /** An admin session of the host's own user (in process): what the socket and the CLI hold. */
  api: Api;
  /** The host's driver, for tests that look underneath the host (a TestDriver unless `driverUri` said otherwise). */
  driver: TestDriver;
  endpoint: CimXmlEndpoint;
  stateDir: string;
  /** The host's default storage pool (`STATE/images`): images given to systems must lie in a pool. */
  imagesDir: string;
  /** Makes an (empty, raw) image in the default pool and answers its path. */
  image(name: string): Promise<string>;
  close(): Promise<void>;
}

const LOCAL_ADMIN: Principal = { user: 'local', role: 'admin', local: true, via: 'in-process' };

/**
 * Starts what `vessel host serve --driver test:///default --cim-http PORT` runs: a Host on the test driver behind
 * the CIM providers (through `hostApiFactory`, one Api session per CIM user and role), the users given (default
 * `admin`/`secret`), and `vms` systems defined through the host with their images in its default pool. What the
 * conformance suite, the wbemcli tests and the benchmarks run against.
 *
 * @example
 * const h = await startTestHost({ vms: 3, users: [['admin', 'admin', 'secret']] });
 * // ... new CimClient(h.url, { user: 'admin', password: 'secret' })
 * await h.close();
 */
export async function startTestHost(o: TestHostOptions = {}): Promise<TestHost> {
  const stateDir = await mkdtemp(join(o.parent ?? tmpdir(), 'vessel-cim-'));
  let host: Host | undefined;
  try {
    host = await Host.open({ stateDir, driverUri: o.driverUri ?? 'test:///default' });
    const opened = host;
    const users = new UserStore(join(stateDir, USERS_FILE));
    for (const [name, role, password] of o.users ?? [['admin', 'admin', 'secret']])
      await users.add(name, role, password);
    const api = openSession(opened, LOCAL_ADMIN);
    const imagesDir = opened.pools.get(DEFAULT_POOL).path;
    const image = async (name: string) => {
      const path = join(imagesDir, name);
      await writeFile(path, '', { flag: 'a' });
      return path;
    };
    const forever = { waitMs: Number.POSITIVE_INFINITY };
    for (let i = 1; i <= (o.vms ?? 0); i++) {
      const def = buildDefinition({
        name: `vm${i}`,
        cpus: 1,
        memoryBytes: 64n << 20n,
        disks: [await image(`vm${i}.qcow2`)],
        nics: [{ network: 'user' }],
      });
      resultOf(await api.systems.define(def, forever));
    }
    const endpoint = await serveCimXml({
      api: hostApiFactory(opened),
      hostName: o.hostName ?? 'testhost',
      stateDir,
      http: { port: 0 },
      https: o.https ? { port: 0, host: '127.0.0.1' } : undefined,
      syncMs: o.syncMs,
      shutdownTimeoutMs: 5000,
      limits: o.limits,
      login: o.login,
      indications: o.indications,
      wsman: o.wsman
        ? { http: { port: 0 }, https: o.https ? { port: 0, host: '127.0.0.1' } : undefined }
        : undefined,
    });
    const ws = endpoint.wsman;
    return {
      url: `http://127.0.0.1:${endpoint.server.httpPort}`,
      httpsUrl: endpoint.server.httpsPort ? `https://127.0.0.1:${endpoint.server.httpsPort}` : undefined,
      wsmanUrl: ws?.httpPort ? `http://127.0.0.1:${ws.httpPort}/wsman` : undefined,
      wsmanHttpsUrl: ws?.httpsPort ? `https://127.0.0.1:${ws.httpsPort}/wsman` : undefined,
      host: opened,
      api,
      driver: opened.driver as TestDriver,
      endpoint,
      stateDir,
      imagesDir,
      image,
      close: async () => {
        await endpoint.close();
        await api.close();
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

/** The same server without systems, as the Api conformance through CimXmlApi runs it. */
export type VesselHostServer = TestHost;

/**
 * Starts what `vessel host serve --driver test:///default --cim-http PORT` runs, with no systems: see
 * {@link startTestHost}.
 *
 * @example
 * const h = await startVesselHostServer();
 * const api = await CimXmlApi.connect({ url: h.url, user: 'admin', password: 'secret' });
 */
export function startVesselHostServer(
  o: Pick<
    TestHostOptions,
    'users' | 'syncMs' | 'hostName' | 'limits' | 'login' | 'parent' | 'wsman' | 'https' | 'driverUri'
  > = {},
): Promise<VesselHostServer> {
  return startTestHost(o);
}
