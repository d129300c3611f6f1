import { type DefinitionProblem, problem } from '../problems.js';
import { resourceTypeName } from '../resource-type.js';
import { cpuCount, memoryBytes, resourceTypeOf } from '../resources.js';
import { ARRAY_PROPERTIES } from '../schema/derive.js';
import type { ResourceSetting, VirtualSystemDefinition } from '../settings.js';
import { imageRef, normalizeMac, slotNumber } from './addresses.js';
import { bootOrderIds, firmwareOf, resolveBootOrder } from './boot.js';
import { type Classified, classifyResource } from './classify.js';
import type {
  ControllerDevice,
  Device,
  DeviceBase,
  DeviceView,
  DriveDevice,
  GraphicsDevice,
  NicDevice,
  SerialDevice,
  SoundDevice,
  SystemFacts,
} from './device-view.js';
import { DISK_MODE_PROPERTY, diskModeOf } from './disk-mode.js';
import { CONTROLLERS } from './kinds.js';
import { newDiskOf } from './new-disk.js';
import type { Bus } from './vocabulary.js';

/**
 * A resource as the view reads it: a scalar property given more than once (a malformed OVF Item repeats an
 * element) counts by its first value, and a list property given once is a list of one. The definition keeps the
 * resource as it is; validators report the repetition. Unchanged resources are not copied.
 */
function readable(r: ResourceSetting): ResourceSetting {
  let properties: ResourceSetting['properties'] | undefined;
  for (const [k, v] of Object.entries(r.properties)) {
    if (v === undefined || Array.isArray(v) === ARRAY_PROPERTIES.has(k)) continue;
    properties ??= { ...r.properties };
    properties[k] = Array.isArray(v) ? v[0] : [v];
  }
  return properties === undefined ? r : { cimClass: r.cimClass, properties };
}

const attempt = <T>(read: () => T): T | undefined => {
  try {
    return read();
  } catch {
    return undefined; // validateDefinition reports unreadable CPU and memory settings
  }
};

function systemFacts(def: VirtualSystemDefinition, findings: DefinitionProblem[]): SystemFacts {
  const s = def.system;
  const { firmware, finding } = firmwareOf(s);
  if (finding !== undefined) findings.push(finding);
  if (diskModeOf(s) === undefined) {
    const shown = String(s[DISK_MODE_PROPERTY]).slice(0, 40);
    findings.push(
      problem(
        'error',
        'INVALID_VALUE',
        `DiskMode "${shown}" is neither overlay nor direct`,
        undefined,
        'Use overlay or direct',
      ),
    );
  }
  const cpus = attempt(() => cpuCount(def));
  const memory = attempt(() => memoryBytes(def));
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const facts: SystemFacts = { bootOrder: bootOrderIds(s) };
  const set = <K extends keyof SystemFacts>(k: K, v: SystemFacts[K] | undefined) => {
    if (v !== undefined) facts[k] = v;
  };
  set('name', text(s.ElementName));
  set('uuid', text(s.VirtualSystemIdentifier));
  set('description', text(s.Description));
  set('cpus', cpus);
  set('memoryBytes', memory);
  set('firmware', firmware);
  set('virtualSystemType', text(s.VirtualSystemType));
  return facts;
}

/** `what` of an other device: its ResourceType's DMTF name and its subtype. */
function describe(type: number | undefined, sub: string | undefined): string {
  const name =
    type === undefined ? 'unknown resource type' : (resourceTypeName(type) ?? `ResourceType ${type}`);
  return sub === undefined || sub.trim() === '' ? name : `${name} ${sub.trim().slice(0, 60)}`;
}

function guessFinding(c: Classified, base: DeviceBase): DefinitionProblem | undefined {
  const sub = `"${(base.subType ?? '').slice(0, 60)}"`;
  const id = base.instanceId;
  if (c.device === 'controller' && c.certainty === 'guessed') {
    const read = c.kinds[0] === 'usb' ? 'a USB controller' : `${CONTROLLERS[c.kinds[0]!].name}`;
    return problem(
      'warning',
      'INVALID_VALUE',
      `Controller "${id}": subtype ${sub} names no model known here; read as ${read}`,
      id,
    );
  }
  if (c.device === 'nic' && c.certainty === 'guessed')
    return problem(
      'warning',
      'INVALID_VALUE',
      `NIC "${id}": subtype ${sub} names no adapter model known here`,
      id,
    );
  return undefined;
}

/**
 * A device: the base facts plus its own. Built by assignment, not object spread, which costs V8 tens of
 * microseconds per object and made a 10,000-NIC definition take a fifth of a second to read.
 */
function device<T extends object>(b: DeviceBase, own: T): DeviceBase & T {
  const d = {
    instanceId: b.instanceId,
    position: b.position,
    resourceType: b.resourceType,
    subType: b.subType,
    resource: b.resource,
  };
  return Object.assign(d, own);
}

