import type { RasdProperties } from '../settings.js';
import type { ControllerKind, GraphicsModel, NicModel, SoundModel, UsbModel } from './vocabulary.js';

/**
 * The one table of how producers spell devices in a RASD: ResourceType plus ResourceSubType (and, for
 * libvirt-cim's RT 1 controllers, OtherResourceType and Model). Reading uses every row (case-insensitively, the
 * classifier's job); writing uses a producer's first writable row (`spell`). A native format's own words (vmx
 * `virtualDev`, libvirt `model=`, vbox `type=`, KubeVirt `bus:`) are not here: they live in that format's folder.
 *
 * Sources: VMware and VirtualBox exports in ../shared/ovf-corpus and ../shared/notes/ovf-tools.md (conventions and
 * alternative lists); VirtualBox ApplianceImplExport (RT 20 `AHCI`, `VirtioSCSI`, `NVMe`; RT 6 `lsilogic`,
 * `buslogic`, `lsilogicsas`; old releases RT 20 `LsiLogicSas`); libvirt-cim ResourceAllocationSettingData.mof
 * (KVM_ControllerRASD: RT 1, OtherResourceType `controller`, ResourceSubType the controller type, `Model`) and its
 * Virt_RASD, which writes a NIC's libvirt `<model type>` as ResourceSubType; Hyper-V's Msvm_* subtypes; oVirt's
 * VmInterfaceType numbers; COT's alternative lists (`virtio lsilogic`, `VMXNET3 virtio`).
 */

/** Who writes a RASD. KubeVirt writes no RASDs: its rows say which kinds it has, spelt as Vessel spells them. */
export type Producer =
  | 'vessel'
  | 'vmware'
  | 'virtualbox'
  | 'hyperv'
  | 'libvirt-cim'
  | 'ovirt'
  | 'kubevirt'
  | 'cot';

/** Every {@link Producer}. */
export const PRODUCERS: readonly Producer[] = [
  'vessel',
  'vmware',
  'virtualbox',
  'hyperv',
  'libvirt-cim',
  'ovirt',
  'kubevirt',
  'cot',
];

/** One way of writing a device in a RASD. */
export interface Spelling {
  resourceType: number;
  /** ResourceSubType exactly as the producer writes it; undefined: none. */
  subType: string | undefined;
  /** RT 1 only: OtherResourceType (libvirt-cim `controller`). */
  otherResourceType?: string;
  /** libvirt-cim's KVM_ControllerRASD `Model` (the SCSI model of a `scsi` controller). */
  model?: string;
  producers: readonly Producer[];
  /** An alias that is read, never written. */
  readOnly?: boolean;
}

type Row = Omit<Spelling, 'resourceType' | 'subType'>;
const at = (resourceType: number, subType: string | undefined, row: Row): Spelling => ({
  resourceType,
  subType,
  ...row,
});
const alias = (resourceType: number, ...subTypes: string[]): Spelling[] =>
  subTypes.map((s) => at(resourceType, s, { producers: [], readOnly: true }));
/** libvirt-cim's KVM_ControllerRASD: RT 1, OtherResourceType `controller`, subtype the type, Model the model. */
const libvirtCim = (subType: string, model?: string): Spelling =>
  at(1, subType, {
    otherResourceType: 'controller',
    ...(model === undefined ? {} : { model }),
    producers: ['libvirt-cim'],
  });

