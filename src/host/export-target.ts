import { controllerKindOf, type ResourceSetting, ResourceType, resourceTypeOf } from '../model/index.js';
import type { DigestAlgorithm } from '../ova/index.js';

/**
 * Export target profiles: what each platform's importer accepts (../shared/notes/ovf-tools.md §1b, §1c, §1d, §1g),
 * applied to the RASDs of a definition as it is written out. `generic` keeps the definition as it is (Vessel,
 * virt-v2v, Proxmox read it); `vmware` and `virtualbox` rewrite the hardware family and the device subtypes those
 * products refuse, and say what they changed.
 */

/** The platforms `vessel export --target` writes for. */
export type ExportTarget = 'vmware' | 'virtualbox' | 'generic';

/** Every target, in the order help texts list them. */
export const EXPORT_TARGETS: readonly ExportTarget[] = ['generic', 'vmware', 'virtualbox'];

/** What a target fixes about the package. */
export interface TargetProfile {
  /** VirtualSystemType to write; undefined keeps the definition's. */
  family: string | undefined;
  /** The manifest algorithm when none is asked for. */
  manifest: DigestAlgorithm;
  /** Which OVF versions the platform reads. */
  ovfVersions: readonly ('1.0' | '2.0')[];
  /** Serial ports, graphics and USB items are written `ovf:required="false"` (the platform may skip them). */
  optionalExtras: boolean;
}

/**
 * The profiles. vmx-13 is ESXi 6.5 / Workstation 14 and later (the oldest family with NVMe); ovftool 4.2+ and ESXi
 * 6.5+ take SHA-256 manifests in the `SHA256(file)= hex` form. VirtualBox writes and reads `virtualbox-2.2`.
 */
export const TARGET_PROFILES: Record<ExportTarget, TargetProfile> = {
  generic: { family: undefined, manifest: 'sha256', ovfVersions: ['1.0', '2.0'], optionalExtras: false },
  vmware: { family: 'vmx-13', manifest: 'sha256', ovfVersions: ['1.0'], optionalExtras: true },
  virtualbox: {
    family: 'virtualbox-2.2',
    manifest: 'sha256',
    ovfVersions: ['1.0', '2.0'],
    optionalExtras: true,
  },
};

/** One change a target made to a device, said precisely. */
export interface TargetChange {
  instanceId: string;
  message: string;
}

interface Props {
  ResourceType: string | undefined;
  ResourceSubType: string | undefined;
}

type Scsi = 'lsilogic' | 'buslogic' | 'lsilogicsas' | 'pvscsi' | 'virtio-scsi';
type Nic = 'e1000' | 'e1000e' | 'vmxnet3' | 'pcnet' | 'virtio' | 'rtl8139';

const tokens = (s: string | undefined) =>
  (s ?? '')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((t) => t !== '');

/** The storage bus of a controller RASD and, for SCSI, the adapter model its subtype names (first known token). */
function controllerOf(
  r: ResourceSetting,
): { bus: 'ide' | 'sata' | 'nvme' | 'virtio' | 'scsi'; model?: Scsi } | undefined {
  const kind = controllerKindOf(r);
  if (kind === undefined) return undefined;
  const subs = tokens(r.properties.ResourceSubType);
  if (subs.some((t) => t === 'virtio-scsi' || t === 'virtioscsi'))
    return { bus: 'scsi', model: 'virtio-scsi' };
  if (kind !== 'scsi') return { bus: kind };
  for (const t of subs) {
    if (t.includes('buslogic')) return { bus: 'scsi', model: 'buslogic' };
    if (t.includes('sas')) return { bus: 'scsi', model: 'lsilogicsas' };
    if (t.includes('virtualscsi') || t.includes('pvscsi')) return { bus: 'scsi', model: 'pvscsi' };
    if (t.includes('lsi')) return { bus: 'scsi', model: 'lsilogic' };
  }
  return { bus: 'scsi', model: 'lsilogic' };
}

/** The NIC model a ResourceSubType names (first known token), or undefined. */
function nicModelOf(subType: string | undefined): Nic | undefined {
  for (const t of tokens(subType)) {
    if (t === 'e1000e') return 'e1000e';
    if (t.startsWith('e1000')) return 'e1000';
    if (t.startsWith('vmxnet')) return 'vmxnet3';
    if (t.startsWith('pcnet')) return 'pcnet';
    if (t.includes('virtio')) return 'virtio';
    if (t === 'rtl8139') return 'rtl8139';
  }
  return undefined;
}

const NIC_SUBTYPE: Record<Nic, string> = {
  e1000: 'E1000',
  e1000e: 'E1000e',
  vmxnet3: 'VmxNet3',
  pcnet: 'PCNet32',
  virtio: 'virtio',
  rtl8139: 'rtl8139',
};

