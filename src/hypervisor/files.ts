import { existsSync, type Stats, statSync } from 'node:fs';
import { imagePath, readDevices, type VirtualSystemDefinition } from '../model/index.js';
import { HypervisorError } from './errors.js';

/** What a file that is neither a regular file nor a block device is, in words. */
function kindOf(st: Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a file';
}

/**
 * Checks that every image a definition names exists on this host and can be an image: a regular file or a block
 * device (by what the path finally points at). A FIFO, a socket, a character device or a folder is never one: a
 * driver that opened a FIFO would hang, and a character device such as /dev/zero or a terminal is not a disk.
 * Throws `FILE_NOT_FOUND` naming the drive and path, or a disk that asks for a new image (the host makes those). Which host paths an admin may name at all is the host's
 * policy (storage pools, src/host/pools), checked before a definition reaches the driver; this check is what
 * every driver applies on its own.
 */
export function checkImagesExist(def: VirtualSystemDefinition): void {
  for (const d of readDevices(def).drives) {
    // A new empty disk (DSP1047) is the host's to make before a driver sees it; a driver gets a path only.
    if (d.newDisk !== undefined && 'request' in d.newDisk)
      throw new HypervisorError(
        'FILE_NOT_FOUND',
        `Cannot define "${def.system.ElementName ?? ''}": disk "${d.instanceId}" asks for a new disk, which the host creates; this driver needs its image`,
      );
    const path = imagePath(d.hostResource);
    if (path === undefined) continue;
    if (!existsSync(path)) {
      throw new HypervisorError(
        'FILE_NOT_FOUND',
        `Cannot define "${def.system.ElementName ?? ''}": the image of drive "${d.instanceId}" does not exist: ${path}`,
      );
    }
    const st = statSync(path);
    if (!st.isFile() && !st.isBlockDevice()) {
      throw new HypervisorError(
        'FILE_NOT_FOUND',
        `The image of drive "${d.instanceId}" is ${kindOf(st)}, not an image file: ${path}`,
      );
    }
  }
}
