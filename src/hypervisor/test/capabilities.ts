import type { HostLimits } from '../../model/index.js';
import type { DriverCapabilities } from '../capabilities.js';
import { QEMU_MACHINE_TYPES, qemuDevices } from '../qemu/capabilities.js';

/**
 * The test driver's capabilities: no accelerator (it runs no guest code), the embedded QEMU driver's machine
 * types and devices (so host tests on test:/// refuse what qemu:/// refuses), BIOS and EFI, everything hot-plugs.
 */
export function testCapabilities(o: {
  uri: string;
  ownsInventory: boolean;
  limits: HostLimits;
  operations: DriverCapabilities['operations'];
}): DriverCapabilities {
  return {
    driver: { uri: o.uri, name: 'test', version: undefined, ownsInventory: o.ownsInventory },
    accelerators: [{ name: 'none', usable: true, reason: 'the test driver runs no guest code' }],
    machineTypes: QEMU_MACHINE_TYPES,
    firmware: ['bios', 'efi'],
    devices: qemuDevices(),
    limits: o.limits,
    operations: o.operations,
    features: {
      hotplug: { disk: true, nic: true, memory: true },
      snapshots: false,
      migration: false,
      adoption: false,
    },
  };
}
