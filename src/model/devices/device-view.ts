import type { DefinitionProblem } from '../problems.js';
import type { ResourceSetting, VirtualSystemDefinition } from '../settings.js';
import type { ImageRef } from './addresses.js';
import type { Certainty } from './classify.js';
import type { NewDiskReading } from './new-disk.js';
import type {
  BootOrder,
  ControllerKind,
  DriveKind,
  Firmware,
  GraphicsModel,
  NicModel,
  SoundModel,
  UsbModel,
} from './vocabulary.js';

/**
 * The typed device view of a definition: what every reader, writer, check, CIM provider and driver works from.
 * It is computed from the RASDs (`readDevices`), never stored or edited: the definition stays the one model.
 */

/** What every device of the view has. */
export interface DeviceBase {
  /** The RASD's InstanceID, or `#n` (1-based position) when it has none. */
  instanceId: string;
  /** Its index among the definition's resources. */
  position: number;
  resourceType: number | undefined;
  /** ResourceSubType as written. */
  subType: string | undefined;
  /** The RASD itself, for what the view does not name. */
  resource: ResourceSetting;
}

/** A storage or USB host controller. */
export interface ControllerDevice extends DeviceBase {
  device: 'controller';
  /** What it is: the first of `kinds`. */
  kind: ControllerKind;
  /** Every kind the subtype lists, first first (`virtio lsilogic`); a driver picks with `preferred()`. */
  kinds: readonly ControllerKind[];
  certainty: Certainty;
  /** A USB controller's generation, when its subtype names one. */
  usb?: UsbModel;
  /** Its position among the controllers on the same bus (0-based): `scsi1` is the second SCSI HBA. */
  ordinal: number;
  /** The RASD's Address as a whole number (the IDE channel, the SCSI bus), when it is one. */
  address: number | undefined;
}

/** A disk, CD/DVD or floppy drive. */
export interface DriveDevice extends DeviceBase {
  device: 'drive';
  kind: DriveKind;
  /** The controller its Parent names; undefined when it names none or something that is not a controller. */
  controller: ControllerDevice | undefined;
  /** Parent as written. */
  parentText?: string;
  /** AddressOnParent as a whole number, when it is one. */
  slot: number | undefined;
  /** AddressOnParent as written. */
  slotText?: string;
  /** What the first HostResource names. */
  image?: ImageRef;
  /** The first HostResource as written. */
  hostResource?: string;
  /** A disk that names no image but gives a size: the new, empty disk it asks the host for (or why it cannot). */
  newDisk?: NewDiskReading;
}

/** An Ethernet adapter (RT 10, RASD or EPASD). */
export interface NicDevice extends DeviceBase {
  device: 'nic';
  /** The first of `models`; undefined when the subtype names none (`certainty` says whether one was given). */
  model: NicModel | undefined;
  models: readonly NicModel[];
  certainty: Certainty;
  /** The MAC in colon form, lower case, when Address is one. */
  mac?: string;
  /** Address as written. */
  macText?: string;
  /** The first Connection: the network it is on. */
  network?: string;
}

/** A serial port; its first Connection is where it goes (a file, pipe or URI), never a network. */
export interface SerialDevice extends DeviceBase {
  device: 'serial';
  backend?: string;
}

/** A display adapter; `vnc` when its Connection asks for a VNC display. */
export interface GraphicsDevice extends DeviceBase {
  device: 'graphics';
  model?: GraphicsModel;
  vnc: boolean;
}

/** A sound card. */
export interface SoundDevice extends DeviceBase {
  device: 'sound';
  model?: SoundModel;
}

/** Any other RASD (parallel ports, vendor devices, unknown types); `what` names it for messages. */
export interface OtherDevice extends DeviceBase {
  device: 'other';
  what: string;
}

/** Any device of the view. */
export type Device =
  | ControllerDevice
  | DriveDevice
  | NicDevice
  | SerialDevice
  | GraphicsDevice
  | SoundDevice
  | OtherDevice;

/** The VSSD facts drivers and writers need, read once. */
export interface SystemFacts {
  name?: string;
  uuid?: string;
  description?: string;
  /** The Processor's VirtualQuantity, when it is readable. */
  cpus?: number;
  /** The Memory setting in bytes, when it is readable. */
  memoryBytes?: bigint;
  firmware?: Firmware;
  /** VSSD BootOrder as written (InstanceIDs); `bootOrderOf()` resolves it. */
  bootOrder: BootOrder;
  virtualSystemType?: string;
}

/** A definition's devices by meaning. */
export interface DeviceView {
  readonly definition: VirtualSystemDefinition;
  system: SystemFacts;
  /** Storage and USB host controllers, in definition order. */
  controllers: ControllerDevice[];
  drives: DriveDevice[];
  nics: NicDevice[];
  serials: SerialDevice[];
  graphics: GraphicsDevice[];
  sound: SoundDevice[];
  others: OtherDevice[];
  /** The device with an InstanceID (the first, when two share one). */
  byId(instanceId: string): Device | undefined;
  /** What could not be read (subtypes, firmware, boot order); never thrown. */
  findings: DefinitionProblem[];
}
