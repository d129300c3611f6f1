import {
  availableRequestedStates,
  CIM_STATE_OF,
  requestedStateOf,
  requestedStatesSupported,
  type StateOperation,
  type SystemSummary,
} from '../../api/index.js';
import { cimTimestamp, cimTimestampOf } from '../datetime.js';
import { CimError } from '../errors.js';
import { KeptInstances } from '../frozen.js';
import { requestStateChange } from '../methods/state.js';
import { virtualSystemTypes } from '../methods/system-values.js';
import { VSMS_METHODS } from '../methods/vsms.js';
import { C, hostPath, idPath, systemPath, VSMS_NAME, vsmsPath } from '../naming.js';
import type { CimContext, InstanceProvider } from '../provider.js';
import { capabilitiesOf, oneSystem, systemSummaries } from '../snapshot.js';
import type { CimInstance } from '../types.js';
import { instance, key, link, type ProviderEnv, RUNNING_SERVICE } from './env.js';

const VSMC_ID = 'Vessel:VirtualSystemManagementCapabilities';

/** The state changes the host runs, read once per operation. */
async function operationsOf(ctx: CimContext, env: ProviderEnv): Promise<readonly StateOperation[]> {
  return (await capabilitiesOf(ctx, env)).operations;
}

/** AvailableRequestedStates by the host's operations (the Api's list, the same while it holds) and state. */
const availableByOps = new WeakMap<readonly StateOperation[], Map<SystemSummary['state'], string[]>>();

/** {@link availableRequestedStates} as CIM strings, worked out once per operation list and state (a copy each). */
function availableStates(state: SystemSummary['state'], operations: readonly StateOperation[]): string[] {
  let byState = availableByOps.get(operations);
  if (byState === undefined) {
    byState = new Map();
    availableByOps.set(operations, byState);
  }
  let states = byState.get(state);
  if (states === undefined) {
    states = availableRequestedStates(state, operations).map(String);
    byState.set(state, states);
  }
  return states.slice();
}

/** OperationalStatus: the state's (2 OK, 6 Error), with 10 Stopped for a system that is not active. */
function operationalStatus(state: SystemSummary['state']): string[] {
  const status = String(CIM_STATE_OF[state].operationalStatus);
  return state === 'stopped' || state === 'crashed' || state === 'suspended' ? [status, '10'] : [status];
}

/**
 * The virtual system's CIM_ComputerSystem instance (DSP1057 §10.1), from the Api's summary: EnabledState and
 * OperatingStatus from CIM_STATE_OF, RequestedState from the last change asked, AvailableRequestedStates from what
 * the host runs and the state allows (derived from the Api's ALLOWED_FROM, never hand-listed).
 */
function buildSystemInstance(s: SystemSummary, operations: readonly StateOperation[]): CimInstance {
  const values = CIM_STATE_OF[s.state];
  return instance(C.system, {
    CreationClassName: C.system,
    Name: s.name,
    ElementName: s.name,
    Caption: 'Virtual System',
    NameFormat: 'Other',
    EnabledState: String(values.enabledState),
    StatusDescriptions: s.reason.text === '' ? undefined : [s.reason.text],
    StateReason: s.reason.code,
    RequestedState: String(requestedStateOf(s.requested)),
    EnabledDefault: '3',
    HealthState: s.state === 'crashed' ? '20' : '5',
    OperationalStatus: operationalStatus(s.state),
    OperatingStatus: String(values.operatingStatus),
    TimeOfLastStateChange: cimTimestampOf(s.changedAt),
    AvailableRequestedStates: availableStates(s.state, operations),
    TransitioningToState: '12',
    Dedicated: ['0'],
    OtherIdentifyingInfo: [s.uuid],
    IdentifyingDescriptions: ['CIM:GUID'],
  });
}

/** Most system instances kept per operation list (a host's systems, polled for their state). */
const MAX_KEPT_SYSTEMS = 2048;

/** System instances by the host's operations (the Api's list, the same while it holds) and what they are made of. */
const keptSystems = new WeakMap<readonly StateOperation[], KeptInstances>();

/**
 * {@link buildSystemInstance}, kept: a system read again unchanged answers the same frozen property set, whose
 * encoding an encoder keeps (a monitor polling states re-encodes nothing). It is kept by UUID with every other
 * field it is made of.
 */
