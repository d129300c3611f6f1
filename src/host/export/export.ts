import { existsSync, readdirSync, statSync } from 'node:fs';
import { link, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { DiskImage } from '../../hypervisor/index.js';
import type { VirtualSystemDefinition } from '../../model/index.js';
import { type DigestAlgorithm, type FileTransform, type OvaSigner, packOva } from '../../ova/index.js';
import { formatOvf, type OvfDiagnostic, type OvfEnvelope, validateOvf } from '../../ovf/index.js';
import { HostError } from '../errors.js';
import { wasDeployed } from './confine.js';
import { deployedFileNames, readDeployedPackage } from './deployed.js';
import { buildExportDescriptor } from './descriptor.js';
import { type ExportSources, exportDiskTransform, exportSources, packageBaseName } from './disks.js';
import { writeOvfFolder } from './folder.js';
import { keepMediaNames } from './names.js';
import { cleanupExports, createExportStaging, type ExportStaging, finishExportStaging } from './staging.js';
import { type ExportTarget, TARGET_PROFILES } from './target.js';

/** How `vessel export` packages a system. */
export interface ExportOptions {
  format: 'ova' | 'ovf';
  /** The OVA file, or for `ovf` the folder (or the `.ovf` path inside an existing folder). Absolute. */
  output: string;
  ovfVersion?: '1.0' | '2.0' | undefined;
  target?: ExportTarget | undefined;
  /** Manifest algorithm; default the target's; `none` writes no manifest. */
  manifest?: DigestAlgorithm | 'none' | undefined;
  signer?: OvaSigner | undefined;
  /** Keep the NICs' MAC addresses (left out by default, so that copies get their own). */
  keepMacs?: boolean | undefined;
  /** Replace an existing output (refused by default). */
  overwrite?: boolean | undefined;
  /** zlib level of the VMDK grains (default: the disk engine's). */
  level?: number | undefined;
  /** Progress in percent, as the disks are encoded. */
  onProgress?: ((percent: number) => void) | undefined;
}

/** What an export wrote. */
export interface ExportResult {
  output: string;
  format: 'ova' | 'ovf';
  descriptor: string;
  target: ExportTarget;
  ovfVersion: '1.0' | '2.0';
  manifest: DigestAlgorithm | 'none';
  signed: boolean;
  files: { name: string; size: number }[];
  disks: { instanceId: string; href: string; source: string; overlay: boolean; capacityBytes: string }[];
  /** True when the product section and properties came from the package the system was deployed from. */
  fromDeploy: boolean;
  /** What the export changed or left out, one line each. */
  notes: string[];
  /** Warnings of Vessel's own validator (with the target's profile) about the written descriptor. */
  warnings: string[];
}

/** What the export reads of a stored system. */
export interface ExportInput {
  stateDir: string;
  uuid: string;
  definition: VirtualSystemDefinition;
  /** The system's host metadata (a deploy's `ovf.*` keys). */
  metadata: Readonly<Record<string, string>>;
  /** The job the export runs as, to name its temporary files (default: a random tag). */
  job?: string | undefined;
  /** The drives' current content, as the system's driver reports it (`HypervisorDriver.diskImages`). */
  diskImages(): Promise<DiskImage[]>;
}

function describe(d: OvfDiagnostic): string {
  return `${d.code}: ${d.message}`;
}

/** Where the package goes: the OVA file, or the folder and descriptor name of an OVF package. */
function placement(o: ExportOptions, base: string): { dir: string; descriptor: string; file?: string } {
  const out = resolve(o.output);
  if (o.format === 'ova') {
    if (existsSync(out) && !o.overwrite)
      throw new HostError('EXPORT_OUTPUT', `${out} exists already`, {
        hint: 'Give another -o, or --overwrite',
      });
    if (existsSync(out) && !statSync(out).isFile())
      throw new HostError('EXPORT_OUTPUT', `${out} exists and is not a file`);
    return { dir: dirname(out), descriptor: `${base}.ovf`, file: out };
  }
  if (extname(out).toLowerCase() === '.ovf') {
    if (existsSync(out)) throw new HostError('EXPORT_OUTPUT', `${out} exists already`);
    return { dir: dirname(out), descriptor: basename(out) };
  }
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0))
    throw new HostError('EXPORT_OUTPUT', `${out} exists and is not an empty folder`, {
      hint: 'An OVF export writes a new folder; give a new -o',
    });
  return { dir: out, descriptor: `${base}.ovf` };
}

/**
 * Exports a stopped system as an OVF package (DSP0243): the descriptor built from its definition (with what its
 * deploy recorded), each disk as a streamOptimized VMDK encoded in one pass by the disk engine from the
 * flattened overlay chain, CD/DVD images as they are, a manifest and optionally a certificate. The descriptor is
 * checked with Vessel's validator before any disk is read; an error there is a bug and refuses the export
 * (`EXPORT_INVALID`). A deployed system's export reads only files of its own folder (`EXPORT_HOST_PATH`,
 * confine.ts). Everything is written under temporary `.vessel-export-*` names and renamed into place at
 * the end: nothing is left behind on failure, and what a killed export left is removed by the next host start
 * or export (staging.ts).
 *
 * @example
 * await exportSystem({ stateDir, uuid, definition, metadata: {} },
 *   { format: 'ova', output: '/tmp/web1.ova', target: 'vmware' });
 */
