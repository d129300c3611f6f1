import type { ControllerKind } from '../../model/index.js';
import { type FormatTarget, formatSlots, preferenceFor } from '../target.js';
import { NativeWords } from '../words.js';

/**
 * VirtualBox's words (.vbox settings): a StorageController's `type`, a network Adapter's `type`. The IDE chipsets
 * (PIIX3, PIIX4, ICH6) are one kind; VirtualBox writes PIIX4.
 */
export const VBOX_WORDS = new NativeWords({
  ide: ['PIIX4', 'PIIX3', 'ICH6'],
  ahci: 'AHCI',
  nvme: 'NVMe',
  'virtio-scsi': 'VirtioSCSI',
  lsilogic: 'LsiLogic',
  lsisas: 'LsiLogicSas',
  buslogic: 'BusLogic',
  usb: 'USB',
  e1000: ['82540EM', '82543GC', '82545EM'],
  pcnet: ['Am79C973', 'Am79C970A', 'Am79C960'],
  virtio: 'virtio',
});

/** The StorageController name VirtualBox gives each type; one controller of each type per machine. */
export const VBOX_NAMES: Readonly<Partial<Record<ControllerKind, string>>> = {
  ide: 'IDE',
  ahci: 'SATA',
  nvme: 'NVMe',
  'virtio-scsi': 'VirtioSCSI',
  lsilogic: 'SCSI',
  lsisas: 'SAS',
  buslogic: 'BusLogic',
  usb: 'USB',
};

/**
 * VirtualBox's slots, narrowing the model's: NVMe and virtio-scsi take 255 ports (a StorageController's PortCount at
 * most); the others as the model has them (IDE 2 devices per channel, SATA 30, the SCSI HBAs 16 ids with 7 left to
 * the HBA, which VirtualBox does not need but accepts).
 */
export const VBOX_SLOTS = formatSlots('VirtualBox', { nvme: { slots: 255 }, 'virtio-scsi': { slots: 255 } });

/** VirtualBox as a target: what it lacks is `SUBSTITUTES.virtualbox` (virtio-blk: VirtioSCSI; PVSCSI: LsiLogic). */
export const VBOX_TARGET: FormatTarget = {
  name: 'VirtualBox',
  words: VBOX_WORDS,
  slots: VBOX_SLOTS,
  prefer: preferenceFor(VBOX_WORDS),
  producer: 'virtualbox',
  fallback: { controller: 'lsilogic', nic: 'e1000' },
  defaultNic: 'e1000',
};
