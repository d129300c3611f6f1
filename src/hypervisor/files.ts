import { existsSync, statSync } from 'node:fs';
import { imagePath, readHardware, type VirtualSystemDefinition } from '../model/index.js';
import { HypervisorError } from './errors.js';

/**
 * Checks that every image a definition names exists on this host: disks must be regular files or block devices,
 * CD/DVD images regular files. Throws `FILE_NOT_FOUND` naming the drive and path.
 */
export function checkImagesExist(def: VirtualSystemDefinition): void {
  for (const d of readHardware(def.resources).drives) {
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
        `The image of drive "${d.instanceId}" is not a file: ${path}`,
      );
    }
  }
}
