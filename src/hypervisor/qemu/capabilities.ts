import { CONTROLLERS, type ControllerKind, type HostLimits, type NicModel } from '../../model/index.js';
import type { ControllerCapability, DriverCapabilities, FirmwareKind } from '../capabilities.js';
import { QEMU_CONTROLLERS, QEMU_NICS } from './devices.js';
import { QEMU_SLOTS } from './slots.js';
import { uefiFirmware } from './uefi.js';

/**
 * The machine types the QEMU driver runs and the VirtualSystemType values that select them (`machineFor`: a type
 * naming q35 gives q35, anything else the i440FX `pc`).
 */
export const QEMU_MACHINE_TYPES: DriverCapabilities['machineTypes'] = [
  { name: 'pc', isDefault: true, virtualSystemTypes: ['vessel-qemu'] },
  { name: 'q35', isDefault: false, virtualSystemTypes: ['vessel-q35'] },
];

/**
 * QEMU's storage controllers (devices.ts `QEMU_CONTROLLERS`) in the model's kinds: each with the slots QEMU gives
 * one controller (`QEMU_SLOTS`: IDE 2 per channel, AHCI 6 ports, LSI Logic 8 ids, NVMe 256 namespaces, virtio-blk
 * one disk per device) and whether a drive on it can be hot-plugged: drives on a SCSI bus, or as virtio-blk-pci on
 * the pc machine's PCI bus (QEMU's IDE, AHCI and NVMe buses take no hot-plugged drive).
 */
export const QEMU_CONTROLLER_CAPABILITIES: readonly ControllerCapability[] = (
  Object.keys(QEMU_CONTROLLERS) as ControllerKind[]
).map((kind) => ({
  kind,
  maxSlots: QEMU_SLOTS.slots(kind) ?? 1,
  hotplug: CONTROLLERS[kind].bus === 'scsi' || kind === 'virtio-blk',
}));

/** The NIC models QEMU runs (devices.ts `QEMU_NICS`); a NIC without a subtype is an e1000. */
export const QEMU_NIC_MODELS: readonly NicModel[] = Object.keys(QEMU_NICS) as NicModel[];

/** BIOS (SeaBIOS, always there) and UEFI when OVMF is installed (uefi.ts). */
function qemuFirmware(): FirmwareKind[] {
  return uefiFirmware('/nonexistent', false) === undefined ? ['bios'] : ['bios', 'efi'];
}

/** The device part of the QEMU driver's capabilities: the command line's tables, as data. */
export function qemuDevices(): DriverCapabilities['devices'] {
  return {
    controllers: QEMU_CONTROLLER_CAPABILITIES,
    nicModels: QEMU_NIC_MODELS,
    driveKinds: ['disk', 'cdrom', 'floppy'],
    consoles: ['serial', 'vnc'],
  };
}

/** What the QEMU driver's `capabilities()` answers, from its accelerator verdict and the tables above. */
export function qemuCapabilities(o: {
  uri: string;
  version: string;
  accel: { accel: 'kvm' | 'tcg'; reason: string };
  limits: HostLimits;
  operations: DriverCapabilities['operations'];
}): DriverCapabilities {
  const kvm = o.accel.accel === 'kvm';
  return {
    driver: { uri: o.uri, name: 'qemu', version: o.version, ownsInventory: false },
    accelerators: [
      { name: 'kvm', usable: kvm, reason: o.accel.reason },
      {
        name: 'tcg',
        usable: true,
        reason: kvm ? 'software emulation; KVM is used instead' : 'software emulation, always available',
      },
    ],
    machineTypes: QEMU_MACHINE_TYPES,
    firmware: qemuFirmware(),
    devices: qemuDevices(),
    limits: o.limits,
    operations: o.operations,
    features: {
      hotplug: { disk: true, nic: true, memory: true },
      snapshots: false,
      migration: false,
      adoption: true,
    },
  };
}
