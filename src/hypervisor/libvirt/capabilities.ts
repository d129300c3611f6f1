import { DEFAULT_LIMITS } from '../../model/index.js';
import type { DriverCapabilities } from '../capabilities.js';
import { QEMU_MACHINE_TYPES, qemuDevices } from '../qemu/capabilities.js';
import type { LibvirtDomainCaps } from './domcaps.js';

/** What the driver learnt of the daemon when it opened. */
export interface LibvirtDaemonInfo {
  /** CONNECT_GET_TYPE: `QEMU`, `Test`, `Xen`... */
  type: string;
  /** CONNECT_GET_VERSION as `major.minor.micro`. */
  version: string;
  /** The `type` attribute of the domains this driver writes (`qemu`: TCG; `test`). */
  domainType: string;
  /** Its domain capabilities for that type, when the daemon gives them (libvirt's test driver does not). */
  domainCaps?: LibvirtDomainCaps | undefined;
}

/** QEMU's devices as libvirt 9 runs them: its QEMU driver has no BusLogic SCSI controller. */
export function libvirtDevices(): DriverCapabilities['devices'] {
  const q = qemuDevices();
  return { ...q, controllers: q.controllers.filter((c) => c.kind !== 'buslogic') };
}

/**
 * The libvirt driver's capabilities from what the daemon said at open: TCG (or no guest code on libvirt's test
 * driver), QEMU's machine types and devices, EFI when the domain capabilities name firmware, the vCPU bound of
 * `<vcpu max>`, hot-plug of disks and NICs on the QEMU driver.
 *
 * @example
 * libvirtCapabilities('libvirt:qemu:///system', daemon, operations);
 */
export function libvirtCapabilities(
  uri: string,
  daemon: LibvirtDaemonInfo,
  operations: DriverCapabilities['operations'],
): DriverCapabilities {
  const test = daemon.domainType === 'test';
  return {
    driver: { uri, name: 'libvirt', version: daemon.version, ownsInventory: true },
    accelerators: test
      ? [{ name: 'none', usable: true, reason: "libvirt's test driver runs no guest code" }]
      : [{ name: 'tcg', usable: true, reason: "domains are written with type='qemu' (TCG)" }],
    machineTypes: QEMU_MACHINE_TYPES,
    // EFI when libvirt's domain capabilities name firmware images (OVMF): `<os firmware='efi'>` lets libvirt pick one.
    firmware: (daemon.domainCaps?.loaders.length ?? 0) > 0 ? ['bios', 'efi'] : ['bios'],
    devices: libvirtDevices(),
    // virConnectGetDomainCapabilities' <vcpu max> bounds the vCPUs of the machine type libvirt picks.
    limits: {
      ...DEFAULT_LIMITS,
      cpus: Math.min(DEFAULT_LIMITS.cpus, daemon.domainCaps?.maxCpus ?? DEFAULT_LIMITS.cpus),
    },
    operations,
    features: {
      // virDomainAttachDeviceFlags on libvirt's QEMU driver; its test driver cannot attach devices.
      hotplug: { disk: !test, nic: !test, memory: false },
      snapshots: false,
      migration: false,
      adoption: true,
    },
  };
}
