import {
  classifyResource,
  isNicModel,
  NIC_MODELS,
  type NicModel,
  type Producer,
  ResourceType,
  spell,
} from '../../model/index.js';
import { OvfError } from '../errors.js';
import { findSection, hardwareOf, itemsFor, virtualSystems } from '../select.js';
import type { OvfContent, OvfDiskSection, OvfEnvelope, OvfItem } from '../types.js';
import {
  envelopeSection,
  ext,
  freeId,
  hardware,
  itemsForEdit,
  itemsOfType,
  newItem,
  nextInstanceId,
  requireConfiguration,
  settleOverrides,
} from './core.js';
import { addNetwork } from './hardware.js';
import { placeNewDrive } from './place.js';

/**
 * Adding and changing devices (COT's edit-hardware NIC and disk options): NIC models and controllers are named
 * with the model's vocabulary and written as the descriptor's producer spells them (`spell`); new disks are
 * placed by the model's placement (`placeDrives`).
 */

/**
 * Whose spellings a descriptor uses, from its VirtualSystemType: VMware's for `vmx-NN`, VirtualBox's for
 * `virtualbox-*`, else Vessel's.
 */
export function descriptorProducer(system: OvfContent): Producer {
  const t = hardwareOf(system)?.system?.properties.VirtualSystemType;
  const family = (Array.isArray(t) ? t.join(' ') : (t ?? '')).toLowerCase();
  if (/(^|[\s,])vmx-\d+/.test(family)) return 'vmware';
  if (/(^|[\s,])virtualbox-/.test(family)) return 'virtualbox';
  return 'vessel';
}

/** The NIC model a word names (a vocabulary word or any producer's spelling), as `producer` writes it. */
export function nicSubtype(word: string, producer: Producer): string {
  const w = word.trim();
  const read = classifyResource({
    cimClass: 'CIM_ResourceAllocationSettingData',
    properties: { ResourceType: String(ResourceType.EthernetAdapter), ResourceSubType: w },
  });
  const lower = w.toLowerCase();
  const model: NicModel | undefined = isNicModel(lower)
    ? lower
    : read.device === 'nic' && read.certainty === 'named'
      ? read.models[0]
      : undefined;
  if (model === undefined)
    throw new OvfError('OVF_EDIT', `"${w}" names no network adapter model`, {
      hint: `Models: ${NIC_MODELS.join(', ')} (or a producer's spelling of one, such as VmxNet3)`,
    });
  return (spell(model, producer) ?? spell(model, 'vessel'))!.ResourceSubType!;
}

/**
 * Adds a NIC connected to `network` (added to NetworkSection when missing). `model` is a NIC model of the model's
 * vocabulary (`e1000`, `vmxnet3`, `virtio`...) or a producer's spelling of one (`E1000`, `VMXNET3`,
 * `VirtualE1000`), written as the descriptor's producer spells it. `configuration` lists the deployment options
 * the NIC is for (space-separated; all when undefined). An unknown model, or an option the descriptor does not
 * define, is refused.
 */
export function addNic(
  env: OvfEnvelope,
  system: OvfContent,
  network: string,
  model = 'e1000',
  configuration?: string,
): OvfItem {
  const options = configuration?.split(/\s+/).filter((c) => c !== '') ?? [];
  for (const c of options) requireConfiguration(env, c);
  const subType = nicSubtype(model, descriptorProducer(system));
  addNetwork(env, network);
  const hw = hardware(system);
  const n = itemsOfType(hw, ResourceType.EthernetAdapter).length + 1;
  return newItem(
    hw,
    {
      ElementName: `Ethernet ${n}`,
      ResourceType: String(ResourceType.EthernetAdapter),
      ResourceSubType: subType,
      Connection: [network],
      AutomaticAllocation: 'true',
    },
    options.length === 0 ? undefined : options.join(' '),
  );
}

/**
 * Connects NICs to a network: every NIC, or the n-th (1-based, in the option's order). With `configuration`,
 * only that deployment option's NICs change (a NIC other options share gets an override for this one, see
 * `itemsForEdit`); without, the NIC changes in every option.
 */
