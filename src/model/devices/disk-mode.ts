import type { VssdProperties } from '../settings.js';

/**
 * How a system writes its disks: the VSSD `DiskMode` property (a Vessel extension; CIM's VSSD has none, and OVF
 * does not carry it: it is the host's choice, never a package's).
 * - `overlay` (the default): the system writes to a qcow2 overlay of its own over each disk image, which stays
 *   read-only and unchanged; undefining the system deletes the overlays (unless asked to keep them).
 * - `direct`: the system writes to the disk images themselves; the host allows it only for images in a storage
 *   pool, one system per image, and never deletes them.
 */
export type DiskMode = 'overlay' | 'direct';

/** The modes, default first. */
export const DISK_MODES: readonly DiskMode[] = ['overlay', 'direct'];

/** The VSSD property Vessel reads the disk mode from; a Vessel extension. */
export const DISK_MODE_PROPERTY = 'DiskMode';

/**
 * The disk mode of a VSSD: `overlay` when the property is absent or empty, else its value (any case); undefined
 * for a value that is neither mode (callers refuse it).
 *
 * @example
 * diskModeOf({ DiskMode: 'direct' }); // 'direct'
 * diskModeOf({}); // 'overlay'
 */
export function diskModeOf(system: VssdProperties): DiskMode | undefined {
  const value = system[DISK_MODE_PROPERTY];
  if (value === undefined) return 'overlay';
  if (Array.isArray(value)) return undefined;
  const text = value.trim().toLowerCase();
  if (text === '') return 'overlay';
  return DISK_MODES.find((m) => m === text);
}
