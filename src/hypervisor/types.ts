import type { ResourceSetting, VirtualSystemDefinition } from '../model/index.js';

/**
 * The stable states a driver reports (CIM EnabledState: Enabled 2, Disabled 3, Quiesce 9). `starting` and
 * `stopping` exist only in the host's lifecycle, while a request is under way.
 */
export type VmState = 'stopped' | 'running' | 'paused';

/** One virtual system as a driver knows it. */
export interface DomainInfo {
  uuid: string;
  name: string;
  state: VmState;
  /** Why it is in this state, e.g. `guest powered off`, `QEMU was killed by SIGKILL`. */
  reason?: string;
}

/** Who caused a state change. */
export type EventCause = 'api' | 'guest' | 'host' | 'process-exit' | 'adoption';

/** Something that happened to a virtual system, pushed to subscribers. */
export interface DriverEvent {
  uuid: string;
  /** `state`: the state changed; `reset`, `device-deleted`, `balloon`: informational. */
  kind: 'state' | 'reset' | 'device-deleted' | 'balloon';
  state?: VmState;
  reason: string;
  cause: EventCause;
  time: Date;
  /** Extra data, e.g. the device id for `device-deleted`. */
  detail?: Record<string, unknown>;
}

/** What a driver says about itself and its host. */
export interface DriverInfo {
  driver: string;
  uri: string;
  /** `kvm` or `tcg` for QEMU; `none` for the test driver. */
  accelerator: 'kvm' | 'tcg' | 'none';
  /** Why this accelerator was chosen. */
  acceleratorReason: string;
  /** The hypervisor's version, e.g. `7.2.22`; undefined for the test driver. */
  hypervisorVersion?: string;
  vmCount: number;
  /** The optional operations this driver offers. */
  capabilities: DriverOperation[];
}

/** Statistics of a running virtual system; counters are cumulative since start. */
export interface DomainStats {
  cpuTimeNs: bigint;
  memoryBytes: bigint;
  /** The balloon's current size, when there is one. */
  balloonBytes?: bigint;
  disks: { instanceId: string; readBytes: bigint; writeBytes: bigint; readOps: bigint; writeOps: bigint }[];
  nics: { instanceId: string; rxBytes: bigint; txBytes: bigint }[];
}

/** The serial console of a virtual system. */
export interface ConsoleAccess {
  /** Everything the guest wrote to its first serial port since the log began (the last `maxBytes`). */
  readLog(maxBytes?: number): Promise<string>;
  /** A live, two-way connection to the serial port, while the system runs. */
  attach?(): Promise<NodeJS.ReadWriteStream & { destroy(): void }>;
}

/** The optional entry points of a driver. */
export type DriverOperation =
  | 'undefine'
  | 'start'
  | 'shutdown'
  | 'powerOff'
  | 'pause'
  | 'resume'
  | 'reset'
  | 'modify'
  | 'setMemory'
  | 'attachDevice'
  | 'detachDevice'
  | 'console'
  | 'stats'
  | 'adopt';

/**
 * A hypervisor driver, in the manner of libvirt's driver table: the required entry points every driver has, and
 * optional ones that a driver may leave out; {@link requireOperation} fails the same way for any that is missing.
 * Drivers receive the typed model and never see XML.
 */
export interface HypervisorDriver {
  readonly uri: string;
  info(): Promise<DriverInfo>;
  list(): DomainInfo[];
  /** The system with this UUID or name, or undefined. */
  lookup(uuidOrName: string): DomainInfo | undefined;
  /** Checks and stores a definition; assigns VirtualSystemIdentifier (a UUID) when it has none. */
  define(def: VirtualSystemDefinition): Promise<DomainInfo>;
  getDefinition(uuid: string): VirtualSystemDefinition;
  getState(uuid: string): DomainInfo;
  /** Registers a listener for events; returns the function that removes it. */
  subscribe(listener: (e: DriverEvent) => void): () => void;
  /** Releases the driver; running systems keep running unless `stopAll`. */
  close(options?: { stopAll?: boolean }): Promise<void>;

  undefine?(uuid: string): Promise<void>;
  start?(uuid: string): Promise<void>;
  /** Asks the guest to shut down (ACPI power button); resolves once the request is delivered. */
  shutdown?(uuid: string): Promise<void>;
  powerOff?(uuid: string): Promise<void>;
  pause?(uuid: string): Promise<void>;
  resume?(uuid: string): Promise<void>;
  reset?(uuid: string): Promise<void>;
  /** Replaces the definition of a stopped system. */
  modify?(uuid: string, def: VirtualSystemDefinition): Promise<DomainInfo>;
  /** Sets the balloon target of a running system. */
  setMemory?(uuid: string, bytes: bigint): Promise<void>;
  /** Hot-plugs a disk or NIC into a running system and adds it to the definition. */
  attachDevice?(uuid: string, resource: ResourceSetting): Promise<void>;
  /** Hot-unplugs a device by its RASD InstanceID and removes it from the definition. */
  detachDevice?(uuid: string, instanceId: string): Promise<void>;
  console?(uuid: string): Promise<ConsoleAccess>;
  stats?(uuid: string): Promise<DomainStats>;
  /** Re-attaches to a system that kept running while the host was down; reports its state. */
  adopt?(uuid: string): Promise<DomainInfo>;
}
