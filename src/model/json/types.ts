import type {
  ControllerKind,
  DriveKind,
  Firmware,
  GraphicsModel,
  NicModel,
  SoundModel,
  UsbModel,
} from '../devices/vocabulary.js';
import type { RasdClass } from '../settings.js';

/**
 * The JSON encoding of a definition with named kinds: what `vessel vm info --json` shows as `definition` and
 * `vessel vm define --from-json` takes. Devices are named with the model's vocabulary (src/model/devices), sizes
 * are whole numbers of bytes, lists are arrays. It carries no UUID: a definition read from it is a new system.
 */

/** DMTF (or vendor) properties a named field does not cover, as written: kept so that nothing is lost. */
export type JsonProperties = Record<string, string | string[]>;

/** What every device has: its InstanceID (drives and the boot order refer to it) and its ElementName. */
interface JsonDeviceBase {
  id: string;
  name?: string;
  properties?: JsonProperties;
}

/** A storage or USB host controller; `address` is the IDE channel or SCSI bus number. */
export interface JsonController extends JsonDeviceBase {
  device: 'controller';
  kind: ControllerKind;
  address?: number;
  usb?: UsbModel;
}

/** A disk, CD/DVD or floppy drive on a controller (its `id`) and slot (AddressOnParent). */
export interface JsonDrive extends JsonDeviceBase {
  device: 'drive';
  kind: DriveKind;
  controller?: string;
  slot?: number;
  /** The image: a host path, a `file:` URL or `ovf:/disk/<id>`; absent for an empty drive. */
  image?: string;
}

/** An Ethernet adapter; `subType` only when the model is not one of the vocabulary's. */
export interface JsonNic extends JsonDeviceBase {
  device: 'nic';
  model?: NicModel;
  subType?: string;
  network?: string;
  mac?: string;
}

/** A serial port and where it goes (a file, pipe or URI). */
export interface JsonSerial extends JsonDeviceBase {
  device: 'serial';
  backend?: string;
}

/** A display adapter; `vnc` asks for a VNC display. */
export interface JsonGraphics extends JsonDeviceBase {
  device: 'graphics';
  model?: GraphicsModel;
  vnc: boolean;
}

/** A sound card. */
export interface JsonSound extends JsonDeviceBase {
  device: 'sound';
  model: SoundModel;
}

/** A device the vocabulary does not name: its DMTF class and every property, `what` says what it is. */
export interface JsonOther extends JsonDeviceBase {
  device: 'other';
  what?: string;
  cimClass: RasdClass;
  properties: JsonProperties;
}

/** Any device of a {@link DefinitionJson}. */
export type JsonDevice =
  | JsonController
  | JsonDrive
  | JsonNic
  | JsonSerial
  | JsonGraphics
  | JsonSound
  | JsonOther;

/** A definition with named kinds. */
export interface DefinitionJson {
  name?: string;
  description?: string;
  virtualSystemType?: string;
  firmware?: Firmware;
  cpus?: number;
  memoryBytes?: number;
  /** Device ids, the first boots first. */
  bootOrder?: string[];
  devices: JsonDevice[];
  /** Other VSSD properties, as written. */
  properties?: JsonProperties;
}
