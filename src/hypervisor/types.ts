import type { ResourceSetting, VirtualSystemDefinition } from '../model/index.js';
import type { DriverCapabilities } from './capabilities.js';
import type { HypervisorErrorCode } from './errors.js';

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
  /** Resident memory of the system's process (QEMU: VmRSS of /proc/PID/status), when the driver can read it. */
  residentBytes?: bigint;
  disks: { instanceId: string; readBytes: bigint; writeBytes: bigint; readOps: bigint; writeOps: bigint }[];
  /** The NICs with counters, as the guest sees them (received: what reached the guest). */
  nics: { instanceId: string; rxBytes: bigint; txBytes: bigint }[];
  /** Why some NICs have no counters (user-mode networking keeps none the host can read). */
  nicsUnavailable?: string;
}

/** The serial console of a virtual system. */
export interface ConsoleAccess {
  /** Everything the guest wrote to its first serial port since the log began (the last `maxBytes`). */
  readLog(maxBytes?: number): Promise<string>;
  /** A live, two-way connection to the serial port, while the system runs. */
  attach?(): Promise<NodeJS.ReadWriteStream & { destroy(): void }>;
}

/**
 * The display of a running system. Only the host reaches it: a driver never opens a VNC port or a socket another
 * user or a guest could connect to (slirp guests reach the host's loopback), so it hands out connections instead.
 */
export interface DisplayAccess {
  /** Its protocol: VNC's RFB (RFC 6143). */
  protocol: 'vnc';
  /** A new connection to the display that speaks RFB from the server's first byte (the host bridges it). */
  connect(): Promise<NodeJS.ReadWriteStream & { destroy(): void }>;
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
  | 'screenshot'
  | 'stats'
  | 'adopt'
  | 'diskImages';

/**
 * One finding of a driver's `validate` (the fields of the model's diagnostics: code, severity, where, what, hint).
 * An `error` means the driver would refuse the definition.
 */
export interface DriverDiagnostic {
  code: HypervisorErrorCode;
  severity: 'error' | 'warning';
  /** The system and item, e.g. `"web1" item "4"`. */
  location: string;
  message: string;
  hint?: string;
}

/** Why {@link HypervisorDriver.validate} is asked: a define (images exist) or a deploy plan (images not written yet). */
export type ValidatePurpose = 'define' | 'deploy';

/** One package item a driver cannot give a system. */
export interface Unmapped {
  instanceId: string;
  reason: string;
}

/** What a driver's `mapHardware` decided for a package's resources (DSP0243 §9.3). */
export interface MappingResult {
  /** The resources as the driver runs them: vendor spellings normalised, dropped items left out. */
  resources: ResourceSetting[];
  /** Items the driver cannot give that are required (and no `lax`): the deploy is refused with these. */
  refused: Unmapped[];
  /** What was changed or dropped, one line each. */
  notes: string[];
}

/** What a deploy tells `mapHardware` about the package's items. */
export interface MappingHints {
  /** Whether the item with this InstanceID is `ovf:required="false"` for the chosen configuration. */
  optional(instanceId: string): boolean;
  /** `--lax`: required items the driver cannot give are left out too. */
  lax: boolean;
}

/**
 * The current content of one drive, as an export reads it. `chain`: the file is an overlay whose backing chain
 * (the system's own, made by the driver) the reader follows and flattens.
 */
export interface DiskImage {
  instanceId: string;
  kind: 'disk' | 'cdrom' | 'floppy';
  /** The guest-visible size (the base image's virtual size for an overlay). */
  virtualSizeBytes: bigint;
  source: { kind: 'file'; path: string; format: string; chain: boolean };
}

/**
 * A network a driver realises: the name a NIC's Connection gives, and how (user-mode networking with its host
 * forwards, a host bridge, or no connection).
 */
export type DriverNetwork = { name: string } & (
  | { mode: 'user'; hostForwards?: string[] }
  | { mode: 'bridge'; bridge: string }
  | { mode: 'none' }
);

/**
 * A hypervisor driver, in the manner of libvirt's driver table: the required entry points every driver has, and
 * optional ones that a driver may leave out; {@link requireOperation} fails the same way for any that is missing.
 * Drivers receive the typed model and never see XML. Every entry point is async, reads included, so a driver whose
 * hypervisor is behind a connection (libvirt, Hyper-V) fits the same table.
 */
export interface HypervisorDriver {
  readonly uri: string;
  /**
   * True when the hypervisor keeps the inventory (libvirt, Hyper-V; the test driver with `?owns=1`): the host reads
   * systems from the driver and never loads its stored definitions into it. False when the host's store is the
   * master and the driver a mirror loaded at start (the embedded QEMU driver, the test driver by default).
   */
  readonly ownsInventory: boolean;
  /** What this driver can do, as data (accelerators, machine types, devices, limits, operations, features). */
  capabilities(): Promise<DriverCapabilities>;
  info(): Promise<DriverInfo>;
  list(): Promise<DomainInfo[]>;
  /** The system with this UUID or name, or undefined. */
  lookup(uuidOrName: string): Promise<DomainInfo | undefined>;
  /** Checks and stores a definition; assigns VirtualSystemIdentifier (a UUID) when it has none. */
  define(def: VirtualSystemDefinition): Promise<DomainInfo>;
  /** A copy of the stored definition, or `VM_NOT_FOUND`. */
  getDefinition(uuid: string): Promise<VirtualSystemDefinition>;
  /** The current state, or `VM_NOT_FOUND`. */
  getState(uuid: string): Promise<DomainInfo>;
  /**
   * Checks a definition as this driver would run it, defining nothing (libvirt's qemuValidateDomainDef): model
   * rules, then the driver's own (QEMU: its command line). `deploy`: the images are not written yet and are not
   * looked at. Never throws for a bad definition: every problem is a diagnostic.
   */
  validate(def: VirtualSystemDefinition, purpose: ValidatePurpose): Promise<DriverDiagnostic[]>;
  /** Registers a listener for events; returns the function that removes it. */
  subscribe(listener: (e: DriverEvent) => void): () => void;
  /** Releases the driver; running systems keep running unless `stopAll`. */
  close(options?: { stopAll?: boolean }): Promise<void>;

