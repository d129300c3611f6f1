import { type SlotPolicy, slotPolicy } from '../../model/index.js';

/**
 * QEMU's slot limits: where the model's spec table (src/model/devices/kinds.ts) gives more than QEMU 7.2 runs, or
 * where QEMU places drives its own way. Measured by starting `qemu-system-x86_64` with one drive per address:
 *
 * - AHCI (`ahci`, q35's ICH9): 6 ports, `sata0.0`..`sata0.5` (`Bus 'a.6' not found` beyond).
 * - LSI Logic (and BusLogic, given the same `lsi53c895a`): SCSI ids 0..7 (`bad scsi device id: 8`), 7 being the
 *   HBA's own (the chip's SCID resets to 7 and the guest's driver skips it), as the model says.
 * - LSI Logic SAS (`mptsas1068`): 8 ports, targets 0..7; no initiator id among them.
 * - IDE 2 units per channel, NVMe namespaces 1..256 (slot + 1), virtio-scsi targets 0..255, PVSCSI and MegaRAID 64:
 *   the model's numbers.
 * - A CD/DVD "on" a virtio-blk controller is an IDE CD (virtio-blk has no CD device); none on NVMe.
 * - No drive on a USB controller: QEMU's usb-storage is not offered.
 */
export const QEMU_SLOTS: SlotPolicy = slotPolicy('QEMU', {
  ahci: { slots: 6 },
  lsilogic: { slots: 8 },
  buslogic: { slots: 8 },
  lsisas: { slots: 8, reserved: [] },
  'virtio-blk': { cdrom: true },
  usb: { slots: 0 },
});
