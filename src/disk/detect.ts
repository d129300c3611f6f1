/** Recognizing an image format from its first bytes (and, for a fixed VHD, its last sector). */
import type { DiskFormat } from './formats.js';
import { QCOW2_MAGIC } from './qcow2.js';
import { VMDK_MAGIC } from './vmdk/header.js';
import { isTextDescriptor } from './vmdk/text.js';

/** What the magic numbers say; `vmdk-sparse` still needs the header flags to tell `vmdk` from `vmdk-stream`. */
type Detected = Exclude<DiskFormat, 'vmdk' | 'vmdk-stream'> | 'vmdk-sparse' | 'vmdk-text' | 'vhd-fixed';

/** VDI signature at 0x40. */
const VDI_MAGIC = 0xbeda107f;

/** Detects the format from `head` (the first bytes) and `tail` (the last 512 bytes, for a fixed VHD). */
export function detectFormat(head: Buffer, tail: Buffer | undefined): Detected {
  if (head.length >= 4 && head.readUInt32BE(0) === QCOW2_MAGIC) return 'qcow2';
  if (head.length >= 4 && head.readUInt32LE(0) === VMDK_MAGIC) return 'vmdk-sparse';
  if (ascii(head, 0, 8) === 'vhdxfile') return 'vhdx';
  if (head.length >= 0x44 && head.readUInt32LE(0x40) === VDI_MAGIC) return 'vdi';
  if (ascii(head, 0, 8) === 'conectix') return 'vhd';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (ascii(head, 257, 5) === 'ustar') return 'tar';
  if (ascii(head, 0x8001, 5) === 'CD001') return 'iso';
  if (isTextDescriptor(head)) return 'vmdk-text';
  if (tail && ascii(tail, 0, 8) === 'conectix') return 'vhd-fixed';
  return 'raw';
}

function ascii(b: Buffer, off: number, len: number): string {
  return b.length >= off + len ? b.toString('latin1', off, off + len) : '';
}
