import type { Api } from '../../../api/index.js';
import { CimClient, type CimClientOptions } from '../client.js';
import { CimConsoles } from './consoles.js';
import { CimHost } from './host.js';
import { Inventory } from './inventory.js';
import { ClientJobs } from './jobs.js';
import { CimMetrics } from './metrics.js';
import type { CimOperations } from './operations.js';
import { CimPools } from './pools.js';
import { CimSession, discover } from './session.js';
import { CimSystems } from './systems.js';
import { cimArtifacts, cimEvents, cimNetworks, cimPackages, cimUsers } from './unsupported.js';

/** How to reach a CIM-XML host: its endpoint and the client's options (user, password, CA, timeouts, sizes). */
export interface CimXmlConnectOptions extends Omit<CimClientOptions, 'namespace'> {
  /** `http(s)://host:port[/cimom]`. */
  url: string | URL;
}

/**
 * The Api over CIM-XML, for any host that implements the DMTF System Virtualization profiles (DSP1042, DSP1057
 * and their components; Vessel, libvirt-cim, others): found through DSP1033 profile registration, changed only
 * with the DMTF methods. What the profiles cannot carry throws NOT_SUPPORTED; every failure is an ApiError that
 * says what was asked of which host (HOST_UNREACHABLE, AUTH_FAILED, PROTOCOL for transport trouble).
 *
 * @example
 * const api = await CimXmlApi.connect({ url: 'https://host1:5989', user: 'admin', password, ca: pem });
 * const job = await api.systems.changeState('web1', 'start', { waitMs: Number.POSITIVE_INFINITY });
 * await api.close();
 */
export class CimXmlApi implements Api {
  readonly host: CimHost;
  readonly systems: CimSystems;
  readonly jobs: ClientJobs;
  readonly events: ReturnType<typeof cimEvents>;
  readonly packages: ReturnType<typeof cimPackages>;
  readonly artifacts: ReturnType<typeof cimArtifacts>;
  readonly consoles: CimConsoles;
  readonly pools: CimPools;
  readonly users: ReturnType<typeof cimUsers>;
  readonly networks: ReturnType<typeof cimNetworks>;
  readonly metrics: CimMetrics;

  private constructor(readonly session: CimSession) {
    const inv = new Inventory(session, async () =>
      (await this.consoles.find()) === undefined ? [] : ['serial'],
    );
    this.host = new CimHost(session, inv, () => this.consoles.find());
    this.jobs = new ClientJobs(session, session.client.user ?? '');
    this.metrics = new CimMetrics(session, inv);
    this.consoles = new CimConsoles(session, inv);
    this.systems = new CimSystems(session, inv, this.jobs, () => this.host.operations(), this.metrics);
    this.pools = new CimPools(session);
    const e = session.encoding;
    this.events = cimEvents(e);
    this.packages = cimPackages(e);
    this.artifacts = cimArtifacts(e);
    this.users = cimUsers(e);
    this.networks = cimNetworks(e);
  }

  /** Connects to a host and discovers it (DSP1033); the client is closed with {@link close}. */
  static async connect(o: CimXmlConnectOptions): Promise<CimXmlApi> {
    const { url, ...options } = o;
    return CimXmlApi.over(new CimClient(url, options));
  }

  /**
   * Discovers the host behind existing CIM operations (a CimClient, or WS-Man's WsmanCimOperations: the same Api
   * over either encoding); {@link close} closes them.
   */
  static async over(client: CimOperations): Promise<CimXmlApi> {
    try {
      return new CimXmlApi(new CimSession(client, await discover(client)));
    } catch (e) {
      client.close();
      throw e;
    }
  }

  /** The CIM operations underneath (for what the Api has no word for). */
  get client(): CimOperations {
    return this.session.client;
  }

  async close(): Promise<void> {
    this.session.client.close();
  }
}
