import type { OvfDisk, OvfEnvelope, OvfFile } from '../ovf/index.js';

/** What a {@link FileTransform} decides from: the descriptor, the File, the Disk using it, the file on disk. */
export interface TransformContext {
  env: OvfEnvelope;
  file: OvfFile;
  /** The DiskSection/Disk whose ovf:fileRef is this File, if any. */
  disk: OvfDisk | undefined;
  /** Where the file is, beside the descriptor. */
  sourcePath: string;
}

/** The conversion of one file, planned before the archive is written. */
export interface PlannedTransform {
  /** The href to store the result under (e.g. `disk1.qcow2` -> `disk1.vmdk`); default unchanged. */
  href?: string | undefined;
  /** An upper bound of the output's size in bytes, needed when the output is split into chunks. */
  maxSize?: number | undefined;
  /** Edits the descriptor for the converted file (e.g. the Disk's ovf:format). Called once, before writing. */
  edit?(): void;
  /** The converted bytes, produced as the archive is written. Called once, when the file's turn comes. */
  open(): AsyncIterable<Uint8Array>;
}

/**
 * A per-file transform plugged into `packOva`: given each File of the package, it may return a conversion
 * (source path -> byte stream) whose output is stored instead of the file, hashed and sized on the way, with the
 * descriptor's `ovf:size` updated after the pass. `vessel ova pack --disk-format stream` plugs the disk engine's
 * streamOptimized VMDK encoder in here.
 */
export interface FileTransform {
  plan(ctx: TransformContext): Promise<PlannedTransform | undefined>;
}

/** The DiskSection/Disk that uses File `fileId`, if any (package-level DiskSections). */
export function diskOfFile(env: OvfEnvelope, fileId: string): OvfDisk | undefined {
  for (const s of env.sections) {
    if (s.kind !== 'DiskSection') continue;
    const d = s.disks.find((x) => x.fileRef === fileId);
    if (d) return d;
  }
  return undefined;
}