/** Controller spellings per kind; the first row a producer is listed on is what it writes. */
export const CONTROLLER_SPELLINGS: Readonly<Record<ControllerKind, readonly Spelling[]>> = {
  ide: [
    at(5, 'PIIX4', { producers: ['vessel', 'virtualbox'] }),
    at(5, undefined, { producers: ['vmware', 'cot'] }), // ESXi refuses PIIX4
    at(5, 'Microsoft:Hyper-V:Emulated IDE Controller', { producers: ['hyperv'] }),
    libvirtCim('ide'),
    ...alias(5, 'PIIX3', 'ICH6'),
  ],
  ahci: [
    at(20, 'AHCI', { producers: ['vessel', 'virtualbox', 'kubevirt'] }),
    at(20, 'vmware.sata.ahci', { producers: ['vmware', 'cot'] }),
    libvirtCim('sata'),
    ...alias(20, 'sata'),
  ],
  nvme: [
    at(20, 'NVMe', { producers: ['vessel', 'virtualbox'] }),
    at(20, 'vmware.nvme.controller', { producers: ['vmware'] }),
  ],
  'virtio-blk': [at(20, 'virtio', { producers: ['vessel', 'kubevirt'] })],
  'virtio-scsi': [
    at(6, 'virtio-scsi', { producers: ['vessel', 'kubevirt'] }),
    at(20, 'VirtioSCSI', { producers: ['virtualbox'] }),
    libvirtCim('scsi', 'virtio-scsi'),
    at(6, 'virtio', { producers: ['cot'], readOnly: true }), // COT's "virtio lsilogic": virtio under RT 6
    ...alias(20, 'virtio-scsi'),
    ...alias(6, 'virtioscsi', 'virtio_scsi'),
  ],
  lsilogic: [
    at(6, 'lsilogic', { producers: ['vessel', 'vmware', 'virtualbox', 'cot'] }),
    libvirtCim('scsi', 'lsilogic'),
    ...alias(6, 'lsi'),
  ],
  lsisas: [
    at(6, 'lsilogicsas', { producers: ['vessel', 'vmware', 'virtualbox'] }),
    libvirtCim('scsi', 'lsisas1068'),
    at(20, 'LsiLogicSas', { producers: ['virtualbox'], readOnly: true }), // VirtualBox before 4.x
    ...alias(6, 'lsi-sas', 'lsisas1068'),
  ],
  buslogic: [
    at(6, 'buslogic', { producers: ['vessel', 'vmware', 'virtualbox'] }),
    libvirtCim('scsi', 'buslogic'),
  ],
  pvscsi: [
    at(6, 'VirtualSCSI', { producers: ['vessel', 'vmware'] }),
    libvirtCim('scsi', 'vmpvscsi'),
    ...alias(6, 'pvscsi', 'paravirtual', 'vmpvscsi'),
  ],
  megasas: [
    at(6, 'megasas', { producers: ['vessel'] }),
    libvirtCim('scsi', 'lsisas1078'),
    ...alias(6, 'lsisas1078'),
  ],
  'hyperv-scsi': [at(6, 'Microsoft:Hyper-V:Synthetic SCSI Controller', { producers: ['vessel', 'hyperv'] })],
  usb: [
    at(23, undefined, { producers: ['vessel', 'virtualbox', 'kubevirt'] }),
    at(23, 'vmware.usb.xhci', { producers: ['vmware'] }),
  ],
};

/** NIC spellings (RT 10) per model; libvirt-cim writes libvirt's lower-case `<model type>` words. */
export const NIC_SPELLINGS: Readonly<Record<NicModel, readonly Spelling[]>> = {
  e1000: [
    at(10, 'E1000', { producers: ['vessel', 'vmware', 'virtualbox', 'kubevirt', 'cot'] }),
    at(10, 'e1000', { producers: ['libvirt-cim'] }),
    at(10, '2', { producers: ['ovirt'] }),
    ...alias(10, 'VirtualE1000', '82540EM', '82543GC', '82545EM'),
  ],
  e1000e: [
    at(10, 'E1000e', { producers: ['vessel', 'vmware', 'kubevirt'] }),
    at(10, 'e1000e', { producers: ['libvirt-cim'] }),
    ...alias(10, 'VirtualE1000e'),
  ],
  vmxnet3: [
    at(10, 'VmxNet3', { producers: ['vessel', 'vmware', 'cot'] }),
    at(10, 'vmxnet3', { producers: ['libvirt-cim'] }),
    ...alias(10, 'VirtualVmxnet3'),
  ],
  vmxnet: [at(10, 'Vmxnet', { producers: ['vessel', 'vmware'] }), ...alias(10, 'vmxnet2', 'VirtualVmxnet')],
  pcnet: [
    at(10, 'PCNet32', { producers: ['vessel', 'vmware', 'virtualbox', 'kubevirt'] }),
    at(10, 'pcnet', { producers: ['libvirt-cim'] }),
    ...alias(10, 'Flexible', 'vlance', 'Am79C970A', 'Am79C973', 'VirtualPCNet32'),
  ],
  virtio: [
    at(10, 'virtio', { producers: ['vessel', 'virtualbox', 'libvirt-cim', 'kubevirt', 'cot'] }),
    at(10, '3', { producers: ['ovirt'] }),
    ...alias(10, 'virtio-net', 'virtio-net-pci'),
  ],
  rtl8139: [
    at(10, 'rtl8139', { producers: ['vessel', 'libvirt-cim', 'kubevirt'] }),
    at(10, '1', { producers: ['ovirt'] }),
    at(10, '0', { producers: ['ovirt'], readOnly: true }), // oVirt's dual-mode rtl8139
  ],
  ne2k_pci: [at(10, 'ne2k_pci', { producers: ['vessel', 'libvirt-cim', 'kubevirt'] })],
  'hyperv-synthetic': [
    at(10, 'Microsoft:Hyper-V:Synthetic Ethernet Port', { producers: ['vessel', 'hyperv'] }),
  ],
  dec21140: [
    at(10, 'Microsoft:Hyper-V:Emulated Ethernet Port', { producers: ['vessel', 'hyperv'] }),
    ...alias(10, 'DEC21140'),
  ],
};

/** USB controller generations by RT 23 subtype token (VMware `vmware.usb.*`, QEMU and libvirt words). */
export const USB_SPELLINGS: Readonly<Record<UsbModel, readonly string[]>> = {
  uhci: ['uhci', 'piix3-uhci', 'piix3-usb-uhci', 'piix4-uhci', 'ich9-uhci', 'vmware.usb.uhci'],
  ohci: ['ohci', 'pci-ohci'],
  ehci: ['ehci', 'usb-ehci', 'ich9-ehci', 'vmware.usb.ehci'],
  xhci: ['xhci', 'qemu-xhci', 'nec-xhci', 'nec-usb-xhci', 'vmware.usb.xhci'],
};

