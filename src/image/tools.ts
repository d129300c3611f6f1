import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ImageError } from './errors.js';

/** A program a step needs and the Debian package that has it. */
export interface Tool {
  command: string;
  debianPackage: string;
}

/** What `vessel image build` runs (scripts/image/build.sh). */
export const BUILD_TOOLS: readonly Tool[] = [
  { command: 'mmdebstrap', debianPackage: 'mmdebstrap' },
  { command: 'mksquashfs', debianPackage: 'squashfs-tools' },
  // The initramfs is recompressed with xz (the smallest compression the kernel reads).
  { command: 'xz', debianPackage: 'xz-utils' },
  { command: 'mkfs.vfat', debianPackage: 'dosfstools' },
  { command: 'mcopy', debianPackage: 'mtools' },
  { command: 'syslinux', debianPackage: 'syslinux' },
  { command: 'sfdisk', debianPackage: 'fdisk' },
];

/** The MBR boot code build.sh writes, from Debian's syslinux-common. */
export const MBR_BIN: Tool = { command: '/usr/lib/syslinux/mbr/mbr.bin', debianPackage: 'syslinux-common' };

/** SYSLINUX's UEFI loader, which disk.sh puts at the removable-media path /EFI/BOOT/BOOTX64.EFI (syslinux-efi). */
export const EFI_LOADER: Tool = {
  command: '/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi',
  debianPackage: 'syslinux-efi',
};

/** The loader's core module, which disk.sh puts beside it (syslinux-common). */
export const EFI_LDLINUX: Tool = {
  command: '/usr/lib/syslinux/modules/efi64/ldlinux.e64',
  debianPackage: 'syslinux-common',
};

/** What `vessel image state-disk` runs. */
export const STATE_DISK_TOOLS: readonly Tool[] = [
  { command: 'mkfs.ext4', debianPackage: 'e2fsprogs' },
  { command: 'debugfs', debianPackage: 'e2fsprogs' },
];

async function found(command: string, path: string): Promise<boolean> {
  const dirs = command.includes('/') ? [''] : [...path.split(delimiter), '/usr/sbin', '/sbin'];
  for (const d of dirs) {
    try {
      await access(
        d === '' ? command : join(d, command),
        command.includes('/') ? constants.R_OK : constants.X_OK,
      );
      return true;
    } catch {}
  }
  return false;
}

/**
 * Throws `IMAGE_TOOLS` naming every missing program and the one `apt-get install` line that adds them.
 *
 * @example
 * await requireTools(BUILD_TOOLS); // throws: Missing mmdebstrap (mmdebstrap); install with: apt-get install ...
 */
export async function requireTools(tools: readonly Tool[], path = process.env.PATH ?? ''): Promise<void> {
  const missing: Tool[] = [];
  for (const t of tools) if (!(await found(t.command, path))) missing.push(t);
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => t.debianPackage))].join(' ');
  throw new ImageError(
    'IMAGE_TOOLS',
    `Missing ${missing.map((t) => `${t.command} (${t.debianPackage})`).join(', ')}`,
    { hint: `install with: apt-get install --no-install-recommends ${pkgs}` },
  );
}