  /** Deploy hook: a package's hardware -> what this driver runs (vendor subtypes, fallbacks), with notes and refusals. */
  mapHardware?(resources: readonly ResourceSetting[], hints: MappingHints): MappingResult;
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
  /** The display of a running system as PNG bytes (QEMU: QMP `screendump`); `INVALID_STATE` while it is stopped. */
  screenshot?(uuid: string): Promise<Uint8Array>;
  stats?(uuid: string): Promise<DomainStats>;
  /** Re-attaches to a system that kept running while the host was down; reports its state. */
  adopt?(uuid: string): Promise<DomainInfo>;
  /** Export hook: each drive's current content (QEMU: the overlay over its base when the system has run). */
  diskImages?(uuid: string): Promise<DiskImage[]>;
  /**
   * Deploy hook of a driver that keeps images in its own storage (libvirt: volumes of a storage pool): copies the
   * files the host wrote for a system into it, and returns each copied path's new path (the definition then names
   * those). Paths it leaves out stay where they are.
   */
  importImages?(uuid: string, paths: readonly string[]): Promise<Map<string, string>>;
  /**
   * Undoes `importImages` when what it imported is not used after all (the define of a deployed system failed):
   * deletes those of `images` (paths it returned) that are still in its storage.
   */
  discardImages?(images: readonly string[]): Promise<void>;
  /**
   * Export hook of such a driver: copies each image of a stopped system's definition that lies in its storage into
   * new files of `dir`; returns each image path's local copy.
   */
  exportImages?(uuid: string, dir: string): Promise<Map<string, string>>;
  /** A running system's display (undefined without VNC graphics or while it is stopped). */
  display?(uuid: string): Promise<DisplayAccess | undefined>;
  /** The networks this driver realises, by name (QEMU: STATE/networks.json, and the built-in `user`). */
  networks?(): Promise<DriverNetwork[]>;
  /** Adds a network (QEMU: to STATE/networks.json); the host refuses a name the driver has already (ALREADY_EXISTS). */
  defineNetwork?(n: DriverNetwork): Promise<void>;
  /** Removes a network it was given; the built-in one it realises by itself cannot be removed (`INVALID_STATE`). */
  removeNetwork?(name: string): Promise<void>;
}
