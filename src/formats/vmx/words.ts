import { CONTROLLERS, type ControllerKind } from '../../model/index.js';
import { type FormatTarget, formatSlots, preferenceFor } from '../target.js';
import { NativeWords } from '../words.js';

/**
 * VMware's words (the keys libvirt's vmx driver documents): a controller's key prefix (`ide`, `sata`, `nvme`,
 * `scsi`), a SCSI HBA's `scsiN.virtualDev`, a NIC's `ethernetN.virtualDev`.
 */
export const VMX_WORDS = new NativeWords({
  ide: 'ide',
  ahci: 'sata',
  nvme: 'nvme',
  lsilogic: 'lsilogic',
  lsisas: 'lsisas1068',
  buslogic: 'buslogic',
  pvscsi: 'pvscsi',
  e1000: 'e1000',
  e1000e: 'e1000e',
  vmxnet3: 'vmxnet3',
  vmxnet: ['vmxnet', 'vmxnet2'],
  pcnet: 'vlance',
});

/**
 * VMware's slots, read and written alike: an IDE channel's master and slave; SATA 30 ports; NVMe 15 namespaces
 * per controller (vSphere 6.5 and later: "4 NVMe controllers and up to 15 devices per controller"); parallel
 * SCSI 16 ids with 7 the HBA's own; PVSCSI 64.
 */
export const VMX_SLOTS = formatSlots('VMware', { nvme: { slots: 15 } });

/** Controllers per key prefix: IDE has 2 channels, the others 4 controllers each. */
export const VMX_CONTROLLERS: Readonly<Record<string, number>> = { ide: 2, sata: 4, nvme: 4, scsi: 4 };

/** The vmx key prefix of a controller kind VMware has: `scsi` for every SCSI HBA. */
export function vmxPrefix(kind: ControllerKind): string {
  return CONTROLLERS[kind].bus === 'scsi' ? 'scsi' : (VMX_WORDS.word(kind) ?? 'scsi');
}

/** VMware as a target: what it has, its slots, and what it writes for what it lacks (`SUBSTITUTES.vmware`). */
export const VMX_TARGET: FormatTarget = {
  name: 'VMware',
  words: VMX_WORDS,
  slots: VMX_SLOTS,
  prefer: preferenceFor(VMX_WORDS),
  producer: 'vmware',
  fallback: { controller: 'lsilogic', nic: 'e1000' },
  defaultNic: 'e1000',
};
