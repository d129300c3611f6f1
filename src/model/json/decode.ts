import { DefinitionBuilder } from '../devices/build.js';
import { GRAPHICS_SPELLINGS, SOUND_SPELLINGS, USB_SPELLINGS } from '../devices/spellings.js';
import {
  CONTROLLER_KINDS,
  type DriveKind,
  type Firmware,
  type GraphicsModel,
  NIC_MODELS,
  type SoundModel,
  type UsbModel,
} from '../devices/vocabulary.js';
import type { RasdClass, VirtualSystemDefinition } from '../settings.js';
import {
  at,
  checkKeys,
  fail,
  JSON_LIMITS,
  type JsonObject,
  object,
  properties,
  text,
  whole,
  word,
} from './read.js';
import type { JsonProperties } from './types.js';

const DEVICES = ['controller', 'drive', 'nic', 'serial', 'graphics', 'sound', 'other'] as const;
const DRIVES: readonly DriveKind[] = ['disk', 'cdrom', 'floppy'];
const FIRMWARE: readonly Firmware[] = ['bios', 'efi'];
const CLASSES: readonly RasdClass[] = [
  'CIM_ResourceAllocationSettingData',
  'CIM_StorageAllocationSettingData',
  'CIM_EthernetPortAllocationSettingData',
];
const keys = <K extends string>(r: Readonly<Record<K, unknown>>) => Object.keys(r) as K[];
const BASE = ['device', 'id', 'name', 'properties'];
const FIELDS: Readonly<Record<(typeof DEVICES)[number], readonly string[]>> = {
  controller: [...BASE, 'kind', 'address', 'usb'],
  drive: [...BASE, 'kind', 'controller', 'slot', 'image'],
  nic: [...BASE, 'model', 'subType', 'network', 'mac'],
  serial: [...BASE, 'backend'],
  graphics: [...BASE, 'model', 'vnc'],
  sound: [...BASE, 'model'],
  other: [...BASE, 'what', 'cimClass'],
};
/** Properties a named device's `properties` may not give: its fields say them. */
const RESERVED = ['InstanceID', 'ResourceType', 'ResourceSubType', 'ElementName', 'Parent'];
const TOP = [
  'name',
  'description',
  'virtualSystemType',
  'firmware',
  'cpus',
  'memoryBytes',
  'bootOrder',
  'devices',
  'properties',
];

/** A required field. */
function need<T>(v: T | undefined, path: string, key: string): T {
  if (v === undefined) fail(at(path, key), 'required');
  return v;
}

/** Adds one device to the builder; returns its new InstanceID. */
function addDevice(b: DefinitionBuilder, d: JsonObject, path: string, device: string): string {
  const name = text(d, 'name', path);
  const named = name === undefined ? {} : { name };
  switch (device) {
    case 'controller': {
      const kind = need(word(d, 'kind', path, CONTROLLER_KINDS), path, 'kind');
      const address = whole(d, 'address', path, 0, 65_535);
      const usb = word<UsbModel>(d, 'usb', path, keys(USB_SPELLINGS));
      return b.controller(kind, {
        ...named,
        ...(address === undefined ? {} : { address }),
        ...(usb === undefined ? {} : { usb }),
      });
    }
    case 'drive': {
      const kind = need(word(d, 'kind', path, DRIVES), path, 'kind');
      const controller = text(d, 'controller', path);
      const slot = whole(d, 'slot', path, 0, 65_535);
      return b.drive(kind, { controller, slot }, text(d, 'image', path), named);
    }
    case 'nic': {
      const model = word(d, 'model', path, NIC_MODELS);
      const subType = text(d, 'subType', path);
      if (model !== undefined && subType !== undefined)
        fail(at(path, 'subType'), 'give model or subType, not both');
      const net = text(d, 'network', path);
      const mac = text(d, 'mac', path);
      return b.nic(model ?? (subType === undefined ? undefined : { subType }), net, mac, named);
    }
    case 'serial':
      return b.serial(text(d, 'backend', path), name);
    case 'graphics': {
      const vnc = d.vnc;
      if (vnc !== undefined && typeof vnc !== 'boolean') fail(at(path, 'vnc'), 'expected true or false');
      const model = word<GraphicsModel>(d, 'model', path, keys(GRAPHICS_SPELLINGS));
      return b.graphics(model, { ...named, vnc: vnc === true });
    }
    case 'sound':
      return b.sound(need(word<SoundModel>(d, 'model', path, keys(SOUND_SPELLINGS)), path, 'model'), name);
    default: {
      const cimClass = need(word(d, 'cimClass', path, CLASSES), path, 'cimClass');
      text(d, 'what', path);
      const props = need(properties(d, 'properties', path), path, 'properties');
      const { InstanceID: _, ...rest } = props;
      return b.add({ ...rest, ...(name === undefined ? {} : { ElementName: name }) }, cimClass);
    }
  }
}

