import {
  CONTROLLERS,
  type ControllerDevice,
  type ControllerKind,
  DEFAULT_PREFERENCE,
  type DeviceView,
  type DriveDevice,
  type DriveKind,
  type NicModel,
  type PlacementPreference,
  type Producer,
  placeDrives,
  preferred,
  readDevices,
  resolveBootOrder,
  type SerialDevice,
  type SlotOverrides,
  type SlotPolicy,
  SUBSTITUTES,
  slotPolicy,
} from '../model/index.js';
import { diskIdOf, fileIdOf } from '../ovf/index.js';
import { reportFindings, type SystemFacts, systemFacts } from './system.js';
import type { PackageDisk, PackageFile, SystemPackage } from './types.js';
import type { Warnings } from './warnings.js';
import { type DeviceWord, deviceName, type NativeWords } from './words.js';

/**
 * What a writer writes, read once from the one model for one target format: the definition's devices
 * (`readDevices`), each controller kind and NIC model as the format has it (the producer's first listed
 * alternative the format has, `preferred()`, else its `SUBSTITUTES` entry), and every drive placed on the
 * format's slots (`placeDrives` with the format's `SlotPolicy`). Every change is a warning.
 */

/** A target format as the writers describe it. */
export interface FormatTarget {
  /** The platform's name in messages: `VMware`, `VirtualBox`. */
  name: string;
  /** The format's two-way table of kinds and models. */
  words: NativeWords;
  /** The format's slot limits per controller kind. */
  slots: SlotPolicy;
  /** Where drives without a usable controller go, among the format's kinds. */
  prefer: PlacementPreference;
  /** Whose `SUBSTITUTES` entries apply, when the model's spelling table knows the platform. */
  producer?: Producer | undefined;
  /** The format's own substitutes where `SUBSTITUTES` has none, then the last resort of each kind. */
  fallback: { local?: Partial<Record<DeviceWord, DeviceWord>>; controller: ControllerKind; nic: NicModel };
  /** The NIC model written when the definition names none. */
  defaultNic: NicModel;
}

/** A controller the target writes: one of the definition's, as the target has it, or one added for drives. */
export interface TargetController {
  instanceId: string;
  kind: ControllerKind;
  /** The definition's controller; undefined for one added because drives had none they could use. */
  source?: ControllerDevice | undefined;
  /** Its position among the target's controllers on the same bus (0-based). */
  ordinal: number;
  /** The definition's Address (IDE channel, SCSI bus), when a whole number. */
  address?: number | undefined;
}

/** A drive the target writes, placed. Floppies have no controller; their slot is their order. */
export interface TargetDrive {
  instanceId: string;
  kind: DriveKind;
  controller?: TargetController | undefined;
  slot: number;
  disk?: PackageDisk | undefined;
  file?: PackageFile | undefined;
  source: DriveDevice;
}

/** A NIC the target writes, with the model it writes. */
export interface TargetNic {
  instanceId: string;
  model: NicModel;
  network?: string | undefined;
  /** MAC in colon form, lower case. */
  mac?: string | undefined;
}

/** Everything a writer needs. */
export interface TargetView extends SystemFacts {
  view: DeviceView;
  controllers: TargetController[];
  drives: TargetDrive[];
  nics: TargetNic[];
  serials: SerialDevice[];
  graphics: boolean;
  usb: boolean;
  /** Resources no writer maps (sound cards, parallel ports, vendor types), to report. */
  others: { instanceId: string; what: string }[];
  /** The boot order the definition states, as the target's drives and NICs; empty when it states none. */
  bootOrder: (TargetDrive | TargetNic)[];
}

/**
 * A format's slot limits: the model's table with the format's changes. No format writer puts drives on a USB
 * host controller (usb-storage), so drives found there are placed elsewhere.
 */
export function formatSlots(name: string, overrides: SlotOverrides = {}): SlotPolicy {
  return slotPolicy(name, { usb: { slots: 0 }, ...overrides });
}

/** The model's default placement preference, keeping the kinds a format has. */
export function preferenceFor(
  words: NativeWords,
  base: PlacementPreference = DEFAULT_PREFERENCE,
): PlacementPreference {
  return { disk: base.disk.filter((k) => words.has(k)), cdrom: base.cdrom.filter((k) => words.has(k)) };
}