/** Adds one RASD to the view as the device it is; drives are resolved against controllers afterwards. */
function add(view: DeviceView, r: ResourceSetting, base: DeviceBase, perBus: Map<Bus, number>): void {
  const c = classifyResource(r);
  const p = r.properties;
  const guess = guessFinding(c, base);
  if (guess !== undefined) view.findings.push(guess);
  switch (c.device) {
    case 'controller': {
      const bus = CONTROLLERS[c.kinds[0]!].bus;
      const ordinal = perBus.get(bus) ?? 0;
      perBus.set(bus, ordinal + 1);
      const ctl: ControllerDevice = device(base, {
        device: 'controller' as const,
        kind: c.kinds[0]!,
        kinds: c.kinds,
        certainty: c.certainty,
        ordinal,
        address: slotNumber(p.Address),
      });
      if (c.usb !== undefined) ctl.usb = c.usb;
      view.controllers.push(ctl);
      return;
    }
    case 'drive': {
      const host = p.HostResource?.[0];
      const image = imageRef(host);
      const drive: DriveDevice = device(base, {
        device: 'drive' as const,
        kind: c.kind,
        controller: undefined,
        slot: slotNumber(p.AddressOnParent),
      });
      if (p.Parent !== undefined) drive.parentText = p.Parent;
      if (p.AddressOnParent !== undefined) drive.slotText = p.AddressOnParent;
      if (image !== undefined) drive.image = image;
      if (host !== undefined) drive.hostResource = host;
      const asked = image === undefined ? newDiskOf(r) : undefined;
      if (asked !== undefined) drive.newDisk = asked;
      view.drives.push(drive);
      return;
    }
    case 'nic': {
      const nic: NicDevice = device(base, {
        device: 'nic' as const,
        model: c.models[0],
        models: c.models,
        certainty: c.certainty,
      });
      const mac = p.Address === undefined ? undefined : normalizeMac(p.Address);
      if (p.Address !== undefined) nic.macText = p.Address;
      if (mac !== undefined) nic.mac = mac;
      const network = p.Connection?.[0];
      if (network !== undefined) nic.network = network;
      view.nics.push(nic);
      return;
    }
    case 'serial': {
      const serial: SerialDevice = device(base, { device: 'serial' as const });
      const backend = p.Connection?.[0];
      if (backend !== undefined) serial.backend = backend;
      view.serials.push(serial);
      return;
    }
    case 'graphics': {
      const vnc = (p.Connection?.[0] ?? '').trim().toLowerCase() === 'vnc';
      const g: GraphicsDevice = device(base, { device: 'graphics' as const, vnc });
      if (c.model !== undefined) g.model = c.model;
      view.graphics.push(g);
      return;
    }
    case 'sound': {
      const card: SoundDevice = device(base, { device: 'sound' as const });
      if (c.model !== undefined) card.model = c.model;
      view.sound.push(card);
      return;
    }
    case 'processor':
    case 'memory':
      return; // system facts, not devices
    default:
      view.others.push(
        device(base, { device: 'other' as const, what: describe(base.resourceType, base.subType) }),
      );
  }
}

/**
 * Reads a definition once into its devices by meaning: controllers with their kind, drives placed on them, NICs
 * with model, MAC and network, serial ports, graphics, sound, and the system's firmware and boot order. It never
 * throws; what cannot be read is in `findings`, and `validateDefinition` judges the rest.
 *
 * @example
 * const view = readDevices(def);
 * view.drives.filter((d) => d.controller?.kind === 'virtio-scsi').map((d) => d.slot);
 */
export function readDevices(def: VirtualSystemDefinition): DeviceView {
  const findings: DefinitionProblem[] = [];
  const ids = new Map<string, Device>();
  const view: DeviceView = {
    definition: def,
    system: systemFacts(def, findings),
    controllers: [],
    drives: [],
    nics: [],
    serials: [],
    graphics: [],
    sound: [],
    others: [],
    byId: (id) => ids.get(id),
    findings,
  };
  const perBus = new Map<Bus, number>();
  def.resources.forEach((original, position) => {
    const r = readable(original);
    const base: DeviceBase = {
      instanceId: r.properties.InstanceID ?? `#${position + 1}`,
      position,
      resourceType: resourceTypeOf(r),
      subType: r.properties.ResourceSubType,
      resource: original,
    };
    add(view, r, base, perBus);
  });
  const all: Device[] = [
    ...view.controllers,
    ...view.drives,
    ...view.nics,
    ...view.serials,
    ...view.graphics,
    ...view.sound,
    ...view.others,
  ].sort((a, b) => a.position - b.position);
  for (const d of all) if (!ids.has(d.instanceId)) ids.set(d.instanceId, d);
  for (const d of view.drives) {
    const parent = d.parentText === undefined ? undefined : ids.get(d.parentText);
    if (parent?.device === 'controller') d.controller = parent;
  }
  findings.push(...resolveBootOrder(view).findings);
  return view;
}
