import type { SystemInfo } from '../backend.js';
import { cimTimestamp } from '../datetime.js';
import { CimError } from '../errors.js';
import { requestStateChange } from '../methods/state.js';
import { VSMS_METHODS } from '../methods/vsms.js';
import { C, hostPath, idPath, systemPath, VSMS_NAME, vsmsPath } from '../naming.js';
import type { InstanceProvider } from '../provider.js';
import { allSystems, oneSystem } from '../snapshot.js';
import type { CimInstance } from '../types.js';
import { enabledState, instance, key, link, type ProviderEnv } from './env.js';

/** The states RequestStateChange accepts for a virtual system (DSP1057 §8.2.1). */
export const REQUESTED_STATES_SUPPORTED = ['2', '3', '4', '9', '10', '11'];

/** Which RequestedState values make sense from each state (AvailableRequestedStates). */
function available(state: SystemInfo['state']): string[] {
  if (state === 'running') return ['3', '4', '9', '10', '11'];
  if (state === 'paused') return ['2', '3'];
  if (state === 'stopped') return ['2'];
  return ['3'];
}

const VSMC_ID = 'Vessel:VirtualSystemManagementCapabilities';

/**
 * The virtual system's CIM_ComputerSystem instance (DSP1057 §10.1). It needs only the driver's view of the
 * system, not its definition, so GetInstance of a system does not read the definition.
 */
export function systemInstance(env: ProviderEnv, info: SystemInfo): CimInstance {
  const changed = env.changedAt.get(info.uuid);
  return instance(C.system, {
    CreationClassName: C.system,
    Name: info.name,
    ElementName: info.name,
    Caption: 'Virtual System',
    NameFormat: 'Other',
    EnabledState: String(enabledState(info.state)),
    StatusDescriptions: info.reason ? [info.reason] : undefined,
    RequestedState: String(env.requested.get(info.uuid) ?? 12),
    EnabledDefault: '3',
    HealthState: '5',
    OperationalStatus: info.state === 'stopped' ? ['2', '10'] : ['2'],
    OperatingStatus: info.state === 'running' ? '16' : info.state === 'paused' ? '15' : '14',
    TimeOfLastStateChange: changed ? cimTimestamp(changed) : undefined,
    AvailableRequestedStates: available(info.state),
    TransitioningToState: '12',
    Dedicated: ['0'],
    OtherIdentifyingInfo: [info.uuid],
    IdentifyingDescriptions: ['CIM:GUID'],
  });
}

