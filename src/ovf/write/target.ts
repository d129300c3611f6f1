import {
  type ControllerDevice,
  type ControllerKind,
  type Device,
  type DeviceSpelling,
  type NicDevice,
  type NicModel,
  type Producer,
  preferred,
  type ResourceSetting,
  ResourceType,
  SUBSTITUTES,
  spell,
} from '../../model/index.js';

/**
 * Descriptor targets: what each platform's importer accepts (../shared/notes/ovf-tools.md §1b, §1c, §1d, §1g).
 * `generic` keeps the definition's devices as they are (Vessel, virt-v2v, Proxmox read them); `vmware` and
 * `virtualbox` write each controller and NIC as that product spells it (the model's one spelling table, `spell`),
 * or its substitute when the product has no such device (`SUBSTITUTES`), and say what they changed.
 */

/** The platforms a descriptor is written for (`vessel export --target`). */
export type DescriptorTarget = 'generic' | 'vmware' | 'virtualbox';

/** Every target, in the order help texts list them. */
export const DESCRIPTOR_TARGETS: readonly DescriptorTarget[] = ['generic', 'vmware', 'virtualbox'];

/** What a target fixes about a descriptor. */
export interface DescriptorTargetProfile {
  /** The producer whose spellings devices get; undefined keeps the definition's. */
  producer: Producer | undefined;
  /** The hardware family written when the definition names none of this platform's. */
  family: string;
  /** Whether a VirtualSystemType names a family of this platform. */
  ownsFamily: (family: string) => boolean;
  /** Which OVF versions the platform reads. */
  ovfVersions: readonly ('1.0' | '2.0')[];
  /** Serial, parallel, USB, graphics and vendor items are written `ovf:required="false"`. */
  optionalExtras: boolean;
  /** The profile of Vessel's validator that knows what this platform refuses. */
  validator: 'qemu' | 'vmware' | 'virtualbox';
}

const families = (text: string) => text.split(/[\s,]+/).filter((f) => f !== '');

/**
 * The profiles. vmx-13 is ESXi 6.5 / Workstation 14 and later (the oldest family with NVMe); VirtualBox writes and
 * reads `virtualbox-2.2`; Vessel's own family is `vessel-qemu` (`vessel-q35` for a q35 machine).
 */
export const TARGETS: Readonly<Record<DescriptorTarget, DescriptorTargetProfile>> = {
  generic: {
    producer: undefined,
    family: 'vessel-qemu',
    ownsFamily: () => true,
    ovfVersions: ['1.0', '2.0'],
    optionalExtras: false,
    validator: 'qemu',
  },
  vmware: {
    producer: 'vmware',
    family: 'vmx-13',
    ownsFamily: (f) => families(f).some((x) => /^vmx-\d+$/.test(x)),
    ovfVersions: ['1.0'],
    optionalExtras: true,
    validator: 'vmware',
  },
  virtualbox: {
    producer: 'virtualbox',
    family: 'virtualbox-2.2',
    ownsFamily: (f) => families(f).some((x) => /^virtualbox-/.test(x)),
    ovfVersions: ['1.0', '2.0'],
    optionalExtras: true,
    validator: 'virtualbox',
  },
};

/**
 * The VirtualSystemType a descriptor gets, one rule for every writer: the definition's when it names a family of
 * the target's platform (any family for `generic`), else the target's own family.
 *
 * @example
 * virtualSystemType('vessel-q35', 'vmware'); // 'vmx-13'
 * virtualSystemType('vmx-19', 'vmware');     // 'vmx-19'
 */
export function virtualSystemType(given: string | undefined, target: DescriptorTarget): string {
  const t = TARGETS[target];
  const text = given?.trim();
  return text !== undefined && text !== '' && t.ownsFamily(text) ? text : t.family;
}

/** The RASD spelling a target gives a controller kind or NIC model it has, or its substitute's. */
function spelled<K extends ControllerKind | NicModel>(
  kinds: readonly K[],
  producer: Producer,
): { kind: ControllerKind | NicModel; spelling: DeviceSpelling } | undefined {
  const own = preferred(kinds, (k) => spell(k, producer) !== undefined);
  const kind = own ?? kinds.map((k) => SUBSTITUTES[producer]?.[k]).find((k) => k !== undefined);
  const spelling = kind === undefined ? undefined : spell(kind, producer);
  return kind === undefined || spelling === undefined ? undefined : { kind, spelling };
}

/** What the target writes for a controller: its own spelling of the first kind it has, or a substitute. */
function controllerSpelling(c: ControllerDevice, producer: Producer): DeviceSpelling | undefined {
  if (c.kind === 'usb') {
    if (producer !== 'vmware') return undefined;
    // VMware names its USB 2 and 3 controllers; for the others it chooses itself.
    const sub = c.usb === 'ehci' || c.usb === 'xhci' ? `vmware.usb.${c.usb}` : undefined;
    return { ResourceType: String(ResourceType.UsbController), ...(sub ? { ResourceSubType: sub } : {}) };
  }
  return spelled(c.kinds, producer)?.spelling;
}

/** What the target writes for a NIC: its own spelling of the first model it has, a substitute, else E1000. */
function nicSpelling(n: NicDevice, producer: Producer): DeviceSpelling | undefined {
  return spelled(n.models.length > 0 ? n.models : (['e1000'] as const), producer)?.spelling;
}

/** One change a target made to a device's spelling, said precisely. */
export interface TargetChange {
  instanceId: string;
  message: string;
}

const describe = (type: string | undefined, sub: string | undefined) =>
  `ResourceType ${type} ${sub === undefined ? 'without a subtype' : `"${sub}"`}`;

/**
 * Rewrites a written item's ResourceType and ResourceSubType (in place) as the target spells its device, and
 * returns what changed; nothing for `generic`, for devices the target leaves alone, or when the spelling is the
 * same. VMware gets graphics without a subtype (it chooses its own SVGA).
 *
 * @example
 * respell('vmware', device, item.resource); // { instanceId: '3', message: '"SATA 0": ... "AHCI" written as ... "vmware.sata.ahci" for vmware' }
 */
export function respell(target: DescriptorTarget, d: Device, r: ResourceSetting): TargetChange | undefined {
  const producer = TARGETS[target].producer;
  if (producer === undefined) return undefined;
  let after: DeviceSpelling | undefined;
  if (d.device === 'controller') after = controllerSpelling(d, producer);
  else if (d.device === 'nic') after = nicSpelling(d, producer);
  else if (d.device === 'graphics' && producer === 'vmware')
    after = { ResourceType: r.properties.ResourceType ?? String(ResourceType.GraphicsController) };
  if (after === undefined) return undefined;
  const p = r.properties;
  const before = { type: p.ResourceType, sub: p.ResourceSubType };
  if (after.ResourceType === before.type && after.ResourceSubType === before.sub) return undefined;
  if (after.ResourceType !== undefined) p.ResourceType = after.ResourceType;
  if (after.ResourceSubType === undefined) delete p.ResourceSubType;
  else p.ResourceSubType = after.ResourceSubType;
  return {
    instanceId: d.instanceId,
    message: `"${p.ElementName ?? d.instanceId}": ${describe(before.type, before.sub)} written as ${describe(after.ResourceType, after.ResourceSubType)} for ${target}`,
  };
}
