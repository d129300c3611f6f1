import {
  type ControllerDevice,
  type ControllerKind,
  type Firmware,
  type GraphicsModel,
  type NicDevice,
  type NicModel,
  preferred,
  type SoundModel,
  type UsbModel,
} from '../../model/index.js';

/**
 * The QEMU driver's device table: the model's device words (src/model/devices) to QEMU's `-device` names. The
 * command line, the driver's checks, its capabilities and its deploy mapping all read these; none reads RASD
 * numbers or subtype strings. Device names as `qemu-system-x86_64 -device help` lists them (QEMU 7.2).
 */

/**
 * The QEMU device of each storage controller kind that has one: `undefined` for IDE (part of the pc machine) and
 * virtio-blk (no controller; one PCI device per disk); absent for kinds QEMU lacks (Hyper-V's synthetic SCSI). QEMU
 * has no BusLogic HBA; the LSI one is what guests of that age also drive.
 */
export const QEMU_CONTROLLERS: Readonly<Partial<Record<ControllerKind, { device: string | undefined }>>> = {
  ide: { device: undefined },
  ahci: { device: 'ahci' },
  nvme: { device: 'nvme' },
  'virtio-blk': { device: undefined },
  'virtio-scsi': { device: 'virtio-scsi-pci' },
  lsilogic: { device: 'lsi53c895a' },
  buslogic: { device: 'lsi53c895a' },
  lsisas: { device: 'mptsas1068' },
  pvscsi: { device: 'pvscsi' },
  megasas: { device: 'megasas' },
};

/**
 * The QEMU device of each NIC model QEMU has. VMware's vmxnet/vmxnet2, Hyper-V's synthetic adapter and its DEC
 * 21140 have none (QEMU's `tulip` is a 21143); the deploy mapping gives vmxnet NICs as E1000 (map.ts).
 */
export const QEMU_NICS: Readonly<Partial<Record<NicModel, string>>> = {
  e1000: 'e1000',
  e1000e: 'e1000e',
  vmxnet3: 'vmxnet3',
  pcnet: 'pcnet',
  virtio: 'virtio-net-pci',
  rtl8139: 'rtl8139',
  ne2k_pci: 'ne2k_pci',
};

/** The model a NIC without a subtype gets: the E1000, which every guest drives. */
const QEMU_DEFAULT_NIC: NicModel = 'e1000';

/** The display device per graphics model; a model QEMU lacks (Hyper-V's) and an unnamed one get the standard VGA. */
export const QEMU_GRAPHICS: Readonly<Record<GraphicsModel, string>> = {
  vga: 'VGA',
  cirrus: 'cirrus-vga',
  qxl: 'qxl-vga',
  'vmware-svga': 'vmware-svga',
  virtio: 'virtio-vga',
  bochs: 'bochs-display',
  'hyperv-synthetic': 'VGA',
};

/** The USB host controller device per generation; an unnamed or OHCI controller is given xHCI, as before. */
export const QEMU_USB: Readonly<Record<UsbModel, string>> = {
  uhci: 'piix3-usb-uhci',
  ohci: 'qemu-xhci',
  ehci: 'usb-ehci',
  xhci: 'qemu-xhci',
};

/** The sound device per model, with the codec an HDA controller needs; an unnamed card is QEMU's Ensoniq AudioPCI. */
export const QEMU_SOUND: Readonly<Record<SoundModel, { device: string; codec?: string }>> = {
  es1370: { device: 'ES1370' },
  ac97: { device: 'AC97' },
  sb16: { device: 'sb16' },
  hda: { device: 'intel-hda', codec: 'hda-duplex' },
};

/**
 * What runs each firmware: SeaBIOS is built into QEMU (nothing on the command line); OVMF's code and variable store
 * are two pflash block nodes (argv.ts, uefi.ts).
 */
export const QEMU_FIRMWARE: Readonly<Record<Firmware, 'SeaBIOS' | 'OVMF'>> = { bios: 'SeaBIOS', efi: 'OVMF' };

/**
 * The kind QEMU gives a controller: the first of the kinds its subtype lists that QEMU has. Undefined when it has
 * none, or when the subtype named nothing known (a `guessed` LSI Logic is refused, as deploy refuses it).
 *
 * @example
 * qemuControllerKind({ kinds: ['hyperv-scsi', 'pvscsi'], certainty: 'named' }); // 'pvscsi'
 */
export function qemuControllerKind(
  c: Pick<ControllerDevice, 'kinds' | 'certainty'>,
): ControllerKind | undefined {
  if (c.certainty === 'guessed') return undefined;
  return preferred(c.kinds, (k) => QEMU_CONTROLLERS[k] !== undefined);
}

/**
 * The model QEMU gives a NIC: the first of the models its subtype lists that QEMU has, {@link QEMU_DEFAULT_NIC}
 * when it names none; undefined when its subtype is unknown or names only models QEMU lacks.
 *
 * @example
 * qemuNicModel({ models: ['vmxnet', 'virtio'], certainty: 'named' }); // 'virtio'
 */
export function qemuNicModel(n: Pick<NicDevice, 'models' | 'certainty'>): NicModel | undefined {
  if (n.certainty === 'defaulted') return QEMU_DEFAULT_NIC;
  if (n.certainty === 'guessed') return undefined;
  return preferred(n.models, (m) => QEMU_NICS[m] !== undefined);
}