const VMWARE_SCSI: Record<Scsi, string> = {
  lsilogic: 'lsilogic',
  buslogic: 'buslogic',
  lsilogicsas: 'lsilogicsas',
  pvscsi: 'VirtualSCSI',
  'virtio-scsi': 'lsilogic',
};

/** VMware's spellings (vmwareify's conversions); ESXi refuses PIIX4, AHCI, NVMe and virtio. */
function vmwareController(r: ResourceSetting): Props | undefined {
  const c = controllerOf(r);
  if (c === undefined) return undefined;
  switch (c.bus) {
    case 'ide':
      return { ResourceType: '5', ResourceSubType: undefined };
    case 'sata':
      return { ResourceType: '20', ResourceSubType: 'vmware.sata.ahci' };
    case 'nvme':
      return { ResourceType: '20', ResourceSubType: 'vmware.nvme.controller' };
    case 'virtio':
      return { ResourceType: '6', ResourceSubType: 'lsilogic' };
    case 'scsi':
      return { ResourceType: '6', ResourceSubType: VMWARE_SCSI[c.model ?? 'lsilogic'] };
  }
}

/** VirtualBox's spellings (its own exports, ovfreader.cpp): no pvscsi and no virtio-blk. */
function virtualboxController(r: ResourceSetting): Props | undefined {
  const c = controllerOf(r);
  if (c === undefined) return undefined;
  switch (c.bus) {
    case 'ide':
      return { ResourceType: '5', ResourceSubType: 'PIIX4' };
    case 'sata':
    case 'virtio':
      return { ResourceType: '20', ResourceSubType: 'AHCI' };
    case 'nvme':
      return { ResourceType: '20', ResourceSubType: 'NVMe' };
    case 'scsi':
      if (c.model === 'virtio-scsi') return { ResourceType: '20', ResourceSubType: 'VirtioSCSI' };
      if (c.model === 'buslogic') return { ResourceType: '6', ResourceSubType: 'BusLogic' };
      if (c.model === 'lsilogicsas') return { ResourceType: '6', ResourceSubType: 'LsiLogicSas' };
      return { ResourceType: '6', ResourceSubType: 'LsiLogic' };
  }
}

function nicFor(target: ExportTarget, subType: string | undefined): string | undefined {
  const model = nicModelOf(subType);
  if (target === 'vmware') {
    if (model === 'virtio') return 'VmxNet3';
    if (model === undefined || model === 'rtl8139') return 'E1000';
    return NIC_SUBTYPE[model];
  }
  if (model === 'vmxnet3' || model === 'e1000e' || model === 'rtl8139' || model === undefined) return 'E1000';
  return NIC_SUBTYPE[model];
}

const describe = (p: Props) =>
  `ResourceType ${p.ResourceType} ${p.ResourceSubType === undefined ? 'without a subtype' : `"${p.ResourceSubType}"`}`;

/**
 * Rewrites one RASD's ResourceType/ResourceSubType for a target, in place, and returns what it changed (nothing
 * for `generic`). Controllers get the platform's subtype for the same bus, or the nearest bus it has; NICs the
 * platform's model for the same device, or its paravirtual/E1000 equivalent.
 *
 * @example
 * applyTarget('vmware', { cimClass: 'CIM_ResourceAllocationSettingData',
 *   properties: { InstanceID: '3', ResourceType: '20', ResourceSubType: 'AHCI' } }); // -> vmware.sata.ahci
 */
export function applyTarget(target: ExportTarget, r: ResourceSetting): TargetChange | undefined {
  if (target === 'generic') return undefined;
  const p = r.properties;
  const id = p.InstanceID ?? '?';
  const before: Props = { ResourceType: p.ResourceType, ResourceSubType: p.ResourceSubType };
  let after: Props | undefined;
  const type = resourceTypeOf(r);
  if (type === ResourceType.EthernetAdapter) {
    after = { ResourceType: p.ResourceType, ResourceSubType: nicFor(target, p.ResourceSubType) };
  } else if (target === 'vmware') {
    after = vmwareController(r);
    if (type === ResourceType.GraphicsController || type === ResourceType.UsbController)
      after = { ResourceType: p.ResourceType, ResourceSubType: undefined };
  } else {
    after = virtualboxController(r);
  }
  if (after === undefined) return undefined;
  if (after.ResourceType === before.ResourceType && after.ResourceSubType === before.ResourceSubType) return;
  if (after.ResourceType === undefined) delete p.ResourceType;
  else p.ResourceType = after.ResourceType;
  if (after.ResourceSubType === undefined) delete p.ResourceSubType;
  else p.ResourceSubType = after.ResourceSubType;
  return {
    instanceId: id,
    message: `"${p.ElementName ?? id}": ${describe(before)} written as ${describe(after)} for ${target}`,
  };
}
