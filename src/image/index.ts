/**
 * The Vessel host image (issue 16): a bootable, read-only disk image (Debian kernel and live-boot initramfs, a
 * zstd squashfs root with QEMU, and a second squashfs layer with Node and Vessel), built by build.ts through
 * scripts/image/build.sh; and the state disk (state-disk.ts), the one writable place the booted image keeps its
 * state on, seeded with the admin user and the settings (settings.ts) its units read.
 */
export { type BuildOptions, type BuildResult, buildImage } from './build.js';
export { ImageError, type ImageErrorCode } from './errors.js';
export {
  DEFAULT_STATE_SETTINGS,
  formatSettings,
  parsePort,
  SETTINGS_FILE,
  STATE_LABEL,
  type StateSettings,
} from './settings.js';
export { MIN_STATE_BYTES, makeStateDisk, type StateDiskOptions } from './state-disk.js';
export { BUILD_TOOLS, requireTools, STATE_DISK_TOOLS, type Tool } from './tools.js';
