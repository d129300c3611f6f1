/**
 * The closed device vocabulary of the model: every kind of controller, drive, NIC, graphics and sound device a
 * definition can mean, whatever producer spelled it. Readers classify RASDs into these words
 * (`classifyResource`), writers and drivers map them to their own (`spell`, a driver's device table).
 */

/**
 * Guest-visible storage controller families: one per device a guest needs its own driver for. `virtio-blk` has no
 * controller device (one PCI function per disk); `virtio-scsi` is a SCSI HBA and is never the same kind.
 */
export type ControllerKind =
  | 'ide'
  | 'ahci'
  | 'nvme'
  | 'virtio-blk'
  | 'virtio-scsi'
  | 'lsilogic'
  /** LSI Logic SAS 1068 (VMware `lsilogicsas`, QEMU `mptsas1068`). */
  | 'lsisas'
  | 'buslogic'
  /** VMware paravirtual SCSI (`VirtualSCSI`). */
  | 'pvscsi'
  /** LSI MegaRAID SAS 1078: QEMU `megasas`, libvirt `lsisas1078`. */
  | 'megasas'
  /** Hyper-V synthetic SCSI (storvsc). */
  | 'hyperv-scsi'
  /** A USB host controller, which can hold usb-storage drives. */
  | 'usb';

/** Every {@link ControllerKind}, in the order the spec table lists them. */
export const CONTROLLER_KINDS: readonly ControllerKind[] = [
  'ide',
  'ahci',
  'nvme',
  'virtio-blk',
  'virtio-scsi',
  'lsilogic',
  'lsisas',
  'buslogic',
  'pvscsi',
  'megasas',
  'hyperv-scsi',
  'usb',
];

/** How a drive on a controller is addressed: the bus its kind speaks. */
export type Bus = 'ide' | 'sata' | 'nvme' | 'virtio' | 'scsi' | 'usb' | 'floppy';

/** USB host controller generations (RT 23 subtypes). */
export type UsbModel = 'uhci' | 'ohci' | 'ehci' | 'xhci';

/** What a drive RASD is: disk (RT 17, 31), CD/DVD (15, 16), floppy (14). */
export type DriveKind = 'disk' | 'cdrom' | 'floppy';

/** Network adapter models (RT 10 subtypes). */
export type NicModel =
  | 'e1000'
  | 'e1000e'
  | 'vmxnet3'
  /** VMware's vmxnet and vmxnet2 (no QEMU device). */
  | 'vmxnet'
  | 'pcnet'
  | 'virtio'
  | 'rtl8139'
  | 'ne2k_pci'
  | 'hyperv-synthetic'
  /** Hyper-V's legacy (emulated) adapter, a DEC 21140 "tulip". */
  | 'dec21140';

/** Every {@link NicModel}. */
export const NIC_MODELS: readonly NicModel[] = [
  'e1000',
  'e1000e',
  'vmxnet3',
  'vmxnet',
  'pcnet',
  'virtio',
  'rtl8139',
  'ne2k_pci',
  'hyperv-synthetic',
  'dec21140',
];

/** Display adapter models (RT 24 subtypes). */
export type GraphicsModel =
  | 'vga'
  | 'cirrus'
  | 'qxl'
  | 'vmware-svga'
  | 'virtio'
  | 'bochs'
  | 'hyperv-synthetic';

/** Sound card models (VirtualBox RT 35, VMware RT 1 `vmware.soundcard.*`). */
export type SoundModel = 'es1370' | 'ac97' | 'sb16' | 'hda';

/** The firmware a system boots with: VSSD `Firmware`, a Vessel extension (CIM has no such property). */
export type Firmware = 'bios' | 'efi';

/** VSSD `BootOrder` (Vessel extension): drive and NIC InstanceIDs, the first boots first. */
export type BootOrder = readonly string[];

/** True when `text` is one of the {@link ControllerKind} words. */
export function isControllerKind(text: string): text is ControllerKind {
  return (CONTROLLER_KINDS as readonly string[]).includes(text);
}

/** True when `text` is one of the {@link NicModel} words. */
export function isNicModel(text: string): text is NicModel {
  return (NIC_MODELS as readonly string[]).includes(text);
}