function systemInstance(s: SystemSummary, operations: readonly StateOperation[]): CimInstance {
  let kept = keptSystems.get(operations);
  if (kept === undefined) {
    kept = new KeptInstances(MAX_KEPT_SYSTEMS);
    keptSystems.set(operations, kept);
  }
  const madeOf = [s.name, s.state, s.reason.code, s.reason.text, s.changedAt, s.requested];
  return kept.get(s.uuid, madeOf, () => buildSystemInstance(s, operations));
}

/** Providers of the host, the virtual systems, the management service, their capabilities and associations. */
export function systemProviders(env: ProviderEnv): InstanceProvider[] {
  const host = env.hostName;
  /** The Vessel version, read once from the first caller's Api (it does not change while the service runs). */
  let version: Promise<string> | undefined;
  const versionOf = (ctx: CimContext): Promise<string> => {
    version ??= env
      .api(ctx)
      .host.info()
      .then((i) => i.vesselVersion);
    version.catch(() => (version = undefined));
    return version;
  };
  const hostInst = (vesselVersion: string): CimInstance =>
    instance(C.host, {
      CreationClassName: C.host,
      VesselVersion: vesselVersion,
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
      ...RUNNING_SERVICE,
    });
  const vsmc = (types: string[]): CimInstance =>
    instance(C.vsmsCaps, {
      InstanceID: VSMC_ID,
      ElementName: 'Virtual System Management Capabilities',
      VirtualSystemTypesSupported: types,
      SynchronousMethodsSupported: ['2', '3', '5', '6', '7', '10'],
      AsynchronousMethodsSupported: ['2', '3', '5', '6', '7', '10'],
      IndicationsSupported: [],
      RequestedStatesSupported: [],
      ElementNameEditSupported: 'false',
    });
  const eleCaps = (name: string, operations: readonly StateOperation[]): CimInstance =>
    instance(C.eleCaps, {
      InstanceID: `Vessel:Capabilities/${name}`,
      ElementName: `Capabilities of ${name}`,
      RequestedStatesSupported: requestedStatesSupported(operations).map(String),
      ElementNameEditSupported: 'false',
      MaxElementNameLen: '128',
    });
  const vmName = (n: Parameters<NonNullable<InstanceProvider['get']>>[1]) => key(n, 'Name');

  return [
    { className: C.host, enumerate: async (ctx) => [hostInst(await versionOf(ctx))] },
    {
      className: C.system,
      enumerate: async (ctx) => {
        const operations = await operationsOf(ctx, env);
        return (await systemSummaries(ctx, env)).map((s) => systemInstance(s, operations));
      },
      get: async (ctx, n) => {
        const name = vmName(n);
        const s = name === undefined ? undefined : await oneSystem(ctx, env, name);
        // The capabilities read straight, not through operationsOf: one async frame less on every GetInstance.
        return s === undefined ? undefined : systemInstance(s, (await capabilitiesOf(ctx, env)).operations);
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
    {
      className: C.vsmsCaps,
      enumerate: async (ctx) => [vsmc(virtualSystemTypes(await capabilitiesOf(ctx, env)))],
    },
    {
      className: C.eleCaps,
      enumerate: async (ctx) => {
        const operations = await operationsOf(ctx, env);
        return (await systemSummaries(ctx, env)).map((s) => eleCaps(s.name, operations));
      },
      get: async (ctx, n) => {
        const id = key(n, 'InstanceID') ?? '';
        const name = id.startsWith('Vessel:Capabilities/')
          ? id.slice('Vessel:Capabilities/'.length)
          : undefined;
        if (name === undefined || (await oneSystem(ctx, env, name)) === undefined) return undefined;
        return eleCaps(name, await operationsOf(ctx, env));
      },
    },
    {
      className: 'Vessel_HostedDependency',
      enumerate: async (ctx) =>
        (await systemSummaries(ctx, env)).map((v) =>
          link('Vessel_HostedDependency', 'Antecedent', hostPath(host), 'Dependent', systemPath(v.name)),
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
        (await systemSummaries(ctx, env)).map((v) =>
          link(
            'Vessel_ServiceAffectsElement',
            'AffectingElement',
            vsmsPath(host),
            'AffectedElement',
            systemPath(v.name),
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
        for (const v of await systemSummaries(ctx, env))
          out.push(
            link(
              'Vessel_ElementCapabilities',
              'ManagedElement',
              systemPath(v.name),
              'Capabilities',
              idPath(C.eleCaps, `Vessel:Capabilities/${v.name}`),
            ),
          );
        return out;
      },
    },
  ];
}