/** Reads the new form: system facts and named devices. */
function fromNamed(value: unknown, path: string): VirtualSystemDefinition {
  const o = object(value, path, TOP);
  const list = o.devices;
  if (!Array.isArray(list)) fail(at(path, 'devices'), 'required: a list of devices');
  if (list.length > JSON_LIMITS.devices)
    fail(at(path, 'devices'), `more than ${JSON_LIMITS.devices} devices`);
  const system: JsonProperties = { ...properties(o, 'properties', path) };
  for (const k of ['InstanceID', 'VirtualSystemIdentifier']) delete system[k];
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined) system[k] = v;
  };
  set('ElementName', text(o, 'name', path));
  set('Description', text(o, 'description', path));
  set('VirtualSystemType', text(o, 'virtualSystemType', path));
  const b = new DefinitionBuilder(system);
  b.firmware(word(o, 'firmware', path, FIRMWARE));
  const cpus = whole(o, 'cpus', path, 1, 65_535);
  if (cpus !== undefined) b.cpus(cpus);
  const memory = whole(o, 'memoryBytes', path, 1, Number.MAX_SAFE_INTEGER);
  if (memory !== undefined) b.memory(BigInt(memory));
  const ids = new Map<string, string>();
  const extras = new Map<string, JsonProperties>();
  const controllers = new Set<string>();
  /** Devices without a name: the builder's default ElementName goes, so that the JSON reads back the same. */
  const unnamed = new Set<string>();
  list.forEach((item, i) => {
    const p = at(at(path, 'devices'), i);
    const all = object(item, p, Object.keys(item ?? {}));
    const device = need(word(all, 'device', p, DEVICES), p, 'device');
    const d = object(item, p, FIELDS[device]);
    const id = need(text(d, 'id', p), p, 'id');
    if (id === '' || id.length > 256) fail(at(p, 'id'), 'an id has 1 to 256 characters');
    if (ids.has(id)) fail(at(p, 'id'), `"${id}" is the id of an earlier device`);
    const fresh = addDevice(b, d, p, device);
    ids.set(id, fresh);
    if (device === 'controller') controllers.add(id);
    if (d.name === undefined) unnamed.add(fresh);
    const more = device === 'other' ? undefined : properties(d, 'properties', p);
    for (const k of Object.keys(more ?? {}))
      if (RESERVED.includes(k)) fail(at(at(p, 'properties'), k), 'a named field says this; give it there');
    if (more !== undefined) extras.set(fresh, more);
  });
  list.forEach((item, i) => {
    const ref = (item as JsonObject).controller;
    if (typeof ref === 'string' && !controllers.has(ref))
      fail(
        at(at(at(path, 'devices'), i), 'controller'),
        `"${ref.slice(0, 60)}" is not the id of a controller`,
      );
  });
  const order = o.bootOrder;
  if (order !== undefined) {
    if (!Array.isArray(order) || order.length > JSON_LIMITS.devices)
      fail(at(path, 'bootOrder'), 'expected a list of device ids');
    b.bootOrder(
      order.map((x, i) => {
        const to = typeof x === 'string' ? ids.get(x) : undefined;
        if (to === undefined) fail(at(at(path, 'bootOrder'), i), 'expected the id of a device');
        return to;
      }),
    );
  }
  const def = b.build();
  for (const r of def.resources) {
    const p = r.properties;
    const more = p.InstanceID === undefined ? undefined : extras.get(p.InstanceID);
    if (p.InstanceID !== undefined && unnamed.has(p.InstanceID)) delete p.ElementName;
    if (more !== undefined) Object.assign(p, more);
    if (p.Parent !== undefined && ids.has(p.Parent)) p.Parent = ids.get(p.Parent)!;
  }
  return def;
}

/**
 * Reads a definition from untrusted JSON (`vessel vm define --from-json`): the form with named kinds
 * ({@link definitionToJson}), a whole `vessel vm info --json` answer (its `definition`), or the model itself
 * (`{system, resources}`, which the host checks). Throws `MODEL_INVALID` naming the JSON Pointer of the value at
 * fault: unknown fields and kinds, wrong types, dangling ids, values beyond bounds, `__proto__` keys.
 *
 * @example
 * definitionFromJson({ name: 'web1', cpus: 1, memoryBytes: 268435456, devices: [{ device: 'serial', id: '3' }] });
 */
export function definitionFromJson(value: unknown): VirtualSystemDefinition {
  checkKeys(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('', 'expected an object: a definition or the answer of vessel vm info --json');
  const o = value as JsonObject;
  if (!('devices' in o) && typeof o.definition === 'object' && o.definition !== null)
    return oneDefinition(o.definition, '/definition');
  return oneDefinition(o, '');
}

/** Reads one definition at `path`: the model's form when it has `system` or `resources`, else the named one. */
function oneDefinition(v: unknown, path: string): VirtualSystemDefinition {
  const o = v as JsonObject;
  if (typeof v === 'object' && v !== null && !('devices' in o) && ('system' in o || 'resources' in o))
    return v as VirtualSystemDefinition;
  return fromNamed(v, path);
}
