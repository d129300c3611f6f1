import {
  DEFAULT_LIMITS,
  type Firmware,
  type HostLimits,
  readDevices,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { capabilityProblems } from '../capability-check.js';
import type { DriverDiagnostic, HypervisorDriver } from '../types.js';
import { commonDiagnostics, diagnosticOf, systemLocation } from '../validate.js';
import { buildQemuArgv } from './argv.js';
import { qemuDevices } from './capabilities.js';
import { QEMU_FIRMWARE } from './devices.js';
import type { NetworkConfig } from './devices-argv.js';
import { mapQemuHardware } from './map.js';
import { QEMU_SLOTS } from './slots.js';
import type { DriveImage } from './storage-argv.js';
import { uefiFirmware } from './uefi.js';

/**
 * The QEMU driver's `validate` (libvirt's qemuValidateDomainDef), every check from the driver's own tables: the
 * model's rules within QEMU's slot limits (`QEMU_SLOTS`) and, for a define, the images; then each device against
 * QEMU's device table (`capabilityProblems` over `qemuDevices()`: controller kinds, NIC models, drive kinds); then
 * the command line is built once with stand-in files, so what else QEMU cannot run (IDE on q35, a CD/DVD on NVMe,
 * memory not in whole MiB, UEFI without OVMF installed) is refused before anything is defined or a package's disks
 * are written. Nothing is opened or copied.
 *
 * @example
 * const problems = validateForQemu(def, 'deploy', { limits, networks });
 */
export function validateForQemu(
  def: VirtualSystemDefinition,
  purpose: 'define' | 'deploy',
  o: {
    limits: HostLimits;
    networks: ReadonlyMap<string, NetworkConfig>;
    accel?: 'kvm' | 'tcg';
    modelChecked?: boolean;
    /** The driver's URI, for messages. */
    uri?: string;
  },
): DriverDiagnostic[] {
  const common = commonDiagnostics(def, purpose, o.limits, {
    modelChecked: o.modelChecked ?? false,
    slots: QEMU_SLOTS,
  });
  if (common.length > 0) return common;
  // Firmware QEMU can run at all; whether OVMF is installed is the command line's check, with its hint.
  const devices = capabilityProblems(def, {
    driver: { uri: o.uri ?? 'qemu:///embed', name: 'qemu', version: undefined, ownsInventory: false },
    firmware: Object.keys(QEMU_FIRMWARE) as Firmware[],
    devices: qemuDevices(),
  });
  if (devices.length > 0) return devices;
  const images = new Map<string, DriveImage>(
    readDevices(def)
      .drives.filter((d) => d.kind === 'disk')
      .map((d) => [d.instanceId, { file: '/dev/null', format: 'qcow2' }]),
  );
  // The firmware the driver will use, if installed; nothing is copied for this check.
  const uefi = uefiFirmware('/nonexistent', false);
  try {
    buildQemuArgv(def, {
      uuid: def.system.VirtualSystemIdentifier ?? '00000000-0000-0000-0000-000000000000',
      accel: o.accel ?? 'tcg',
      qmpSocket: '/dev/null',
      console: { socket: '/dev/null', log: '/dev/null', extraLog: () => '/dev/null' },
      images,
      networks: o.networks,
      ...(uefi ? { uefi } : {}),
    });
  } catch (e) {
    return [diagnosticOf(e, systemLocation(def))];
  }
  return [];
}

/**
 * The QEMU driver's deploy hooks without opening a driver (no binary, no state directory): its hardware mapping
 * and its `validate` with `limits` (default: the model's) and no networks. What the corpus mapping check uses.
 *
 * @example
 * const outcome = await checkOvfMapping(env, qemuDeployHooks());
 */
export function qemuDeployHooks(
  limits: HostLimits = DEFAULT_LIMITS,
): Pick<HypervisorDriver, 'validate' | 'mapHardware'> {
  return {
    mapHardware: mapQemuHardware,
    validate: async (def, purpose) => validateForQemu(def, purpose, { limits, networks: new Map() }),
  };
}
