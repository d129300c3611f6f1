import { ResourceType } from '../resource-type.js';
import { resourceTypeOf } from '../resources.js';
import type { ResourceSetting } from '../settings.js';
import {
  CONTROLLER_SPELLINGS,
  GRAPHICS_SPELLINGS,
  NIC_SPELLINGS,
  SOUND_SPELLINGS,
  type Spelling,
  USB_SPELLINGS,
} from './spellings.js';
import type {
  ControllerKind,
  DriveKind,
  GraphicsModel,
  NicModel,
  SoundModel,
  UsbModel,
} from './vocabulary.js';

/**
 * Classification: what device a RASD is, from its ResourceType, OtherResourceType and ResourceSubType, read
 * through the one spelling table. It never throws; what it cannot name it says so (`certainty`, `other`).
 */

/** How sure a classification is: the subtype named it, the RASD gave none, or nothing in it was known. */
export type Certainty = 'named' | 'defaulted' | 'guessed';

/** A RASD's meaning. `kinds` and `models` keep every known alternative a producer listed, first first. */
export type Classified =
  | { device: 'controller'; kinds: readonly ControllerKind[]; certainty: Certainty; usb?: UsbModel }
  | { device: 'drive'; kind: DriveKind }
  | { device: 'nic'; models: readonly NicModel[]; certainty: Certainty }
  | { device: 'graphics'; model?: GraphicsModel }
  | { device: 'sound'; model?: SoundModel }
  | { device: 'serial' | 'parallel' | 'processor' | 'memory' }
  | { device: 'other'; resourceType: number | undefined };

const key = (rt: number, sub: string) => `${rt}|${sub.trim().toLowerCase()}`;

function index<K extends string>(table: Readonly<Record<K, readonly Spelling[]>>): Map<string, K> {
  const out = new Map<string, K>();
  for (const [kind, rows] of Object.entries(table) as [K, readonly Spelling[]][]) {
    for (const r of rows) {
      if (r.subType === undefined) continue;
      const k =
        r.otherResourceType === undefined ? key(r.resourceType, r.subType) : libvirtKey(r.subType, r.model);
      if (!out.has(k)) out.set(k, kind);
    }
  }
  return out;
}

function words<K extends string>(table: Readonly<Record<K, readonly string[]>>): Map<string, K> {
  const out = new Map<string, K>();
  for (const [model, list] of Object.entries(table) as [K, readonly string[]][])
    for (const w of list) out.set(w.toLowerCase(), model);
  return out;
}

const libvirtKey = (sub: string, model: string | undefined) =>
  `controller|${sub.trim().toLowerCase()}|${(model ?? '').trim().toLowerCase()}`;

const CONTROLLER_WORDS = index(CONTROLLER_SPELLINGS);
const NIC_WORDS = index(NIC_SPELLINGS);
const USB_WORDS = words(USB_SPELLINGS);
const GRAPHICS_WORDS = words(GRAPHICS_SPELLINGS);
const SOUND_WORDS = words(SOUND_SPELLINGS);

/**
 * The words of a ResourceSubType: the whole text when it is one known spelling (Hyper-V's contain spaces), else
 * its tokens split on whitespace and commas, the way producers list alternatives (`virtio lsilogic`,
 * `buslogic,lsilogic`, DSP0243 §9.5 leaves the format open).
 */
function known<K>(sub: string | undefined, lookup: (word: string) => K | undefined): K[] {
  const text = (sub ?? '').trim();
  if (text === '') return [];
  const whole = lookup(text);
  if (whole !== undefined) return [whole];
  const out: K[] = [];
  for (const t of text.split(/[\s,]+/)) {
    const k = t === '' ? undefined : lookup(t);
    if (k !== undefined && !out.includes(k)) out.push(k);
  }
  return out;
}

const hasText = (s: string | undefined) => (s ?? '').trim() !== '';

function controller(kinds: ControllerKind[], certainty: Certainty, usb?: UsbModel): Classified {
  return usb === undefined
    ? { device: 'controller', kinds, certainty }
    : { device: 'controller', kinds, certainty, usb };
}

/** RT 6: the SCSI models named; none given is LSI Logic (`defaulted`), none known too but `guessed`. */
function scsi(sub: string | undefined): Classified {
  const kinds = known(sub, (w) => CONTROLLER_WORDS.get(key(ResourceType.ParallelScsiHba, w)));
  if (kinds.length > 0) return controller(kinds, 'named');
  return controller(['lsilogic'], hasText(sub) ? 'guessed' : 'defaulted');
}

