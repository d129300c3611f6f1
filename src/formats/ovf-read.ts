import { parseUint, toBaseUnits } from '../model/index.js';
import {
  definitionFromOvf,
  fileIdOf,
  findSection,
  findSections,
  hardwareOf,
  type OvfDiskRef,
  type OvfEnvelope,
  type OvfProperty,
  type OvfSystemDefinition,
  VBOX_NS,
  VMW_NS,
  virtualSystems,
} from '../ovf/index.js';
import { textContent } from '../xml/index.js';
import { formatFromName, formatFromUri } from './disk-formats.js';
import { FormatError } from './errors.js';
import { baseName, checkImagePath, printable } from './paths.js';
import type { GuestOs, PackageDisk, PackageFile, SystemPackage } from './types.js';
import type { Warnings } from './warnings.js';

/** Options for reading one system of an OVF package. */
export interface OvfReadOptions {
  systemId?: string | undefined;
  configuration?: string | undefined;
  /** The target's name, for warnings about what it cannot hold (`vmx has no equivalent of ...`). */
  target: string;
  /** The target is OVF, which keeps deployment options, properties, product and EULA: no warnings about them. */
  keepsOvf?: boolean | undefined;
}

/**
 * Reads one VirtualSystem of an OVF envelope as a {@link SystemPackage}, through `definitionFromOvf` (the chosen
 * deployment option, ranges at `normal`, firmware and boot order). The annotation becomes the VSSD Description,
 * OperatingSystemSection the guest OS, and the package is kept as the source (`ovf`) so that an OVF target can
 * carry what the model does not hold. For other targets, what only OVF has (other deployment options, product
 * properties, EULAs, other systems) is reported.
 */
export function readOvfPackage(env: OvfEnvelope, options: OvfReadOptions, warnings: Warnings): SystemPackage {
  const all = virtualSystems(env);
  const opts = {
    ...(options.systemId === undefined ? {} : { systemId: options.systemId }),
    ...(options.configuration === undefined ? {} : { configuration: options.configuration }),
  };
  const read = definitionFromOvf(env, opts);
  const target = options.target;
  if (all.length > 1) {
    warnings.add(
      'SYSTEMS',
      `The package holds ${all.length} virtual systems; ${target} describes one, so only "${read.system.id}" was converted`,
    );
  }
  if (options.keepsOvf) return packageOf(env, read, options, warnings);
  const configs = findSection(env.sections, 'DeploymentOptionSection')?.configurations ?? [];
  if (configs.length > 1 && read.configuration !== undefined) {
    warnings.add(
      'CONFIGURATION',
      `${target} has no equivalent of deployment options; used "${read.configuration}"`,
    );
  }
  const products = findSections(read.system.sections, 'ProductSection');
  const props = products.reduce((n, p) => n + p.entries.filter((e) => e.entry === 'Property').length, 0);
  if (props > 0) {
    warnings.add('PRODUCT', `${target} has no equivalent of OVF properties; ${props} property(ies) dropped`);
  }
  if (products.some((p) => p.product !== undefined || p.vendor !== undefined)) {
    warnings.add(
      'PRODUCT',
      `${target} has no equivalent of the OVF product section (product, vendor, version); dropped`,
    );
  }
  if (findSections(read.system.sections, 'EulaSection').length > 0) {
    warnings.add('PRODUCT', `${target} has no equivalent of an OVF license agreement (EulaSection); dropped`);
  }
  return packageOf(env, read, options, warnings);
}

/** The package of the system read: names, annotation, disks, files, guest OS, and where it came from. */
function packageOf(
  env: OvfEnvelope,
  read: OvfSystemDefinition,
  options: OvfReadOptions,
  warnings: Warnings,
): SystemPackage {
  const def = read.definition;
  def.system.ElementName = read.system.name?.text?.trim() || read.system.id;
  const annotation = findSection(read.system.sections, 'AnnotationSection')?.annotation.text;
  if (annotation !== undefined && def.system.Description === undefined) def.system.Description = annotation;
  const disks = [...read.disks.values()].map((d) => packageDisk(d, env, warnings));
  const files: PackageFile[] = [];
  const refs = new Map(env.references.map((f) => [f.id, f]));
  // An OVF target keeps every deployment option, so it needs the images of all of them.
  const all = options.keepsOvf && options.configuration === undefined;
  for (const r of all ? (hardwareOf(read.system)?.items.map((i) => i.resource) ?? []) : def.resources) {
    for (const h of r.properties.HostResource ?? []) {
      const fileId = fileIdOf(h);
      const f = fileId === undefined ? undefined : refs.get(fileId);
      if (f && fileId !== undefined && !files.some((x) => x.id === fileId)) {
        const sizeBytes = f.size === undefined ? undefined : parseUint(f.size);
        const file = packageFileName(f.href, `File "${fileId}"`, warnings);
        files.push({ id: fileId, file, ...(sizeBytes === undefined ? {} : { sizeBytes }) });
      }
    }
  }
  return {
    definition: def,
    disks,
    files,
    guestOs: guestOsOf(read.system.sections),
    ovf: { env, systemId: read.system.id, configuration: options.configuration },
  };
}