/** Graphics models by RT 24 subtype token (Vessel writes the first). */
export const GRAPHICS_SPELLINGS: Readonly<Record<GraphicsModel, readonly string[]>> = {
  vga: ['vga', 'std'],
  cirrus: ['cirrus', 'cirrus-vga'],
  qxl: ['qxl', 'qxl-vga'],
  'vmware-svga': ['vmware-svga', 'vmware', 'vmvga', 'svga'],
  virtio: ['virtio', 'virtio-vga', 'virtio-gpu'],
  bochs: ['bochs', 'bochs-display'],
  'hyperv-synthetic': ['Microsoft:Hyper-V:Synthetic Display Controller'],
};

/**
 * Sound models by subtype (VirtualBox RT 35 `ensoniq1371`, `AC97`, `SB16`, `HDA`; VMware RT 1
 * `vmware.soundcard.*`). An ES1371 is read as the ES1370, the AudioPCI card QEMU has.
 */
export const SOUND_SPELLINGS: Readonly<Record<SoundModel, readonly string[]>> = {
  es1370: ['ensoniq1371', 'es1370', 'es1371', 'vmware.soundcard.ensoniq1371'],
  ac97: ['AC97', 'vmware.soundcard.ac97'],
  sb16: ['SB16', 'vmware.soundcard.sb16'],
  hda: ['HDA', 'hdaudio', 'intel-hda', 'vmware.soundcard.hdaudio'],
};

/** The RASD properties that say which device a resource is, as a producer writes them. */
export type DeviceSpelling = Pick<
  RasdProperties,
  'ResourceType' | 'ResourceSubType' | 'OtherResourceType'
> & {
  Model?: string;
};

/**
 * The RASD spelling a producer writes for a controller kind or NIC model: its first writable row. Undefined when
 * the producer has no such device (then see {@link SUBSTITUTES}).
 *
 * @example
 * spell('pvscsi', 'vmware');        // { ResourceType: '6', ResourceSubType: 'VirtualSCSI' }
 * spell('virtio-scsi', 'virtualbox'); // { ResourceType: '20', ResourceSubType: 'VirtioSCSI' }
 */
export function spell(what: ControllerKind | NicModel, producer: Producer): DeviceSpelling | undefined {
  const rows: readonly Spelling[] =
    (CONTROLLER_SPELLINGS as Record<string, readonly Spelling[]>)[what] ??
    (NIC_SPELLINGS as Record<string, readonly Spelling[]>)[what] ??
    [];
  const row = rows.find((r) => !r.readOnly && r.producers.includes(producer));
  if (row === undefined) return undefined;
  return {
    ResourceType: String(row.resourceType),
    ...(row.subType === undefined ? {} : { ResourceSubType: row.subType }),
    ...(row.otherResourceType === undefined ? {} : { OtherResourceType: row.otherResourceType }),
    ...(row.model === undefined ? {} : { Model: row.model }),
  };
}

/**
 * What a producer gets instead of a device it lacks: one table for export and convert. The lead's decisions:
 * VMware takes paravirtual sources as PVSCSI (virtio-blk and virtio-scsi alike); VirtualBox takes virtio-blk as
 * its virtio-scsi controller (`VirtioSCSI`). KubeVirt has one SCSI bus (virtio-scsi), no IDE and no NVMe.
 */
export const SUBSTITUTES: Readonly<
  Partial<Record<Producer, Partial<Record<ControllerKind | NicModel, ControllerKind | NicModel>>>>
> = {
  vmware: {
    'virtio-blk': 'pvscsi',
    'virtio-scsi': 'pvscsi',
    megasas: 'lsisas',
    'hyperv-scsi': 'pvscsi',
    virtio: 'vmxnet3',
    rtl8139: 'e1000',
    ne2k_pci: 'e1000',
    'hyperv-synthetic': 'vmxnet3',
    dec21140: 'e1000',
  },
  virtualbox: {
    'virtio-blk': 'virtio-scsi',
    pvscsi: 'lsilogic',
    megasas: 'lsisas',
    'hyperv-scsi': 'lsilogic',
    e1000e: 'e1000',
    vmxnet3: 'e1000',
    vmxnet: 'e1000',
    rtl8139: 'e1000',
    ne2k_pci: 'e1000',
    'hyperv-synthetic': 'virtio',
    dec21140: 'e1000',
  },
  kubevirt: {
    ide: 'ahci',
    nvme: 'virtio-blk',
    lsilogic: 'virtio-scsi',
    lsisas: 'virtio-scsi',
    buslogic: 'virtio-scsi',
    pvscsi: 'virtio-scsi',
    megasas: 'virtio-scsi',
    'hyperv-scsi': 'virtio-scsi',
    vmxnet3: 'virtio',
    vmxnet: 'virtio',
    'hyperv-synthetic': 'virtio',
    dec21140: 'e1000',
  },
};
