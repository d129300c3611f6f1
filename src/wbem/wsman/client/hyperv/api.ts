import {
  type Api,
  ApiError,
  type ArtifactsApi,
  type Capabilities,
  type ConsolesApi,
  type EventsApi,
  type HostApi,
  type HostInfo,
  type MetricsApi,
  type NetworksApi,
  type PackagesApi,
  type PoolsApi,
  type SurfaceReport,
  type UsersApi,
} from '../../../../api/index.js';
import { WsmanClient, type WsmanClientOptions } from '../client.js';
import { HypervJobs } from './jobs.js';
import { HYPERV_NAMESPACE } from './names.js';
import { HypervSession } from './session.js';
import { HypervSystems } from './systems.js';

/**
 * A namespace this profile does not map: every method throws NOT_SUPPORTED naming itself (the Api's rule for a
 * transport that cannot carry a method).
 */
function refusing<T extends object>(namespace: string): T {
  return new Proxy({} as T, {
    get: (_t, key) =>
      typeof key !== 'string' || key === 'then'
        ? undefined
        : async () => {
            throw new ApiError(
              'NOT_SUPPORTED',
              `Cannot run ${namespace}.${key} over Hyper-V's WMI: the Hyper-V profile maps systems and jobs only`,
              { hint: 'Use Hyper-V Manager or PowerShell on the host for this' },
            );
          },
  });
}

/** The host namespace: who the Hyper-V host is (its management service's SystemName). */
class HypervHost implements HostApi {
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly s: HypervSession,
    private readonly productVersion: string | undefined,
  ) {}

  async info(): Promise<HostInfo> {
    const svc = await this.s.managementService();
    const name = svc.properties.SystemName;
    const vms = await this.s.vms({ what: 'Counting the virtual machines' });
    return {
      name: (typeof name === 'string' ? name : this.s.wsman.url.hostname).slice(0, 256),
      vesselVersion: 'none',
      startedAt: this.startedAt,
      systemCount: vms.length,
      transport: 'wsman',
      driver: {
        uri: `hyperv+${this.s.wsman.url.href}`.slice(0, 1024),
        name: 'Hyper-V (WMI root/virtualization/v2)',
        ...(this.productVersion ? { hypervisorVersion: this.productVersion.slice(0, 128) } : {}),
      },
    };
  }

  async capabilities(): Promise<Capabilities> {
    throw new ApiError(
      'NOT_SUPPORTED',
      "Cannot read capabilities over Hyper-V's WMI: this profile does not map them",
    );
  }

  async surface(): Promise<SurfaceReport> {
    throw new ApiError('NOT_SUPPORTED', "Cannot read a Vessel host's surface report from Hyper-V");
  }
}

/** Options of {@link HypervApi.connect}: the WS-Man endpoint and the client's options. */
export interface HypervConnectOptions extends Omit<WsmanClientOptions, 'namespace' | 'uriStyle'> {
  /** `http(s)://host:port[/wsman]`: WinRM's 5985 and 5986. */
  url: string | URL;
  /** What Identify said the product's version is, when the caller asked already. */
  productVersion?: string | undefined;
  /** How long one Hyper-V job may run, ms (default 5 minutes, as libvirt). */
  jobTimeoutMs?: number | undefined;
}

/**
 * The Api over a Hyper-V host's WMI v2 (root/virtualization/v2) through WinRM: a platform profile, not the DMTF
 * profiles CimXmlApi reads. Systems are Msvm_ComputerSystem (GUID names, Description "Microsoft Virtual
 * Machine"), their definitions Msvm_VirtualSystemSettingData and the settings it aggregates mapped onto the one
 * model; changes are Msvm_VirtualSystemManagementService and RequestStateChange calls whose Msvm_ConcreteJob is
 * polled to its end. What the profile does not map throws NOT_SUPPORTED.
 *
 * @example
 * const api = HypervApi.connect({ url: 'https://hv1:5986/wsman', user: 'Administrator', password, ca: pem });
 * await api.systems.changeState('web1', 'start');
 */
export class HypervApi implements Api {
  readonly host: HypervHost;
  readonly systems: HypervSystems;
  readonly jobs: HypervJobs;
  readonly events = refusing<EventsApi>('events');
  readonly packages = refusing<PackagesApi>('packages');
  readonly artifacts = refusing<ArtifactsApi>('artifacts');
  readonly consoles = refusing<ConsolesApi>('consoles');
  readonly pools = refusing<PoolsApi>('pools');
  readonly users = refusing<UsersApi>('users');
  readonly networks = refusing<NetworksApi>('networks');
  readonly metrics = refusing<MetricsApi>('metrics');

  constructor(
    readonly session: HypervSession,
    productVersion?: string,
  ) {
    this.host = new HypervHost(session, productVersion);
    this.jobs = new HypervJobs(session.wsman.user ?? '');
    this.systems = new HypervSystems(session, this.jobs);
  }

  /** A Hyper-V connection (no request is sent until a method is called). */
  static connect(o: HypervConnectOptions): HypervApi {
    const { url, productVersion, jobTimeoutMs, ...options } = o;
    const wsman = new WsmanClient(url, { ...options, namespace: HYPERV_NAMESPACE, uriStyle: 'wmi' });
    return new HypervApi(new HypervSession(wsman, jobTimeoutMs), productVersion);
  }

  async close(): Promise<void> {
    this.session.close();
  }
}