export async function exportSystem(input: ExportInput, o: ExportOptions): Promise<ExportResult> {
  const target = o.target ?? 'generic';
  const profile = TARGET_PROFILES[target];
  const ovfVersion = o.ovfVersion ?? '1.0';
  if (!profile.ovfVersions.includes(ovfVersion)) {
    throw new HostError('USAGE', `--target ${target} needs OVF ${profile.ovfVersions.join(' or ')}`, {
      hint: 'VMware products read OVF 1.x only: use --ovf-version 1.0',
    });
  }
  const manifest = o.manifest ?? profile.manifest;
  if (o.signer !== undefined && manifest === 'none')
    throw new HostError('USAGE', 'A package without a manifest cannot be signed');
  const name = input.definition.system.ElementName ?? input.uuid;
  const base = packageBaseName(name);
  const where = placement(o, base);
  const deployedSystem = wasDeployed(join(input.stateDir, 'vms', input.uuid), input.metadata);
  const sources = await exportSources(
    input.stateDir,
    input.uuid,
    input.definition,
    name,
    deployedSystem,
    await input.diskImages(),
  );
  const deployed = readDeployedPackage((k) => input.metadata[k]);
  if (deployed !== undefined) keepMediaNames(sources, deployedFileNames(deployed, name), base);
  const { env, notes } = buildExportDescriptor(
    {
      definition: input.definition,
      disks: sources.disks,
      media: sources.media,
      emptied: sources.emptied,
      deployed,
    },
    { ovfVersion, target, keepMacs: o.keepMacs },
  );
  const diagnostics = validateOvf(env, { target: profile.validator });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new HostError(
      'EXPORT_INVALID',
      `The descriptor exported for "${name}" does not validate: ${errors.map(describe).join('; ')}`,
    );
  }
  const transform = exportDiskTransform(sources.disks, {
    level: o.level,
    onProgress: (done, total) => o.onProgress?.(total === 0 ? 100 : (100 * done) / total),
  });
  const algorithm = manifest === 'none' ? undefined : manifest;
  cleanupExports(input.stateDir);
  const staging = await createExportStaging(input.stateDir, input.job ?? 'export', where.dir);
  let files: { name: string; size: number }[];
  let failed = true;
  try {
    if (where.file !== undefined) {
      files = await packInto(env, where.descriptor, where.file, sources, transform, manifest, o, staging);
    } else {
      const copies = new Map(sources.media.map((m) => [m.href, m.path]));
      const members = await writeOvfFolder(
        env,
        where.dir,
        where.descriptor,
        { transform, copies },
        { algorithm, signer: o.signer, tempPrefix: staging.prefix },
      );
      files = members.map((m) => ({ name: m.name, size: m.size }));
    }
    failed = false;
  } finally {
    finishExportStaging(staging, failed);
  }
  o.onProgress?.(100);
  return {
    output: where.file ?? join(where.dir, where.descriptor),
    format: o.format,
    descriptor: where.descriptor,
    target,
    ovfVersion,
    manifest,
    signed: o.signer !== undefined,
    files,
    disks: sources.disks.map((d) => ({
      instanceId: d.instanceId,
      href: d.href,
      source: d.path,
      overlay: d.overlay,
      capacityBytes: String(d.capacityBytes),
    })),
    fromDeploy: deployed !== undefined,
    notes,
    warnings: diagnostics.filter((d) => d.severity !== 'error').map(describe),
  };
}

/**
 * Packs through `packOva`: the descriptor in the export's private folder beside links to the images, named by
 * href; the OVA is written beside the output under a temporary name and moved into place at the end (without
 * replacing an existing file unless `overwrite`).
 */
async function packInto(
  env: OvfEnvelope,
  descriptor: string,
  output: string,
  sources: ExportSources,
  transform: FileTransform,
  manifest: DigestAlgorithm | 'none',
  o: ExportOptions,
  staging: ExportStaging,
): Promise<{ name: string; size: number }[]> {
  const links = new Map([...sources.disks, ...sources.media].map((s) => [s.href, s.path]));
  for (const [href, path] of links) await symlink(path, join(staging.work, href));
  await writeFile(join(staging.work, descriptor), formatOvf(env));
  const temp = join(staging.outDir, `${staging.prefix}${basename(output)}`);
  const r = await packOva(join(staging.work, descriptor), temp, {
    algorithm: manifest,
    transform,
    signer: o.signer,
  });
  if (o.overwrite) await rename(temp, output);
  else {
    // A hard link never replaces an existing file; where the file system has none, check, then rename.
    const exists = () =>
      new HostError('EXPORT_OUTPUT', `${output} exists already`, { hint: 'Give another -o, or --overwrite' });
    try {
      await link(temp, output);
      await unlink(temp);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw exists();
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
      if (existsSync(output)) throw exists();
      await rename(temp, output);
    }
  }
  return r.members.map((m) => ({ name: m.name, size: m.size }));
}
