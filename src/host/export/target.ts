import type { DigestAlgorithm } from '../../ova/index.js';
import { DESCRIPTOR_TARGETS, type DescriptorTarget, TARGETS } from '../../ovf/index.js';

/**
 * Export target profiles: the descriptor side (hardware family, device spellings, optional extras) is the OVF
 * writer's (`TARGETS` in src/ovf); what is the package's is here: the manifest algorithm each platform takes.
 */

/** The platforms `vessel export --target` writes for. */
export type ExportTarget = DescriptorTarget;

/** Every target, in the order help texts list them. */
export const EXPORT_TARGETS: readonly ExportTarget[] = DESCRIPTOR_TARGETS;

/** What a target fixes about the package. */
interface TargetProfile {
  /** The manifest algorithm when none is asked for. */
  manifest: DigestAlgorithm;
  /** Which OVF versions the platform reads. */
  ovfVersions: readonly ('1.0' | '2.0')[];
  /** The profile of Vessel's validator that checks the written descriptor. */
  validator: 'qemu' | 'vmware' | 'virtualbox';
}

/** ovftool 4.2+ and ESXi 6.5+ take SHA-256 manifests in the `SHA256(file)= hex` form; so do the others. */
export const TARGET_PROFILES: Readonly<Record<ExportTarget, TargetProfile>> = {
  generic: {
    manifest: 'sha256',
    ovfVersions: TARGETS.generic.ovfVersions,
    validator: TARGETS.generic.validator,
  },
  vmware: {
    manifest: 'sha256',
    ovfVersions: TARGETS.vmware.ovfVersions,
    validator: TARGETS.vmware.validator,
  },
  virtualbox: {
    manifest: 'sha256',
    ovfVersions: TARGETS.virtualbox.ovfVersions,
    validator: TARGETS.virtualbox.validator,
  },
};
