import { hostname } from 'node:os';
import type { ApiNamespace, Capabilities, HostApi, HostInfo, SurfaceReport } from '../../api/index.js';
import type { DriverCapabilities } from '../../hypervisor/index.js';
import { isNicModel } from '../../model/index.js';
import { hostCertificate } from '../certificate.js';
import { VESSEL_PLATFORM_VERSION } from '../deploy/deploy.js';
import type { Host } from '../host.js';
import { hostOperations } from '../lifecycle.js';
import { hostSoftware } from '../software.js';
import { readSurface } from '../surface.js';
import type { SessionContext } from './context.js';

/** What this host runs, read once from its environment (vessel.service's in a host image). */
const SOFTWARE = hostSoftware();

/**
 * The host namespace: who the host is and what it can do. Capabilities are the driver's (accelerators, machine
 * types, devices, limits, state operations) with the host's features, which say what this session offers: a
 * feature whose namespace the local host does not implement yet is off.
 */

/**
 * The driver's capabilities and the host's features, as the Api states them.
 *
 * @example
 * capabilitiesOf(host, await host.capabilities(), implementedNamespaces()).operations; // ['start', ...]
 */
function capabilitiesOf(
  host: Host,
  d: DriverCapabilities,
  implemented: ReadonlySet<ApiNamespace>,
): Capabilities {
  const consoles = host.driver.console === undefined ? [] : [...d.devices.consoles];
  return {
    driver: {
      uri: d.driver.uri,
      name: d.driver.name,
      ...(d.driver.version === undefined ? {} : { version: d.driver.version }),
      ownsInventory: d.driver.ownsInventory,
    },
    accelerators: d.accelerators.map((a) => ({ ...a })),
    machineTypes: d.machineTypes.map((m) => ({ ...m, virtualSystemTypes: [...m.virtualSystemTypes] })),
    firmware: [...d.firmware],
    devices: {
      controllers: d.devices.controllers.map((c) => ({
        kind: c.kind,
        maxSlots: c.maxSlots,
        hotplug: c.hotplug,
      })),
      // The model's NIC words; the driver's other spellings of them (`virtio-net`, `pcnet32`) are left out.
      nicModels: d.devices.nicModels.filter(isNicModel),
      driveKinds: [...d.devices.driveKinds],
      // VNC is offered where the driver says where a running system's VNC server listens.
      consoles: consoles.filter((c) => c === 'serial' || (c === 'vnc' && host.driver.display !== undefined)),
    },
    limits: { ...d.limits },
    // What the host runs: the driver's operations, reboot as a shutdown and a start, no suspend yet.
    operations: hostOperations(d.operations),
    features: {
      hotplug: { ...d.features.hotplug },
      snapshots: d.features.snapshots,
      migration: d.features.migration,
      deploy: implemented.has('packages'),
      export: implemented.has('packages') && implemented.has('artifacts'),
      events: true,
      stats: host.driver.stats !== undefined,
      users: implemented.has('users'),
      consoles: host.driver.console !== undefined,
      screenshot: host.driver.screenshot !== undefined,
      metadata: true,
      keepDisks: host.driver.diskImages !== undefined,
      pools: implemented.has('pools') ? 'manage' : 'none',
      // The networks are the driver's: shown when it has any, managed when it can change them.
      networks:
        !implemented.has('networks') || host.driver.networks === undefined
          ? 'none'
          : host.driver.defineNetwork !== undefined && host.driver.removeNetwork !== undefined
            ? 'manage'
            : 'read',
    },
  };
}

/** The Api's capabilities of each driver answer, by the session's namespaces: built once, shared, frozen. */
const built = new WeakMap<DriverCapabilities, Map<string, Capabilities>>();

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * {@link capabilitiesOf}, built once per driver answer (the host keeps that answer) and namespace set: a CIM
 * GetInstance of a system reads the state operations from it on every call.
 */
function cachedCapabilities(
  host: Host,
  d: DriverCapabilities,
  implemented: ReadonlySet<ApiNamespace>,
  key: string,
): Capabilities {
  let byNs = built.get(d);
  if (byNs === undefined) {
    byNs = new Map();
    built.set(d, byNs);
  }
  let caps = byNs.get(key);
  if (caps === undefined) {
    caps = deepFreeze(capabilitiesOf(host, d, implemented));
    byNs.set(key, caps);
  }
  return caps;
}

/**
 * The host namespace of a session; `implemented` are the namespaces the session carries.
 *
 * @example
 * const caps = await hostApi(ctx, new Set(['host', 'systems'])).capabilities();
 */
export function hostApi(ctx: SessionContext, implemented: ReadonlySet<ApiNamespace>): HostApi {
  const { host, principal } = ctx;
  const key = [...implemented].sort().join(',');
  return {
    async info(): Promise<HostInfo> {
      const d = await host.info();
      const certificate = hostCertificate(host.stateDir);
      return {
        name: hostname(),
        vesselVersion: VESSEL_PLATFORM_VERSION,
        software: { ...SOFTWARE },
        startedAt: host.startedAt,
        systemCount: (await host.list()).length,
        transport: principal.via,
        driver: {
          uri: d.uri,
          name: d.driver,
          ...(d.hypervisorVersion === undefined ? {} : { hypervisorVersion: d.hypervisorVersion }),
        },
        ...(certificate === undefined ? {} : { certificate }),
        ...(principal.local ? { local: { stateDir: host.stateDir, pid: process.pid } } : {}),
      };
    },
    async capabilities(): Promise<Capabilities> {
      return cachedCapabilities(host, await host.capabilities(), implemented, key);
    },
    surface: (): Promise<SurfaceReport> => readSurface(),
  };
}