/** libvirt-cim's controllers: RT 1, OtherResourceType `controller`, subtype the type, Model the SCSI model. */
function libvirtController(r: ResourceSetting): Classified {
  const p = r.properties;
  const type = (p.ResourceSubType ?? '').trim().toLowerCase();
  const model = typeof p.Model === 'string' ? p.Model : undefined;
  const kind =
    CONTROLLER_WORDS.get(libvirtKey(type, hasText(model) ? model : undefined)) ??
    (type === 'scsi' ? undefined : CONTROLLER_WORDS.get(libvirtKey(type, undefined)));
  if (kind !== undefined) return controller([kind], 'named');
  // libvirt gives an x86 QEMU guest an LSI Logic HBA when the model is left out.
  if (type === 'scsi') return controller(['lsilogic'], hasText(model) ? 'guessed' : 'defaulted');
  return { device: 'other', resourceType: ResourceType.Other };
}

function usbController(sub: string | undefined): Classified {
  const models = known(sub, (w) => USB_WORDS.get(w.toLowerCase()));
  const usb = models[0];
  if (usb !== undefined) return controller(['usb'], 'named', usb);
  return controller(['usb'], hasText(sub) ? 'guessed' : 'defaulted');
}

function nic(sub: string | undefined): Classified {
  const models = known(sub, (w) => NIC_WORDS.get(key(ResourceType.EthernetAdapter, w)));
  const certainty: Certainty = models.length > 0 ? 'named' : hasText(sub) ? 'guessed' : 'defaulted';
  return { device: 'nic', models, certainty };
}

function modelOf<K>(sub: string | undefined, table: Map<string, K>): { model?: K } {
  const m = known(sub, (w) => table.get(w.toLowerCase()))[0];
  return m === undefined ? {} : { model: m };
}

/** VirtualBox writes sound cards as ResourceType 35, VMware as Other (1) with subtype `vmware.soundcard.*`. */
function isSound(type: number | undefined, sub: string | undefined): boolean {
  return type === 35 || (type === ResourceType.Other && /^\s*vmware\.soundcard\./i.test(sub ?? ''));
}

const DRIVES: ReadonlyMap<number, DriveKind> = new Map([
  [ResourceType.DiskDrive, 'disk'],
  [ResourceType.LogicalDisk, 'disk'],
  [ResourceType.CdDrive, 'cdrom'],
  [ResourceType.DvdDrive, 'cdrom'],
  [ResourceType.FloppyDrive, 'floppy'],
]);

/**
 * Reads a RASD's meaning from ResourceType, OtherResourceType and ResourceSubType. Each subtype word is looked up
 * case-insensitively under the RASD's own ResourceType only (`virtio` is virtio-scsi under RT 6, virtio-blk under
 * RT 20, a NIC under RT 10); every known word is kept, in order. Never throws.
 *
 * @example
 * classifyResource({ cimClass: 'CIM_ResourceAllocationSettingData',
 *   properties: { ResourceType: '6', ResourceSubType: 'virtio lsilogic' } });
 * // { device: 'controller', kinds: ['virtio-scsi', 'lsilogic'], certainty: 'named' }
 */
export function classifyResource(r: ResourceSetting): Classified {
  const type = resourceTypeOf(r);
  const sub = r.properties.ResourceSubType;
  const drive = type === undefined ? undefined : DRIVES.get(type);
  if (drive !== undefined) return { device: 'drive', kind: drive };
  switch (type) {
    case ResourceType.Processor:
      return { device: 'processor' };
    case ResourceType.Memory:
      return { device: 'memory' };
    case ResourceType.IdeController:
      return controller(['ide'], 'named'); // the subtype only names the chipset (PIIX3, PIIX4, ICH6)
    case ResourceType.ParallelScsiHba:
      return scsi(sub);
    case ResourceType.OtherStorageDevice: {
      const kinds = known(sub, (w) => CONTROLLER_WORDS.get(key(ResourceType.OtherStorageDevice, w)));
      return kinds.length > 0 ? controller(kinds, 'named') : { device: 'other', resourceType: type };
    }
    case ResourceType.UsbController:
      return usbController(sub);
    case ResourceType.EthernetAdapter:
      return nic(sub);
    case ResourceType.SerialPort:
      return { device: 'serial' };
    case ResourceType.ParallelPort:
      return { device: 'parallel' };
    case ResourceType.GraphicsController:
      return { device: 'graphics', ...modelOf(sub, GRAPHICS_WORDS) };
  }
  if (isSound(type, sub)) return { device: 'sound', ...modelOf(sub, SOUND_WORDS) };
  if (type === ResourceType.Other && /^\s*controller\s*$/i.test(r.properties.OtherResourceType ?? ''))
    return libvirtController(r);
  return { device: 'other', resourceType: type };
}

/**
 * The first of `kinds` that `supported` accepts: how a driver or writer honours a producer's list of
 * alternatives (`virtio lsilogic`: virtio-scsi where there is one, else LSI Logic).
 *
 * @example
 * preferred(['virtio-scsi', 'lsilogic'], (k) => k !== 'virtio-scsi'); // 'lsilogic'
 */
export function preferred<K extends string>(
  kinds: readonly K[],
  supported: (k: K) => boolean,
): K | undefined {
  return kinds.find((k) => supported(k));
}
