import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DISK_MODE_PROPERTY,
  diskModeOf,
  imagePath,
  readDevices,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { HostError } from '../errors.js';
import { type Store, type StoredVm, unreadDefinitionText } from '../store.js';

/** The real path of an image (its lexical one when it cannot be resolved). */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The disk images of a definition by real path, and whether the system writes them directly. */
function disksOf(def: VirtualSystemDefinition): { paths: Map<string, string>; direct: boolean } {
  const paths = new Map<string, string>();
  for (const d of readDevices(def).drives) {
    const path = imagePath(d.hostResource);
    if (d.kind === 'disk' && path !== undefined) paths.set(real(path), d.instanceId);
  }
  return { paths, direct: diskModeOf(def.system) === 'direct' };
}

/**
 * Whether a stored system writes its images directly. A row whose stored text never names the DiskMode property is
 * in the default mode, overlay: its definition is not parsed for that (defining the n-th system would parse the
 * n - 1 before it).
 */
function writesDirectly(vm: StoredVm): boolean {
  const text = unreadDefinitionText(vm);
  if (text !== undefined && !text.includes(`"${DISK_MODE_PROPERTY}"`)) return false;
  return diskModeOf(vm.definition.system) === 'direct';
}

/**
 * The stored systems {@link refuseSharedWriters} must look at for `def`: all of them for a direct writer; else only
 * those that may write directly themselves, the rows whose text names the DiskMode property (SQLite picks them, so
 * defining the n-th system does not read the n - 1 before it into objects).
 *
 * @example
 * refuseSharedWriters(def, othersToCheck(host.store, def));
 */
export function othersToCheck(store: Store, def: VirtualSystemDefinition): StoredVm[] {
  return diskModeOf(def.system) === 'direct'
    ? store.listVms()
    : store.listVmsMentioning(`"${DISK_MODE_PROPERTY}"`);
}

/**
 * Refuses two writers on one image (`IMAGE_IN_USE`): a system in direct disk mode may not use an image that
 * another system uses as a disk in any mode (its guest would change the base under the other's overlay, or two
 * guests would write one file), and no system may use, as a disk, an image that another system writes directly.
 * `vms` are the host's systems; the one being (re)defined (same UUID) is left out. Paths compare after resolving
 * symlinks; `action` names what was asked in the message (`define`, `start`).
 *
 * @example
 * refuseSharedWriters(def, host.store.listVms()); // throws IMAGE_IN_USE naming the other system
 */
export function refuseSharedWriters(
  def: VirtualSystemDefinition,
  vms: readonly StoredVm[],
  action = 'define',
): void {
  const mine = disksOf(def);
  if (mine.paths.size === 0) return;
  const uuid = String(def.system.VirtualSystemIdentifier ?? '').toLowerCase();
  const name = def.system.ElementName ?? '';
  for (const vm of vms) {
    if (vm.uuid.toLowerCase() === uuid) continue;
    // Only a direct writer on either side can conflict: the other's disks are resolved (a stat per path
    // component) only then, or defining the n-th system would resolve every disk of the n - 1 before it.
    if (!mine.direct && !writesDirectly(vm)) continue;
    const other = disksOf(vm.definition);
    for (const [path, id] of mine.paths) {
      if (!other.paths.has(path)) continue;
      const how = mine.direct
        ? `"${name}" would write to it directly and "${vm.name}" uses it too`
        : `"${vm.name}" writes to it directly`;
      throw new HostError(
        'IMAGE_IN_USE',
        `Cannot ${action} "${name}": the image of disk "${id}" is in use: ${how}: ${path}`,
        {
          hint: 'One system writes an image directly, and then no other uses it; copy the image (vessel pool) for the other system',
        },
      );
    }
  }
}
