import { BOOT_ORDER_PROPERTY, FIRMWARE_PROPERTY } from '../devices/boot.js';
import type { Device } from '../devices/device-view.js';
import { spell } from '../devices/spellings.js';
import { readDevices } from '../devices/view.js';
import type { RasdProperties, VirtualSystemDefinition } from '../settings.js';
import type { DefinitionJson, JsonDevice, JsonProperties } from './types.js';

/** RASD properties every named device's fields cover. */
const BASE_KEYS = ['InstanceID', 'ResourceType', 'ResourceSubType', 'ElementName'];
/** VSSD properties the named fields cover; the UUID is left out, as a definition read back is a new system. */
const SYSTEM_KEYS = [
  'InstanceID',
  'ElementName',
  'Description',
  'VirtualSystemType',
  'VirtualSystemIdentifier',
  FIRMWARE_PROPERTY,
  BOOT_ORDER_PROPERTY,
];

/** The properties not in `covered`, or undefined when none is left. */
function rest(props: RasdProperties, covered: readonly string[]): JsonProperties | undefined {
  const out: JsonProperties = {};
  for (const [k, v] of Object.entries(props)) if (v !== undefined && !covered.includes(k)) out[k] = v;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The one value of a list property given once, else undefined (the list stays in `properties`). */
const single = (v: string | string[] | undefined) => (Array.isArray(v) && v.length === 1 ? v[0] : undefined);

function named(d: Device): JsonDevice {
  const p = d.resource.properties;
  const covered = [...BASE_KEYS];
  const o: { id: string; name?: string } = { id: d.instanceId };
  if (typeof p.ElementName === 'string') o.name = p.ElementName;
  const withRest = <T extends JsonDevice>(device: T): T => {
    const more = rest(p, covered);
    return more === undefined ? device : { ...device, properties: more };
  };
  switch (d.device) {
    case 'controller':
      if (d.certainty === 'guessed' || spell(d.kind, 'vessel')?.ResourceType === undefined) break;
      if (d.address !== undefined) covered.push('Address');
      return withRest({
        device: 'controller',
        ...o,
        kind: d.kind,
        ...(d.address === undefined ? {} : { address: d.address }),
        ...(d.usb === undefined ? {} : { usb: d.usb }),
      });
    case 'drive': {
      const image = single(p.HostResource);
      if (image !== undefined) covered.push('HostResource');
      if (d.controller !== undefined) covered.push('Parent');
      if (d.slot !== undefined) covered.push('AddressOnParent');
      return withRest({
        device: 'drive',
        ...o,
        kind: d.kind,
        ...(d.controller === undefined ? {} : { controller: d.controller.instanceId }),
        ...(d.slot === undefined ? {} : { slot: d.slot }),
        ...(image === undefined ? {} : { image }),
      });
    }
    case 'nic': {
      const network = single(p.Connection);
      if (network !== undefined) covered.push('Connection');
      if (d.mac !== undefined) covered.push('Address');
      // The builder writes AutomaticAllocation true for every NIC; only another value needs saying.
      if (p.AutomaticAllocation === 'true') covered.push('AutomaticAllocation');
      const model = d.certainty === 'guessed' ? undefined : d.model;
      return withRest({
        device: 'nic',
        ...o,
        ...(model === undefined ? {} : { model }),
        ...(model === undefined && d.subType !== undefined ? { subType: d.subType } : {}),
        ...(network === undefined ? {} : { network }),
        ...(d.mac === undefined ? {} : { mac: d.mac }),
      });
    }
    case 'serial': {
      const backend = single(p.Connection);
      if (backend !== undefined) covered.push('Connection');
      return withRest({ device: 'serial', ...o, ...(backend === undefined ? {} : { backend }) });
    }
    case 'graphics':
      if (d.vnc && single(p.Connection) !== undefined) covered.push('Connection');
      return withRest({
        device: 'graphics',
        ...o,
        ...(d.model === undefined ? {} : { model: d.model }),
        vnc: d.vnc,
      });
    case 'sound':
      if (d.model === undefined) break;
      return withRest({ device: 'sound', ...o, model: d.model });
  }
  return {
    device: 'other',
    ...o,
    ...(d.device === 'other' ? { what: d.what } : {}),
    cimClass: d.resource.cimClass,
    properties: rest(p, ['InstanceID', 'ElementName']) ?? {},
  };
}

/**
 * A definition in its JSON encoding with named kinds (`vessel vm info --json`): the system's facts, then every
 * device in definition order with the vocabulary's words; what no field names is kept in `properties`.
 * The Processor and Memory settings become `cpus` and `memoryBytes`.
 *
 * @example
 * definitionToJson(buildDefinition({ name: 'web1', cpus: 1, memoryBytes: 256n << 20n }));
 * // { name: 'web1', virtualSystemType: 'vessel-qemu', cpus: 1, memoryBytes: 268435456, devices: [{ device: 'serial', ... }] }
 */
export function definitionToJson(def: VirtualSystemDefinition): DefinitionJson {
  const view = readDevices(def);
  const s = view.system;
  const out: Omit<DefinitionJson, 'devices'> = {};
  if (s.name !== undefined) out.name = s.name;
  if (s.description !== undefined) out.description = s.description;
  if (s.virtualSystemType !== undefined) out.virtualSystemType = s.virtualSystemType;
  if (s.firmware !== undefined) out.firmware = s.firmware;
  if (s.cpus !== undefined) out.cpus = s.cpus;
  if (s.memoryBytes !== undefined) out.memoryBytes = Number(s.memoryBytes);
  if (s.bootOrder.length > 0) out.bootOrder = [...s.bootOrder];
  const devices = [
    ...view.controllers,
    ...view.drives,
    ...view.nics,
    ...view.serials,
    ...view.graphics,
    ...view.sound,
    ...view.others,
  ].sort((a, b) => a.position - b.position);
  const more = rest(def.system, SYSTEM_KEYS);
  return { ...out, devices: devices.map(named), ...(more === undefined ? {} : { properties: more }) };
}
