import { hostname } from 'node:os';
import type { StateOperation, SystemInfo, SystemState, VirtualSystemBackend } from '../../cim/index.js';
import type { Host } from '../../host/index.js';
import { operationsOf } from '../../hypervisor/index.js';
import { DEFAULT_LIMITS, type HostLimits } from '../../model/index.js';

const OP: Record<StateOperation, 'start' | 'stop' | 'powerOff' | 'pause' | 'resume' | 'reset'> = {
  start: 'start',
  shutdown: 'stop',
  powerOff: 'powerOff',
  pause: 'pause',
  resume: 'resume',
  reset: 'reset',
};

/**
 * The CIM providers' backend on a running Vessel host: definitions and states from its store (or, for a driver
 * that owns its inventory, from the driver through the host's `lookup`), every change
 * through its per-system lock and jobs (`Host.change`), so CIM keeps no second copy of a system's state.
 * Shut Down (RequestedState 4) is the host's `stop`: ACPI, then power off when the guest does not stop in time.
 *
 * @example
 * const ep = await serveCimXml({ backend: backendFromHost(host), stateDir: host.stateDir, http: { port: 5988 } });
 */
export function backendFromHost(
  host: Host,
  options: { hostName?: string; limits?: HostLimits } = {},
): VirtualSystemBackend {
  const info = (v: { uuid: string; name: string; state: string; reason: string }): SystemInfo => ({
    uuid: v.uuid,
    name: v.name,
    state: v.state as SystemState,
    reason: v.reason,
  });
  const lookup = async (u: string): Promise<SystemInfo | undefined> => {
    try {
      return info(await host.lookup(u));
    } catch (e) {
      if ((e as { code?: string }).code === 'VM_NOT_FOUND') return undefined;
      throw e;
    }
  };
  const redefine = async (uuid: string, def: Parameters<Host['define']>[0]): Promise<SystemInfo> => {
    const v = await host.lookup(uuid);
    if (v.state !== 'stopped')
      throw Object.assign(new Error(`Cannot change "${v.name}": it is ${v.state}; stop it first`), {
        code: 'INVALID_STATE',
      });
    return info(await host.define({ ...def, system: { ...def.system, VirtualSystemIdentifier: uuid } }));
  };
  return {
    hostName: options.hostName ?? hostname(),
    limits: options.limits ?? DEFAULT_LIMITS,
    list: async () => (await host.list()).map(info),
    lookup,
    definition: async (uuid) => structuredClone((await host.lookup(uuid)).definition),
    define: async (def) => info(await host.define(def)),
    undefine: (uuid) => host.undefine(uuid),
    modify: redefine,
    changeState: async (uuid, op) => {
      await host.change(uuid, OP[op]).done;
    },
    supports: (op) =>
      op === 'modify' || op === 'undefine'
        ? true
        : op === 'attachDevice' || op === 'detachDevice'
          ? false
          : operationsOf(host.driver).includes(op),
    subscribe: (listener) =>
      host.subscribe((e) =>
        listener({
          uuid: e.uuid,
          kind: e.kind,
          state: e.state as SystemState | undefined,
          reason: e.reason,
          time: new Date(e.time),
        }),
      ),
  };
}