/**
 * An href as a file name beside the output: hrefs that leave the package folder or name a remote file are reduced
 * to their last segment (the file is expected beside the descriptor), and reported. Control characters throw.
 */
function packageFileName(href: string, what: string, warnings: Warnings): string {
  try {
    return checkImagePath(href, what);
  } catch (e) {
    if (
      !(e instanceof FormatError) ||
      (e.code === 'FORMAT_UNSAFE_PATH' && /control character|empty/.test(e.message))
    )
      throw e;
    const name = baseName(href.replace(/[?#].*$/, ''));
    checkImagePath(name, what);
    warnings.add(
      'DISK_NAME',
      `${what}: "${printable(href)}" ${e.code === 'FORMAT_UNSUPPORTED' ? 'is a remote file' : 'lies outside the package folder'}; referenced as "${name}", beside the output`,
    );
    return name;
  }
}

function packageDisk(ref: OvfDiskRef, env: OvfEnvelope, warnings: Warnings): PackageDisk {
  const d = ref.disk;
  const file =
    ref.file === undefined ? undefined : packageFileName(ref.file.href, `Disk "${d.diskId}"`, warnings);
  if (ref.file?.compression && ref.file.compression !== 'identity') {
    warnings.add(
      'DISK_FORMAT',
      `Disk "${d.diskId}": "${ref.file.href}" is ${ref.file.compression}-compressed in the package; decompress it beside the output`,
    );
  }
  if (ref.file?.chunkSize) {
    warnings.add(
      'DISK_FORMAT',
      `Disk "${d.diskId}": "${ref.file.href}" is split in chunks in the package; join them beside the output`,
    );
  }
  return {
    id: d.diskId,
    file,
    capacityBytes: capacityOf(d.capacity, d.capacityAllocationUnits, env, warnings, d.diskId),
    format: formatFromUri(d.format) ?? formatFromName(file),
  };
}

function capacityOf(
  capacity: string,
  units: string | undefined,
  env: OvfEnvelope,
  warnings: Warnings,
  diskId: string,
): bigint | undefined {
  let text = capacity.trim();
  const ref = /^\$\{(.+)\}$/.exec(text);
  if (ref) {
    const value = virtualSystems(env)
      .flatMap((s) => findSections(s.sections, 'ProductSection'))
      .flatMap((p) => p.entries)
      .find((e): e is OvfProperty => e.entry === 'Property' && e.key === ref[1])?.value;
    if (value === undefined) {
      warnings.add(
        'DISK_FORMAT',
        `Disk "${diskId}": capacity ${text} names no property with a default; capacity unknown`,
      );
      return undefined;
    }
    text = value;
  }
  const v = parseUint(text);
  if (v === undefined) return undefined;
  try {
    return toBaseUnits(v, units ?? 'byte', 'byte');
  } catch {
    warnings.add(
      'DISK_FORMAT',
      `Disk "${diskId}": capacity unit "${units}" is not a byte unit; capacity unknown`,
    );
    return undefined;
  }
}

function guestOsOf(sections: Parameters<typeof findSection>[0]): GuestOs | undefined {
  const os = findSection(sections, 'OperatingSystemSection');
  if (!os) return undefined;
  const id = Number(os.id);
  const vmware = os.attrs.find((a) => a.ns === VMW_NS && a.local === 'osType')?.value;
  const vboxEl = os.extra.find((e) => e.ns === VBOX_NS && e.local === 'OSType');
  return {
    osType: Number.isInteger(id) && id >= 0 && id <= 0xffff ? id : 1,
    description: os.description?.text,
    ...(vmware === undefined ? {} : { vmware }),
    ...(vboxEl === undefined ? {} : { vbox: textContent(vboxEl).trim() }),
  };
}
