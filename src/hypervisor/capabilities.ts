import type { ControllerKind, DriveKind, Firmware, HostLimits, NicModel } from '../model/index.js';

/**
 * The state operations a driver can be asked for, spelled as src/api's `StateOperation` (issue 10, §2.4):
 * `reboot` and `suspend` are listed by drivers that have them.
 */
export type DriverStateOperation =
  | 'start'
  | 'resume'
  | 'shutdown'
  | 'powerOff'
  | 'reboot'
  | 'reset'
  | 'pause'
  | 'suspend';

/** Every {@link DriverStateOperation}, in the api's order. */
export const DRIVER_STATE_OPERATIONS: readonly DriverStateOperation[] = [
  'start',
  'resume',
  'shutdown',
  'powerOff',
  'reboot',
  'reset',
  'pause',
  'suspend',
];

/** Firmware a system can boot with: the model's `Firmware` (VSSD `Firmware`, read by `firmwareOf`). */
export type FirmwareKind = Firmware;

/** The consoles a driver can give a running system. */
export type DriverConsoleKind = 'serial' | 'vnc';

/**
 * A storage controller kind as a driver offers it. Kinds are the model's words: any spelling the model reads as
 * the kind (src/model/devices/spellings.ts) is that controller.
 */
export interface ControllerCapability {
  kind: ControllerKind;
  /** Drives one controller of this kind holds (IDE: 2 per channel; AHCI: 6 ports; ...). */
  maxSlots: number;
  /** Whether a drive can be attached on this controller while the system runs. */
  hotplug: boolean;
}

/**
 * What a driver can do, as data: the shape of src/api's `Capabilities` without the host-level features (deploy,
 * export, events, users, pools), which the host adds (issue 10, §2.2). Everything `start` accepts is listed here,
 * and what is not listed is refused by `validate`/`define` (the conformance case `capabilities.coherent`).
 */
export interface DriverCapabilities {
  driver: { uri: string; name: string; version: string | undefined; ownsInventory: boolean };
  /** Every accelerator the driver knows, whether this host can use it and why (kvm, tcg; none for test). */
  accelerators: readonly { name: string; usable: boolean; reason: string }[];
  /** Machine types, with the VSSD VirtualSystemType values that select each. */
  machineTypes: readonly { name: string; isDefault: boolean; virtualSystemTypes: readonly string[] }[];
  firmware: readonly FirmwareKind[];
  devices: {
    controllers: readonly ControllerCapability[];
    /** The NIC models the driver runs, in the model's words (a NIC with no subtype: the driver's default). */
    nicModels: readonly NicModel[];
    driveKinds: readonly DriveKind[];
    consoles: readonly DriverConsoleKind[];
  };
  limits: HostLimits;
  /** What a state change may ask of this driver. */
  operations: readonly DriverStateOperation[];
  features: {
    hotplug: { disk: boolean; nic: boolean; memory: boolean };
    snapshots: boolean;
    migration: boolean;
    /** Running systems outlive a closed driver, and a driver opened later adopts them (`adopt`). */
    adoption: boolean;
  };
}

/** The state operations among a driver's optional entry points (`operationsOf`). */
export function stateOperationsOf(ops: readonly string[]): DriverStateOperation[] {
  return DRIVER_STATE_OPERATIONS.filter((op) => ops.includes(op));
}
