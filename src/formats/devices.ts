import { type ResourceSetting, ResourceType, resourceTypeOf } from '../model/index.js';

/**
 * The device vocabulary every converter shares: which bus a storage controller RASD is, which SCSI model and NIC
 * model a ResourceSubType names, and the ResourceSubType Vessel writes for each. Real descriptors spell subtypes
 * many ways (`lsilogic`, `LsiLogic`, `VirtualSCSI`, `vmware.sata.ahci`, `VmxNet3`) and sometimes list alternatives
 * (`"VMXNET3 virtio"`); the first token that names something known wins.
 */

/** A storage bus. `virtio` is virtio-blk (one PCI device per disk); virtio-scsi is a `scsi` model. */
export type Bus = 'ide' | 'sata' | 'scsi' | 'nvme' | 'virtio';

/** The SCSI host adapter models the formats can name. */
export type ScsiModel = 'lsilogic' | 'buslogic' | 'lsisas1068' | 'pvscsi' | 'virtio-scsi';

/** The NIC models the formats can name. */
export type NicModel = 'e1000' | 'e1000e' | 'vmxnet3' | 'pcnet' | 'virtio' | 'rtl8139';

/** Human names, for warnings. */
export const NIC_NAMES: Record<NicModel, string> = {
  e1000: 'E1000',
  e1000e: 'E1000e',
  vmxnet3: 'VMXNET3',
  pcnet: 'PCNet32',
  virtio: 'virtio',
  rtl8139: 'RTL8139',
};

/** Human names of controllers, for warnings. */
export function busName(bus: Bus, model?: ScsiModel): string {
  if (bus === 'scsi') return `SCSI (${model ?? 'lsilogic'})`;
  return { ide: 'IDE', sata: 'SATA', nvme: 'NVMe', virtio: 'virtio-blk' }[bus];
}

const tokens = (s: string | undefined): string[] =>
  (s ?? '')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((t) => t !== '');

function scsiModelOf(token: string): ScsiModel | undefined {
  if (token.includes('virtio')) return 'virtio-scsi';
  if (token.includes('buslogic')) return 'buslogic';
  if (token.includes('sas')) return 'lsisas1068';
  if (token.includes('virtualscsi') || token.includes('pvscsi') || token.includes('paravirtual'))
    return 'pvscsi';
  if (token.includes('lsilogic') || token.includes('lsi')) return 'lsilogic';
  return undefined;
}

/**
 * The bus (and SCSI model) of a storage controller RASD, or undefined when it is none or unknown.
 * ResourceType 5 is IDE, 6 SCSI, 20 SATA/NVMe/virtio by subtype (the conventions VMware, VirtualBox and COT use).
 */
export function controllerOf(r: ResourceSetting): { bus: Bus; model?: ScsiModel } | undefined {
  const type = resourceTypeOf(r);
  const sub = tokens(r.properties.ResourceSubType);
  if (type === ResourceType.IdeController) return { bus: 'ide' };
  if (type === ResourceType.ParallelScsiHba) {
    for (const t of sub) {
      const m = scsiModelOf(t);
      if (m) return { bus: 'scsi', model: m };
    }
    return { bus: 'scsi', model: 'lsilogic' };
  }
  if (type === ResourceType.OtherStorageDevice) {
    for (const t of sub) {
      if (t.includes('ahci') || t.includes('sata')) return { bus: 'sata' };
      if (t.includes('nvme')) return { bus: 'nvme' };
      if (t === 'virtioscsi' || t === 'virtio-scsi') return { bus: 'scsi', model: 'virtio-scsi' };
      if (t.includes('virtio')) return { bus: 'virtio' };
    }
  }
  return undefined;
}

/** The NIC model a ResourceSubType names, or undefined. */
export function nicModelOf(subType: string | undefined): NicModel | undefined {
  for (const t of tokens(subType)) {
    if (t === 'e1000e') return 'e1000e';
    if (t.startsWith('e1000') || t === '82540em' || t === '82545em' || t === '82543gc') return 'e1000';
    if (t.startsWith('vmxnet')) return 'vmxnet3';
    if (t.startsWith('pcnet') || t.startsWith('am79c') || t === 'vlance') return 'pcnet';
    if (t.includes('virtio')) return 'virtio';
    if (t === 'rtl8139') return 'rtl8139';
  }
  return undefined;
}

/** The ResourceType and ResourceSubType Vessel writes for a controller. */
export function controllerRasd(
  bus: Bus,
  model?: ScsiModel,
): { ResourceType: string; ResourceSubType: string } {
  switch (bus) {
    case 'ide':
      return { ResourceType: '5', ResourceSubType: 'PIIX4' };
    case 'sata':
      return { ResourceType: '20', ResourceSubType: 'AHCI' };
    case 'nvme':
      return { ResourceType: '20', ResourceSubType: 'NVMe' };
    case 'virtio':
      return { ResourceType: '20', ResourceSubType: 'virtio' };
    case 'scsi': {
      const sub = {
        lsilogic: 'lsilogic',
        buslogic: 'buslogic',
        lsisas1068: 'lsilogicsas',
        pvscsi: 'VirtualSCSI',
        'virtio-scsi': 'virtio-scsi',
      }[model ?? 'lsilogic'];
      return { ResourceType: '6', ResourceSubType: sub };
    }
  }
}

/** The ResourceSubType Vessel writes for a NIC model (VMware's and VirtualBox's spellings). */
export function nicSubType(model: NicModel): string {
  return {
    e1000: 'E1000',
    e1000e: 'E1000e',
    vmxnet3: 'VmxNet3',
    pcnet: 'PCNet32',
    virtio: 'virtio',
    rtl8139: 'rtl8139',
  }[model];
}
