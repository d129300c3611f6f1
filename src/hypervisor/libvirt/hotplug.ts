import { readDevices, type VirtualSystemDefinition } from '../../model/index.js';
import { escapeAttr } from '../../xml/index.js';
import { HypervisorError } from '../errors.js';
import { domainXml } from './domain-xml.js';

/** VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG: the running domain and its persistent definition. */
export const AFFECT_LIVE_CONFIG = 3;
/** VIR_DOMAIN_METADATA_ELEMENT. */
export const METADATA_ELEMENT = 2;
/** The namespace of Vessel's metadata element (src/formats' libvirt writer). */
export const VESSEL_NS = 'urn:x-vessel:libvirt:1';

/**
 * Buses QEMU cannot hot-plug a disk on (IDE, SATA, floppy): a disk without a Parent that the writer placed there
 * goes on virtio-blk (one whose Parent names such a controller was refused before, `checkHotplugBus`).
 */
const COLD_BUSES = /bus="(ide|sata|fdc)"/;

/**
 * The `<vessel:system>` element of a domain XML the driver wrote, unprefixed, as virDomainSetMetadata takes it
 * (libvirt puts the element in the namespace it is given; an element that declares it already is refused).
 */
function factsElement(xml: string): string | undefined {
  const e = /<vessel:system\b[\s\S]*?<\/vessel:system>/.exec(xml)?.[0];
  return e?.replace(/ xmlns:vessel="[^"]*"/, '').replace(/<(\/?)vessel:/g, '<$1');
}

/** The device key (`disk:vdb`, `nic:1`) the driver's domain XML gives an InstanceID. */
function keyOf(xml: string, instanceId: string): string | undefined {
  const want = escapeAttr(instanceId);
  for (const m of xml.matchAll(/<vessel:id key="([^"]*)" instance="([^"]*)"\/>/g))
    if (m[2] === want) return m[1];
  return undefined;
}

/** The `n`th element `<name ...>...</name>` of a document the driver wrote. */
function nth(xml: string, name: string, n: number): string | undefined {
  return [...xml.matchAll(new RegExp(`<${name} [^>]*>[\\s\\S]*?</${name}>`, 'g'))][n]?.[0];
}

/** The element of a device key in a domain XML the driver wrote (a `<disk>` by target, an `<interface>` by place). */
function elementOf(xml: string, key: string): string | undefined {
  if (key.startsWith('nic:')) return nth(xml, 'interface', Number(key.slice(4)));
  if (!key.startsWith('disk:')) return undefined;
  const dev = key.slice(5);
  return [...xml.matchAll(/<disk [^>]*>[\s\S]*?<\/disk>/g)]
    .map((m) => m[0])
    .find((d) => d.includes(`<target dev="${dev}"`));
}

/** What a hot-plug sends libvirt: the device element, and Vessel's metadata element with its InstanceID. */
export interface DevicePlan {
  device: string;
  facts: string;
  kind: 'disk' | 'nic';
}

/** Whether resource `instanceId` of `def` can change while the system runs: a disk or a NIC, else NOT_SUPPORTED. */
function hotKindOf(def: VirtualSystemDefinition, instanceId: string, verb: string): 'disk' | 'nic' {
  const device = readDevices(def).byId(instanceId);
  if (device?.device === 'nic') return 'nic';
  if (device?.device === 'drive' && device.kind === 'disk') return 'disk';
  throw new HypervisorError('NOT_SUPPORTED', `Only disks and network adapters can be ${verb} while running`);
}

/**
 * The device XML that attaches resource `instanceId` of `next` (the definition with it added) to a running
 * domain: what the domain XML writer gives it, a disk it placed on a bus QEMU cannot hot-plug moved to the first free
 * virtio-blk target (`taken`: the targets the live domain has). Throws NOT_SUPPORTED for other devices.
 *
 * @example
 * const plan = attachPlan(next, 'hot-disk', 'qemu', ['hda']); // plan.device: '<disk ...><target dev="vda" bus="virtio"/>...'
 */
export function attachPlan(
  next: VirtualSystemDefinition,
  instanceId: string,
  type: string,
  taken: readonly string[],
): DevicePlan {
  const kind = hotKindOf(next, instanceId, 'attached');
  let { xml } = domainXml(next, type);
  const key = keyOf(xml, instanceId);
  let element = key === undefined ? undefined : elementOf(xml, key);
  if (key === undefined || element === undefined)
    throw new HypervisorError('DEFINITION_INVALID', `libvirt has no device for resource "${instanceId}"`);
  if (kind === 'disk' && COLD_BUSES.test(element)) {
    let n = 0;
    const letter = (i: number) => String.fromCharCode(97 + (i % 26)).repeat(Math.floor(i / 26) + 1);
    while (taken.includes(`vd${letter(n)}`)) n++;
    const dev = `vd${letter(n)}`;
    element = element
      .replace(/<target [^>]*\/>/, `<target dev="${dev}" bus="virtio"/>`)
      .replace(/<address [^>]*\/>/, '');
    xml = xml.replace(`key="${key}" instance=`, `key="disk:${dev}" instance=`);
    // Read back, a virtio disk sits on a virtio-blk controller: give it a name of its own, not the next number
    // (which the host may have given the next device it attaches).
    if (!xml.includes('<vessel:id key="virtio"'))
      xml = xml.replace(
        '</vessel:system>',
        `<vessel:id key="virtio" instance="${escapeAttr(`virtio-blk-${instanceId}`)}"/></vessel:system>`,
      );
  }
  const facts = factsElement(xml);
  if (facts === undefined)
    throw new HypervisorError('DEFINITION_INVALID', 'The domain XML has no Vessel metadata');
  return { device: element, facts, kind };
}

/**
 * The device XML that detaches resource `instanceId` of `def` (libvirt matches a disk by its target, an interface
 * by its MAC), and Vessel's metadata element of `def` without it.
 */
export function detachPlan(def: VirtualSystemDefinition, instanceId: string, type: string): DevicePlan {
  const kind = hotKindOf(def, instanceId, 'detached');
  const { xml } = domainXml(def, type);
  const key = keyOf(xml, instanceId);
  const element = key === undefined ? undefined : elementOf(xml, key);
  if (element === undefined)
    throw new HypervisorError('DEFINITION_INVALID', `libvirt has no device for resource "${instanceId}"`);
  const rest = { ...def, resources: def.resources.filter((r) => r.properties.InstanceID !== instanceId) };
  const facts = factsElement(domainXml(rest, type).xml);
  if (facts === undefined)
    throw new HypervisorError('DEFINITION_INVALID', 'The domain XML has no Vessel metadata');
  return { device: element, facts, kind };
}

/** The disk targets (`vda`, `hdc`) and interface MACs a domain XML from libvirt holds. */
export function liveDevices(xml: string): { targets: string[]; macs: string[] } {
  return {
    targets: [...xml.matchAll(/<target dev=['"]([a-z]{2,3}[a-z]{1,3})['"]/g)].map((m) => m[1]!),
    macs: [...xml.matchAll(/<mac address=['"]([0-9a-f:]{17})['"]/gi)].map((m) => m[1]!.toLowerCase()),
  };
}
