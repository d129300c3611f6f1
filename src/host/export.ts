import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { VirtualSystemDefinition } from '../model/index.js';
import { type DigestAlgorithm, type FileTransform, type OvaSigner, packOva } from '../ova/index.js';
import {
  formatOvf,
  type OvfDiagnostic,
  type OvfEnvelope,
  type OvfTarget,
  validateOvf,
} from '../ovf/index.js';
import { HostError } from './errors.js';
import { readDeployedPackage } from './export-deployed.js';
import { buildExportDescriptor } from './export-descriptor.js';
import { type ExportSources, exportDiskTransform, exportSources, packageBaseName } from './export-disks.js';
import { writeOvfFolder } from './export-folder.js';
import { type ExportTarget, TARGET_PROFILES } from './export-target.js';

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
}

const VALIDATOR_TARGET: Record<ExportTarget, OvfTarget> = {
  generic: 'qemu',
  vmware: 'vmware',
  virtualbox: 'virtualbox',
};

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
 * (`EXPORT_INVALID`). Nothing is left behind on failure.
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
  const sources = await exportSources(input.stateDir, input.uuid, input.definition, name);
  const deployed = readDeployedPackage((k) => input.metadata[k]);
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
  const diagnostics = validateOvf(env, { target: VALIDATOR_TARGET[target] });
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
  let files: { name: string; size: number }[];
  if (where.file !== undefined) {
    files = await packInto(env, where.descriptor, where.file, sources, transform, manifest, o.signer);
  } else {
    const copies = new Map(sources.media.map((m) => [m.href, m.path]));
    const members = await writeOvfFolder(
      env,
      where.dir,
      where.descriptor,
      { transform, copies },
      {
        algorithm,
        signer: o.signer,
      },
    );
    files = members.map((m) => ({ name: m.name, size: m.size }));
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

/** Packs through `packOva`: the descriptor in a private folder beside links to the images, named by href. */
async function packInto(
  env: OvfEnvelope,
  descriptor: string,
  output: string,
  sources: ExportSources,
  transform: FileTransform,
  manifest: DigestAlgorithm | 'none',
  signer: OvaSigner | undefined,
): Promise<{ name: string; size: number }[]> {
  const dir = await mkdtemp(join(dirname(output), '.vessel-export-'));
  try {
    const links = new Map([...sources.disks, ...sources.media].map((s) => [s.href, s.path]));
    for (const [href, path] of links) await symlink(path, join(dir, href));
    await writeFile(join(dir, descriptor), formatOvf(env));
    const r = await packOva(join(dir, descriptor), output, { algorithm: manifest, transform, signer });
    return r.members.map((m) => ({ name: m.name, size: m.size }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
