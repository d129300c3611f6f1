import { type FormatTarget, formatSlots, preferenceFor } from '../target.js';
import { NativeWords } from '../words.js';

/**
 * libvirt's words (domain XML, libvirt 9): a controller's `type` (`ide`, `sata`), a SCSI controller's `model`, the
 * `virtio` disk bus (virtio-blk, no controller element), an interface's `<model type>`. `lsisas1078` is QEMU's
 * MegaRAID SAS (`megasas`), not the LSI SAS 1068.
 */
export const LIBVIRT_WORDS = new NativeWords({
  ide: 'ide',
  ahci: 'sata',
  'virtio-blk': 'virtio',
  'virtio-scsi': ['virtio-scsi', 'virtio-transitional', 'virtio-non-transitional'],
  lsilogic: 'lsilogic',
  lsisas: 'lsisas1068',
  buslogic: 'buslogic',
  pvscsi: 'vmpvscsi',
  megasas: 'lsisas1078',
  e1000: 'e1000',
  e1000e: 'e1000e',
  vmxnet3: 'vmxnet3',
  pcnet: 'pcnet',
  virtio: ['virtio', 'virtio-transitional', 'virtio-non-transitional', 'virtio-net-pci'],
  rtl8139: 'rtl8139',
  ne2k_pci: 'ne2k_pci',
});

/** libvirt's slots: a SATA controller has 6 ports (QEMU's `ahci`); an IDE channel master and slave. */
const LIBVIRT_SLOTS = formatSlots('libvirt', { ahci: { slots: 6 } });

/**
 * libvirt as a target. It is no producer of the model's spelling table, so what it lacks is its own call: NVMe
 * (no disk bus in libvirt 9) becomes virtio-blk, Hyper-V SCSI virtio-scsi; VMware's vmxnet and Hyper-V's legacy
 * adapter (no QEMU device) E1000, Hyper-V's synthetic adapter virtio-net.
 */
export const LIBVIRT_TARGET: FormatTarget = {
  name: 'libvirt',
  words: LIBVIRT_WORDS,
  slots: LIBVIRT_SLOTS,
  prefer: preferenceFor(LIBVIRT_WORDS),
  fallback: {
    local: {
      nvme: 'virtio-blk',
      'hyperv-scsi': 'virtio-scsi',
      vmxnet: 'e1000',
      'hyperv-synthetic': 'virtio',
      dec21140: 'e1000',
    },
    controller: 'lsilogic',
    nic: 'virtio',
  },
  defaultNic: 'virtio',
};
