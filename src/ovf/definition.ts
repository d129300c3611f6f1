import {
  BOOT_ORDER_PROPERTY,
  FIRMWARE_PROPERTY,
  type ResourceSetting,
  resourceTypeOf,
  type VirtualSystemDefinition,
} from '../model/index.js';
import { bootOrderFromOvf, firmwareFromOvf } from './boot.js';
import { OvfError } from './errors.js';
import { defaultConfiguration, findSection, hardwareOf, itemsFor, virtualSystems } from './select.js';
import type { OvfContent, OvfDisk, OvfEnvelope, OvfFile, OvfItem } from './types.js';

/** A disk of the package that a definition's HostResource `ovf:/disk/ID` points at. */
export interface OvfDiskRef {
  disk: OvfDisk;
  /** The File it is read from; undefined for a blank disk created at deploy. */
  file?: OvfFile | undefined;
}

/** A VirtualSystem of a package as the one model, for one deployment configuration. */
export interface OvfSystemDefinition {
  system: OvfContent;
  configuration?: string | undefined;
  /** VSSD + RASDs exactly as the package gives them for that configuration (ranges resolved to `normal`). */
  definition: VirtualSystemDefinition;
  /** The package's disks by diskId. */
  disks: Map<string, OvfDiskRef>;
}

/**
 * Reads one VirtualSystem of a package as a {@link VirtualSystemDefinition}: the System element's VSSD, and the
 * items that apply to the chosen deployment configuration (default: the package's default), with ranged items
 * reduced to their `normal` value (DSP0243 §9.10). Names come from `ovf:Name` when the VSSD has no ElementName.
 * The VSSD Firmware and BootOrder (Vessel extensions) come from what the package says in OVF terms when its VSSD
 * does not carry them: `vmw:Config firmware` or `vbox:Machine` firmware, BootDeviceSection or `vessel:BootOrder`
 * (see boot.ts). Throws `OVF_NOT_FOUND` when the system or configuration does not exist.
 */
export function definitionFromOvf(
  env: OvfEnvelope,
  options: { systemId?: string; configuration?: string } = {},
): OvfSystemDefinition {
  const systems = virtualSystems(env);
  const system = options.systemId === undefined ? systems[0] : systems.find((s) => s.id === options.systemId);
  if (!system) {
    throw new OvfError(
      'OVF_NOT_FOUND',
      options.systemId === undefined
        ? 'The package has no VirtualSystem'
        : `The package has no VirtualSystem "${options.systemId}"`,
    );
  }
  const configs = findSection(env.sections, 'DeploymentOptionSection')?.configurations.map((c) => c.id) ?? [];
  const configuration = options.configuration ?? defaultConfiguration(env);
  if (options.configuration !== undefined && !configs.includes(options.configuration)) {
    throw new OvfError('OVF_NOT_FOUND', `The package has no deployment option "${options.configuration}"`, {
      hint: configs.length ? `Options: ${configs.join(', ')}` : 'The package has no DeploymentOptionSection.',
    });
  }
  const hw = hardwareOf(system);
  // COT and VMware give per-configuration variants of an item the same InstanceID as the general one: the item
  // written for the chosen configuration replaces the general one (DSP0243 §9.8).
  const items = itemsFor(hw?.items ?? [], configuration);
  const resources: ResourceSetting[] = items.map((i: OvfItem) => structuredClone(i.resource));
  const vssd = structuredClone(hw?.system?.properties ?? {});
  if (vssd.ElementName === undefined) vssd.ElementName = system.name?.text ?? system.id;
  if (vssd.VirtualSystemIdentifier === undefined) vssd.VirtualSystemIdentifier = system.id;
  const firmware = firmwareFromOvf(system);
  if (vssd[FIRMWARE_PROPERTY] === undefined && firmware !== undefined) vssd[FIRMWARE_PROPERTY] = firmware;
  const boot = bootOrderFromOvf(
    system,
    resources.map((r) => ({ instanceId: r.properties.InstanceID, resourceType: resourceTypeOf(r) })),
  );
  if (vssd[BOOT_ORDER_PROPERTY] === undefined && boot !== undefined && boot.length > 0)
    vssd[BOOT_ORDER_PROPERTY] = boot;
  const files = new Map(env.references.map((f) => [f.id, f]));
  const disks = new Map<string, OvfDiskRef>();
  for (const d of findSection(env.sections, 'DiskSection')?.disks ?? []) {
    disks.set(d.diskId, { disk: d, file: d.fileRef === undefined ? undefined : files.get(d.fileRef) });
  }
  return { system, configuration, definition: { system: vssd, resources }, disks };
}

/**
 * The disk id an item's HostResource names (`ovf:/disk/ID`, the 0.9 `/disk/ID`, VirtualBox's `ovf://disk/ID`),
 * or undefined when it names something else.
 */
export function diskIdOf(hostResource: string | undefined): string | undefined {
  const m = /^(?:ovf:\/\/?|\/)disk\/(.+)$/.exec(hostResource ?? '');
  return m?.[1];
}

/** The file id an item's HostResource names (`ovf:/file/ID`), or undefined. */
export function fileIdOf(hostResource: string | undefined): string | undefined {
  const m = /^(?:ovf:\/\/?|\/)file\/(.+)$/.exec(hostResource ?? '');
  return m?.[1];
}
