import { type FormatTarget, formatSlots } from '../target.js';
import { NativeWords } from '../words.js';

/**
 * KubeVirt's words (kubevirt.io/v1): a disk's `bus` (`virtio` is virtio-blk, `scsi` virtio-scsi, `sata` AHCI) and
 * an interface's `model`.
 */
export const KUBEVIRT_WORDS = new NativeWords({
  ahci: 'sata',
  'virtio-blk': 'virtio',
  'virtio-scsi': 'scsi',
  e1000: 'e1000',
  e1000e: 'e1000e',
  pcnet: 'pcnet',
  rtl8139: 'rtl8139',
  ne2k_pci: 'ne2k_pci',
  virtio: 'virtio',
});

/** KubeVirt has no controller slots: drives on a bus are attached in order. */
const KUBEVIRT_SLOTS = formatSlots('KubeVirt', {
  ahci: { slots: undefined },
  'virtio-scsi': { slots: undefined },
});

/**
 * KubeVirt as a target: what it lacks is `SUBSTITUTES.kubevirt` (every SCSI HBA virtio-scsi, IDE SATA, NVMe
 * virtio-blk); disks without a controller go to virtio-blk, CD-ROMs to SATA.
 */
export const KUBEVIRT_TARGET: FormatTarget = {
  name: 'KubeVirt',
  words: KUBEVIRT_WORDS,
  slots: KUBEVIRT_SLOTS,
  prefer: { disk: ['virtio-blk', 'virtio-scsi', 'ahci'], cdrom: ['ahci', 'virtio-scsi'] },
  producer: 'kubevirt',
  fallback: { controller: 'virtio-scsi', nic: 'virtio' },
  defaultNic: 'virtio',
};