/**
 * What the target writes for kinds or models it lacks: for each alternative the definition lists, in order,
 * `SUBSTITUTES` then the format's own; else its last resort.
 */
function substituteFor<K extends DeviceWord>(ks: readonly K[], target: FormatTarget, last: K): K {
  for (const k of ks) {
    const fromModel = target.producer === undefined ? undefined : SUBSTITUTES[target.producer]?.[k];
    for (const s of [fromModel, target.fallback.local?.[k]])
      if (s !== undefined && target.words.has(s)) return s as K;
  }
  return last;
}

/** A kind or model for messages, with the target's word for it: `LSI Logic (LsiLogic)`. */
function native(k: DeviceWord, target: FormatTarget): string {
  const word = target.words.word(k);
  return word === undefined || word.toLowerCase() === deviceName(k).toLowerCase()
    ? deviceName(k)
    : `${deviceName(k)} (${word})`;
}

/** Every alternative a definition lists, for a message: `virtio-scsi or LSI Logic`. */
function alternatives(ks: readonly DeviceWord[]): string {
  const names = [...new Set(ks.map((k) => deviceName(k)))];
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** The kind a target writes for a controller, warning when it is none of those the definition lists. */
function controllerKind(c: ControllerDevice, target: FormatTarget, warnings: Warnings): ControllerKind {
  const k = preferred(c.kinds, (x) => target.words.has(x));
  if (k !== undefined) return k;
  const s = substituteFor(c.kinds.length > 0 ? c.kinds : [c.kind], target, target.fallback.controller);
  warnings.add(
    'CONTROLLER',
    `${target.name} has no ${alternatives(c.kinds.length > 0 ? c.kinds : [c.kind])} controller; "${c.instanceId}" written as ${native(s, target)}`,
  );
  return s;
}

/** Drives whose image the package holds (disks need one), warning about the others. */
function drivesWithImages(view: DeviceView, pkg: SystemPackage, warnings: Warnings) {
  const disks = new Map(pkg.disks.map((d) => [d.id, d]));
  const files = new Map(pkg.files.map((f) => [f.id, f]));
  const out: { d: DriveDevice; disk?: PackageDisk | undefined; file?: PackageFile | undefined }[] = [];
  for (const d of view.drives) {
    const host = d.resource.properties.HostResource?.find((h) => h.trim() !== '');
    const disk = disks.get(diskIdOf(host) ?? '');
    const file = files.get(fileIdOf(host) ?? '');
    if (host !== undefined && disk === undefined && file === undefined)
      warnings.add(
        'DEVICE',
        `Drive "${d.instanceId}" references "${host}", which the package does not hold; left empty`,
      );
    if (d.kind === 'disk' && disk === undefined) {
      warnings.add('DEVICE', `Disk drive "${d.instanceId}" has no disk image; dropped`);
      continue;
    }
    out.push({ d, disk, file });
  }
  return out;
}

/** Places the drives on the target's controllers; returns the controllers (with added ones) and drives. */
function place(
  view: DeviceView,
  kept: ReturnType<typeof drivesWithImages>,
  target: FormatTarget,
  warnings: Warnings,
): { controllers: TargetController[]; drives: TargetDrive[] } {
  const kinds = new Map<string, ControllerKind>();
  for (const c of view.controllers)
    kinds.set(c.instanceId, c.kind === 'usb' ? 'usb' : controllerKind(c, target, warnings));
  const shadow = new Map(view.controllers.map((c) => [c, { ...c, kind: kinds.get(c.instanceId)! }]));
  const drives = kept.map(({ d }) => ({ ...d, controller: d.controller && shadow.get(d.controller) }));
  const placed = placeDrives(
    { ...view, controllers: [...shadow.values()], drives },
    target.slots,
    target.prefer,
  );
  const controllers: TargetController[] = [];
  const perBus = new Map<string, number>();
  const add = (instanceId: string, kind: ControllerKind, source?: ControllerDevice) => {
    const bus = CONTROLLERS[kind].bus;
    const ordinal = perBus.get(bus) ?? 0;
    perBus.set(bus, ordinal + 1);
    controllers.push({ instanceId, kind, source, ordinal, address: source?.address });
  };
  for (const c of view.controllers) if (c.kind !== 'usb') add(c.instanceId, kinds.get(c.instanceId)!, c);
  for (const a of placed.added) add(a.instanceId, a.kind);
  const byId = new Map(controllers.map((c) => [c.instanceId, c]));
  for (const u of placed.unplaced)
    warnings.add('DISK_POSITION', `Drive "${u.instanceId}": ${u.reason}; dropped`);
  const out: TargetDrive[] = [];
  let floppies = 0;
  for (const { d, disk, file } of kept) {
    const base = { instanceId: d.instanceId, kind: d.kind, disk, file, source: d };
    if (d.kind === 'floppy') {
      out.push({ ...base, slot: floppies++ });
      continue;
    }
    const p = placed.placements.get(d.instanceId);
    const c = p === undefined ? undefined : byId.get(p.controller);
    if (p === undefined || c === undefined) continue;
    if (p.moved !== undefined) {
      const code = d.controller === undefined && d.parentText !== undefined ? 'CONTROLLER' : 'DISK_POSITION';
      warnings.add(
        code,
        `Drive "${d.instanceId}": ${p.moved}; attached to ${CONTROLLERS[c.kind].name} controller "${c.instanceId}" at slot ${p.slot}`,
      );
    }
    out.push({ ...base, controller: c, slot: p.slot });
  }
  return { controllers, drives: out };
}

/** The NICs as the target writes them. */
function nics(view: DeviceView, target: FormatTarget, warnings: Warnings): TargetNic[] {
  return view.nics.map((n) => {
    let model = preferred(n.models, (m) => target.words.has(m));
    if (model === undefined && n.model !== undefined) {
      model = substituteFor(n.models.length > 0 ? n.models : [n.model], target, target.fallback.nic);
      warnings.add(
        'NIC_MODEL',
        `${target.name} has no ${alternatives(n.models.length > 0 ? n.models : [n.model])} NIC; NIC "${n.instanceId}" written as ${native(model, target)}`,
      );
    }
    if (n.macText !== undefined && n.mac === undefined)
      warnings.add('MAC', `NIC "${n.instanceId}": "${n.macText.slice(0, 40)}" is not a MAC address; dropped`);
    return { instanceId: n.instanceId, model: model ?? target.defaultNic, network: n.network, mac: n.mac };
  });
}

/**
 * The view of a package for one target format: the system's facts, its controllers as the target has them, its
 * drives placed on the target's slots, its NICs with the target's models, and the boot order it states.
 *
 * @example
 * const v = targetView(pkg, VMX_TARGET, warnings);
 * for (const d of v.drives) console.log(d.controller?.kind, d.slot);
 */
export function targetView(pkg: SystemPackage, target: FormatTarget, warnings: Warnings): TargetView {
  const view = readDevices(pkg.definition);
  const facts = systemFacts(pkg, view, warnings);
  reportFindings(view, warnings);
  const { controllers, drives } = place(view, drivesWithImages(view, pkg, warnings), target, warnings);
  const targetNics = nics(view, target, warnings);
  const byId = new Map<string, TargetDrive | TargetNic>();
  for (const x of [...drives, ...targetNics]) byId.set(x.instanceId, x);
  const stated = view.system.bootOrder.length > 0 ? resolveBootOrder(view).devices : [];
  const others = [
    ...view.sound.map((s) => ({
      instanceId: s.instanceId,
      what: `Sound card${s.model ? ` ${s.model}` : ''}`,
    })),
    ...view.others.map((o) => ({ instanceId: o.instanceId, what: o.what })),
  ].sort((a, b) => (view.byId(a.instanceId)?.position ?? 0) - (view.byId(b.instanceId)?.position ?? 0));
  return {
    ...facts,
    view,
    controllers,
    drives,
    nics: targetNics,
    serials: view.serials,
    graphics: view.graphics.length > 0,
    usb: view.controllers.some((c) => c.kind === 'usb'),
    others,
    bootOrder: stated.flatMap((d) => byId.get(d.instanceId) ?? []),
  };
}