/** Providers of the host, the virtual systems, the management service, their capabilities and associations. */
export function systemProviders(env: ProviderEnv): InstanceProvider[] {
  const host = env.backend.hostName;
  const hostInst = (): CimInstance =>
    instance(C.host, {
      CreationClassName: C.host,
      Name: host,
      ElementName: host,
      Caption: 'Hosting Computer System',
      NameFormat: 'Other',
      EnabledState: '2',
      RequestedState: '12',
      EnabledDefault: '2',
      HealthState: '5',
      OperationalStatus: ['2'],
      OperatingStatus: '16',
      TimeOfLastStateChange: cimTimestamp(env.startedAt),
      Dedicated: ['0'],
    });
  const vsms = (): CimInstance =>
    instance(C.vsms, {
      SystemCreationClassName: C.host,
      SystemName: host,
      CreationClassName: C.vsms,
      Name: VSMS_NAME,
      ElementName: 'Virtual System Management Service',
      EnabledState: '2',
      RequestedState: '12',
      EnabledDefault: '2',
      HealthState: '5',
      OperationalStatus: ['2'],
      Started: 'true',
      StartMode: 'Automatic',
    });
  const vsmc = (): CimInstance =>
    instance(C.vsmsCaps, {
      InstanceID: VSMC_ID,
      ElementName: 'Virtual System Management Capabilities',
      VirtualSystemTypesSupported: ['vessel-qemu', 'vessel-q35'],
      SynchronousMethodsSupported: ['2', '3', '5', '6', '7', '10'],
      AsynchronousMethodsSupported: ['2', '3', '5', '6', '7', '10'],
      IndicationsSupported: [],
      RequestedStatesSupported: [],
      ElementNameEditSupported: 'false',
    });
  const eleCaps = (name: string): CimInstance =>
    instance(C.eleCaps, {
      InstanceID: `Vessel:Capabilities/${name}`,
      ElementName: `Capabilities of ${name}`,
      RequestedStatesSupported: REQUESTED_STATES_SUPPORTED,
      ElementNameEditSupported: 'false',
      MaxElementNameLen: '128',
    });
  const vmName = (n: Parameters<NonNullable<InstanceProvider['get']>>[1]) => key(n, 'Name');

  return [
    { className: C.host, enumerate: () => [hostInst()] },
    {
      className: C.system,
      enumerate: async () => (await env.backend.list()).map((info) => systemInstance(env, info)),
      get: async (_ctx, n) => {
        const name = vmName(n);
        const info = name === undefined ? undefined : await env.backend.lookup(name);
        return info && info.name === name ? systemInstance(env, info) : undefined;
      },
      invoke: (ctx, target, method, params) => {
        if (method === 'RequestStateChange') return requestStateChange(env, ctx, target, params);
        throw new CimError('CIM_ERR_METHOD_NOT_AVAILABLE', `${method} is not available on virtual systems`);
      },
    },
    {
      className: C.vsms,
      enumerate: () => [vsms()],
      invoke: (ctx, _target, method, params) => {
        const m = VSMS_METHODS[method];
        if (!m)
          throw new CimError(
            'CIM_ERR_METHOD_NOT_AVAILABLE',
            `${method} is not available on the management service`,
          );
        return m(env, ctx, params);
      },
    },
    { className: C.vsmsCaps, enumerate: () => [vsmc()] },
    {
      className: C.eleCaps,
      enumerate: async (ctx) => (await allSystems(ctx, env.backend)).map((v) => eleCaps(v.info.name)),
      get: async (ctx, n) => {
        const id = key(n, 'InstanceID') ?? '';
        const name = id.startsWith('Vessel:Capabilities/')
          ? id.slice('Vessel:Capabilities/'.length)
          : undefined;
        return name !== undefined && (await oneSystem(ctx, env.backend, name)) ? eleCaps(name) : undefined;
      },
    },
    {
      className: 'Vessel_HostedDependency',
      enumerate: async (ctx) =>
        (await allSystems(ctx, env.backend)).map((v) =>
          link('Vessel_HostedDependency', 'Antecedent', hostPath(host), 'Dependent', systemPath(v.info.name)),
        ),
    },
    {
      className: 'Vessel_HostedService',
      enumerate: () => [
        link('Vessel_HostedService', 'Antecedent', hostPath(host), 'Dependent', vsmsPath(host)),
      ],
    },
    {
      className: 'Vessel_ServiceAffectsElement',
      enumerate: async (ctx) =>
        (await allSystems(ctx, env.backend)).map((v) =>
          link(
            'Vessel_ServiceAffectsElement',
            'AffectingElement',
            vsmsPath(host),
            'AffectedElement',
            systemPath(v.info.name),
            {
              ElementEffects: ['5'],
            },
          ),
        ),
    },
    {
      className: 'Vessel_ElementCapabilities',
      enumerate: async (ctx) => {
        const caps = idPath(C.vsmsCaps, VSMC_ID);
        const out = [
          link('Vessel_ElementCapabilities', 'ManagedElement', hostPath(host), 'Capabilities', caps),
          link('Vessel_ElementCapabilities', 'ManagedElement', vsmsPath(host), 'Capabilities', caps),
        ];
        for (const v of await allSystems(ctx, env.backend))
          out.push(
            link(
              'Vessel_ElementCapabilities',
              'ManagedElement',
              systemPath(v.info.name),
              'Capabilities',
              idPath(C.eleCaps, `Vessel:Capabilities/${v.info.name}`),
            ),
          );
        return out;
      },
    },
  ];
}
