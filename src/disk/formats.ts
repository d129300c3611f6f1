import { DiskError } from './errors.js';

/** The formats `probe()` recognizes. `vmdk-stream` is a streamOptimized VMDK; `vmdk` any other VMDK. */
export type DiskFormat =
  | 'raw'
  | 'qcow2'
  | 'vmdk'
  | 'vmdk-stream'
  | 'vhd'
  | 'vhdx'
  | 'vdi'
  | 'iso'
  | 'gzip'
  | 'tar';

/** The formats `convert()` and `vessel disk convert --format` can write. */
export type TargetFormat = 'raw' | 'qcow2' | 'vmdk' | 'vmdk-stream' | 'vhd' | 'vhdx' | 'vdi';

/** Every target format, in the order the CLI lists them. */
export const TARGET_FORMATS: readonly TargetFormat[] = [
  'raw',
  'qcow2',
  'vmdk',
  'vmdk-stream',
  'vhd',
  'vhdx',
  'vdi',
];

/** Parses a target format name as given on the command line; throws `USAGE_DISK` for anything else. */
export function parseTargetFormat(name: string): TargetFormat {
  const f = TARGET_FORMATS.find((t) => t === name);
  if (!f)
    throw new DiskError('USAGE_DISK', `Unknown disk format "${name}"`, {
      hint: `use one of ${TARGET_FORMATS.join(', ')}`,
    });
  return f;
}

/** The `qemu-img` driver name of a format it can read, or undefined (gzip, tar). */
export function qemuDriver(format: DiskFormat): string | undefined {
  switch (format) {
    case 'raw':
    case 'iso':
      return 'raw';
    case 'vmdk':
    case 'vmdk-stream':
      return 'vmdk';
    case 'vhd':
      return 'vpc';
    case 'qcow2':
    case 'vhdx':
    case 'vdi':
      return format;
    default:
      return undefined;
  }
}
