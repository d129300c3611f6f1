import {
  DEFAULT_LIMITS,
  type HostLimits,
  readHardware,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import type { DriverDiagnostic, HypervisorDriver } from '../types.js';
import { commonDiagnostics, diagnosticOf, systemLocation } from '../validate.js';
import { buildQemuArgv } from './argv.js';
import type { NetworkConfig } from './devices-argv.js';
import { mapQemuHardware } from './map.js';
import type { DriveImage } from './storage-argv.js';
import { uefiFirmware } from './uefi.js';

/**
 * The QEMU driver's `validate` (libvirt's qemuValidateDomainDef): the model's rules and, for a define, the images;
 * then the command line is built once with stand-in files, so what QEMU cannot run (an unknown NIC model or SCSI
 * subtype, IDE on q35, memory not in whole MiB, UEFI without OVMF) is refused before anything is defined or a
 * package's disks are written. Nothing is opened or copied.
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
  },
): DriverDiagnostic[] {
  const common = commonDiagnostics(def, purpose, o.limits, { modelChecked: o.modelChecked ?? false });
  if (common.length > 0) return common;
  const images = new Map<string, DriveImage>(
    readHardware(def.resources)
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
