import {
  type DriverOperation,
  type HypervisorDriver,
  operationsOf,
  requireOperation,
} from '../hypervisor/index.js';
import type { HostLimits, ResourceSetting, VirtualSystemDefinition } from '../model/index.js';

/**
 * The states of a virtual system: the drivers' stable ones, and the host's `starting` / `stopping` while a
 * change is under way.
 */
export type SystemState = 'stopped' | 'running' | 'paused' | 'starting' | 'stopping';

/** One virtual system as the providers see it (the fields of the driver's DomainInfo that CIM needs). */
export interface SystemInfo {
  uuid: string;
  name: string;
  state: SystemState;
  reason?: string | undefined;
}

/** A state change of a virtual system, pushed by the backend (a driver event). */
export interface SystemEvent {
  uuid: string;
  kind: string;
  state?: SystemState | undefined;
  reason: string;
  time: Date;
}

/**
 * A storage pool of the host as CIM shows it (DSP1047): a host folder that the images of virtual disks and
 * CD/DVD media are allocated from, with the size of the file system it lies on (undefined when unreadable).
 */
export interface StoragePoolInfo {
  name: string;
  allowDevices: boolean;
  capacityBytes: number | undefined;
  usedBytes: number | undefined;
  freeBytes: number | undefined;
  /** How many images the folder holds. */
  images: number;
}

/** The lifecycle operations that RequestStateChange maps to (DSP1057 §8.2.1 → driver entry points). */
export type StateOperation = 'start' | 'shutdown' | 'powerOff' | 'pause' | 'resume' | 'reset';

/**
 * What the CIM providers need from the host: the virtual systems, their one model (VSSD + RASDs) and the
 * operations on them. It is the driver interface of src/hypervisor seen from CIM; {@link backendFromDriver} adapts
 * a driver directly, and the host process supplies one that goes through its per-VM locks and store.
 * Failures are errors whose `code` is one of the driver's (`VM_NOT_FOUND`, `INVALID_STATE`, `VM_EXISTS`,
 * `DEFINITION_INVALID`, `FILE_NOT_FOUND`, `NOT_SUPPORTED`, ...); the providers map them to CIM.
 */
export interface VirtualSystemBackend {
  /** The host's name, used in the host system's Name key and in instance paths. */
  readonly hostName: string;
  /** What one virtual system may have at most; shown as the pools' capacities and Maximum templates. */
  readonly limits: HostLimits;
  list(): Promise<SystemInfo[]>;
  lookup(uuidOrName: string): Promise<SystemInfo | undefined>;
  definition(uuid: string): Promise<VirtualSystemDefinition>;
  define(def: VirtualSystemDefinition): Promise<SystemInfo>;
  undefine(uuid: string): Promise<void>;
  /** Replaces the definition of a stopped system. */
  modify(uuid: string, def: VirtualSystemDefinition): Promise<SystemInfo>;
  /** Runs one lifecycle operation; resolves when the driver has done it (shutdown: when it was delivered). */
  changeState(uuid: string, op: StateOperation): Promise<void>;
  /** The operations this backend offers (the others answer Not Supported). */
  supports(op: StateOperation | 'attachDevice' | 'detachDevice' | 'modify' | 'undefine'): boolean;
  attachDevice?(uuid: string, resource: ResourceSetting): Promise<void>;
  detachDevice?(uuid: string, instanceId: string): Promise<void>;
  /** Registers a listener for state changes; returns the function that removes it. */
  subscribe(listener: (e: SystemEvent) => void): () => void;
  /** The host's storage pools (DSP1047), when it has them: the folders admins' images must lie in. */
  storagePools?(): StoragePoolInfo[];
}

/**
 * A backend straight on a hypervisor driver (no host store or locks): for tests, benchmarks and embedding.
 *
 * @example
 * const backend = backendFromDriver(new TestDriver(), { hostName: 'host1', limits: DEFAULT_LIMITS });
 */
export function backendFromDriver(
  driver: HypervisorDriver,
  options: { hostName: string; limits: HostLimits },
): VirtualSystemBackend {
  const need = <K extends DriverOperation>(op: K) => requireOperation(driver, op);
  return {
    hostName: options.hostName,
    limits: options.limits,
    list: () => driver.list(),
    lookup: (u) => driver.lookup(u),
    definition: (uuid) => driver.getDefinition(uuid),
    define: (def) => driver.define(def),
    undefine: (uuid) => need('undefine')(uuid),
    modify: async (uuid, def) => need('modify')(uuid, def),
    changeState: (uuid, op) => need(op)(uuid),
    supports: (op) => operationsOf(driver).includes(op),
    attachDevice: (uuid, r) => need('attachDevice')(uuid, r),
    detachDevice: (uuid, id) => need('detachDevice')(uuid, id),
    subscribe: (l) => driver.subscribe(l),
  };
}
