/** The vocabulary of external references (what an image names outside itself) and helpers to read and show them. */
import { DiskError } from './errors.js';

/** What kind of reference an image holds (the format and the field it is stored in). */
export type ReferenceKind =
  /** An extent line of a VMDK descriptor names a file (FLAT, SPARSE, VMFS, ... or a device). */
  | 'vmdk-extent'
  /** A sparse VMDK whose embedded descriptor is read as a descriptor file (capacity 0), or declares split extents. */
  | 'vmdk-descriptor'
  /** `parentFileNameHint` of a VMDK descriptor: its parent image. */
  | 'vmdk-parent'
  /** `parentCID` other than ffffffff: the VMDK is a delta of some parent. */
  | 'vmdk-parent-cid'
  /** The parent file name of an ESX sparse extent (COWD, "VMDK3"). */
  | 'cowd-parent'
  /** The backing file of a qcow (v1) or qcow2 image. */
  | 'qcow-backing'
  /** The backing file format header extension of a qcow2 image. */
  | 'qcow2-backing-format'
  /** The external data file of a qcow2 image (incompatible feature bit 2 and header extension). */
  | 'qcow2-data-file'
  /** The backing file of a QED image. */
  | 'qed-backing'
  /** A VHD differencing disk's parent (disk type 4, parent name). */
  | 'vhd-parent'
  /** A VHD parent locator entry (a Windows or Mac path to the parent). */
  | 'vhd-parent-locator'
  /** A VHDX whose file parameters say it has a parent. */
  | 'vhdx-parent'
  /** A VHDX parent locator entry (`relative_path`, `absolute_win32_path`, ...). */
  | 'vhdx-parent-locator'
  /** A VirtualBox differencing (or undo) image and the UUID of its parent. */
  | 'vdi-parent';

/** One reference an image holds. */
export interface ImageReference {
  kind: ReferenceKind;
  /** What the image names, as it spells it (a path, a `json:` spec, a UUID); at most {@link MAX_NAME} characters. */
  name: string;
  /** Byte offset in the image where the reference is stored, when known. */
  offset?: number;
}

/** The bytes of an image, read at positions (an open {@link ImageFile} or a buffer). */
export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `position`; shorter only at the end. */
  read(position: number, length: number): Promise<Buffer>;
}

/** The longest name kept in a reference. */
const MAX_NAME = 1024;

/** A {@link ByteSource} over bytes held in memory (a stream's first bytes). */
export function bufferSource(b: Buffer): ByteSource {
  return {
    size: b.length,
    read: async (position, length) => b.subarray(Math.min(position, b.length), position + length),
  };
}

/** A name as a message shows it: quoted, control characters escaped, cut at 200 characters. */
function quoteName(name: string): string {
  const cut = name.length > 200 ? `${name.slice(0, 200)}...` : name;
  return JSON.stringify(cut);
}

const at = (offset: number | undefined) => (offset === undefined ? '' : ` (at offset ${offset})`);

/** Says what a reference is, for messages: `a qcow2 backing file "/etc/passwd"`. */
export function describeReference(r: ImageReference): string {
  const n = quoteName(r.name);
  const what: Record<ReferenceKind, string> = {
    'vmdk-extent': `a VMDK extent naming ${n}`,
    'vmdk-descriptor': `an embedded VMDK descriptor that is read as a descriptor file (${r.name})`,
    'vmdk-parent': `a VMDK parent image (parentFileNameHint ${n})`,
    'vmdk-parent-cid': `a VMDK parent content ID (parentCID ${r.name})`,
    'cowd-parent': `an ESX sparse (COWD) parent file ${n}`,
    'qcow-backing': `a backing file ${n}`,
    'qcow2-backing-format': `a backing file format ${n}`,
    'qcow2-data-file': `an external data file ${n}`,
    'qed-backing': `a QED backing file ${n}`,
    'vhd-parent': `a VHD parent image ${n}`,
    'vhd-parent-locator': `a VHD parent locator ${n}`,
    'vhdx-parent': `a VHDX parent image (${r.name})`,
    'vhdx-parent-locator': `a VHDX parent locator ${n}`,
    'vdi-parent': `a VirtualBox parent image ${n}`,
  };
  return what[r.kind];
}

/** The text of `b` up to its first NUL, as a C reader (QEMU) sees it. */
export function cString(b: Buffer, encoding: BufferEncoding = 'latin1'): string {
  const nul = b.indexOf(0);
  return b.toString(encoding, 0, nul < 0 ? b.length : nul);
}

/** Cuts a name to {@link MAX_NAME} characters. */
export function clip(name: string): string {
  return name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
}

/**
 * The `DISK_EXTERNAL_REFERENCE` error refusing an image that names other files (its first reference, and how
 * many more), or undefined when it names none. `name` is how messages call the image (default its path).
 *
 * @example
 * const err = referenceError(await probe('disk.vmdk'), 'disk1.vmdk');
 * if (err) throw err;
 */
export function referenceError(
  info: { path: string; references: readonly ImageReference[] },
  name: string = info.path,
): DiskError | undefined {
  const [first, ...rest] = info.references;
  if (first === undefined) return undefined;
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more)`;
  return new DiskError(
    'DISK_EXTERNAL_REFERENCE',
    `Image "${name}" refers to another file: ${describeReference(first)}${at(first.offset)}${more}. Vessel reads only ` +
      'self-contained images, because following the reference would make the host read a file chosen by ' +
      "the image's author",
    {
      offset: first.offset,
      hint: 'make the image self-contained where it came from (for example "qemu-img convert -O qcow2" of the whole chain on a machine you trust) and use that copy',
    },
  );
}