export function setNicNetwork(
  env: OvfEnvelope,
  system: OvfContent,
  network: string,
  index?: number,
  configuration?: string,
): void {
  if (configuration !== undefined) requireConfiguration(env, configuration);
  const hw = hardware(system);
  const nics = itemsFor(itemsOfType(hw, ResourceType.EthernetAdapter, configuration), configuration);
  const where = configuration === undefined ? '' : ` in deployment option "${configuration}"`;
  if (nics.length === 0) throw new OvfError('OVF_EDIT', `The system has no NIC${where}`);
  if (index !== undefined && (!Number.isInteger(index) || index < 1 || index > nics.length))
    throw new OvfError('OVF_EDIT', `The system has no NIC number ${index}${where}; it has ${nics.length}`);
  const pick = index === undefined ? undefined : nics[index - 1]!.resource.properties.InstanceID;
  addNetwork(env, network);
  for (const t of itemsForEdit(env, hw, ResourceType.EthernetAdapter, configuration))
    if (pick === undefined || t.resource.properties.InstanceID === pick)
      t.resource.properties.Connection = [network];
  settleOverrides(hw);
}

/** A disk to add: a file in References (when `href` is given) and a Disk, attached to a controller. */
export interface DiskFields {
  diskId?: string;
  href?: string;
  fileSize?: bigint;
  capacityBytes: bigint;
  format?: string;
  /**
   * Controller InstanceID, or a bus (`ide`, `scsi`, `sata`, `nvme`: its first controller with room); default:
   * where the model's placement puts a disk (one is added when none has room).
   */
  controller?: string;
}

/**
 * Adds a disk: File, DiskSection/Disk and a Disk Drive item (DSP0243 §9.1, §9.5). The drive goes on the given
 * controller (which must be a storage controller with a free slot), else where the model's placement puts a disk
 * (a SCSI HBA first, then SATA, virtio-blk, NVMe, IDE), at the first free slot of that controller (SCSI id 7,
 * the HBA's own, is never used); an LSI Logic controller is added, spelled as the descriptor's producer spells
 * it, when none has room. Returns the disk id.
 */
export function addDisk(env: OvfEnvelope, system: OvfContent, d: DiskFields): string {
  if (d.capacityBytes <= 0n) throw new OvfError('OVF_EDIT', 'The disk capacity must be more than 0 bytes');
  const hw = hardware(system);
  const driveId = nextInstanceId(hw);
  const place = placeNewDrive(hw, driveId, d.controller, descriptorProducer(system));
  const ds = envelopeSection<OvfDiskSection>(env, 'DiskSection', () => ({
    kind: 'DiskSection',
    info: { text: 'Virtual disk information' },
    disks: [],
    ...ext(),
  }));
  const diskId =
    d.diskId ??
    freeId(
      ds.disks.map((x) => x.diskId),
      'vmdisk',
    );
  if (ds.disks.some((x) => x.diskId === diskId))
    throw new OvfError('OVF_EDIT', `A disk with id "${diskId}" exists already`);
  let fileRef: string | undefined;
  if (d.href !== undefined) {
    if (env.references.some((f) => f.href === d.href))
      throw new OvfError('OVF_EDIT', `File "${d.href}" is already in References`);
    fileRef = freeId(
      env.references.map((f) => f.id),
      'file',
    );
    env.references.push({ id: fileRef, href: d.href, size: d.fileSize?.toString(), ...ext() });
  }
  const gib = d.capacityBytes % (1n << 30n) === 0n;
  ds.disks.push({
    diskId,
    capacity: String(gib ? d.capacityBytes >> 30n : d.capacityBytes),
    capacityAllocationUnits: gib ? 'byte * 2^30' : 'byte',
    fileRef,
    format: d.format ?? 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized',
    ...ext(),
  });
  const parent =
    place.add === undefined ? place.controller : newItem(hw, place.add).resource.properties.InstanceID!;
  newItem(hw, {
    ElementName: `Hard disk ${itemsOfType(hw, ResourceType.DiskDrive).length + 1}`,
    ResourceType: String(ResourceType.DiskDrive),
    HostResource: [`ovf:/disk/${diskId}`],
    Parent: parent,
    AddressOnParent: String(place.slot),
  });
  return diskId;
}

/** Removes a disk, its Disk Drive item and its File (when no other disk uses it). */
export function removeDisk(env: OvfEnvelope, diskId: string): void {
  const ds = findSection(env.sections, 'DiskSection');
  const disk = ds?.disks.find((d) => d.diskId === diskId);
  if (!ds || !disk) throw new OvfError('OVF_EDIT', `No disk has the id "${diskId}"`);
  ds.disks = ds.disks.filter((d) => d !== disk);
  const refs = new Set([`ovf:/disk/${diskId}`, `/disk/${diskId}`]);
  for (const s of virtualSystems(env)) {
    const hw = hardwareOf(s);
    if (hw)
      hw.items = hw.items.filter((i) => !(i.resource.properties.HostResource ?? []).some((h) => refs.has(h)));
  }
  if (disk.fileRef && !ds.disks.some((d) => d.fileRef === disk.fileRef)) {
    env.references = env.references.filter((f) => f.id !== disk.fileRef);
  }
}
