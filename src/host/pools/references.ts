import { probe } from '../../disk/index.js';
import { HostError } from '../errors.js';

/**
 * Refuses an image that would make QEMU or qemu-img open other files: a qcow2 backing file or external data file,
 * a VMDK descriptor naming extents (the same test a deploy applies to a package's disks), or an image too damaged
 * to tell. `readPath` is what is read (an open descriptor's `/proc/self/fd/N`, so the file checked is the file
 * opened); `shownPath` and `where` go into the message.
 *
 * This is the one place the pool check asks src/disk about references: when src/disk exports its complete check
 * (every format that can hold a reference, issue 9), this function calls it instead.
 */
export async function refuseExternalReferences(
  readPath: string,
  shownPath: string,
  where: string,
): Promise<void> {
  const info = await probe(readPath);
  const bad = info.problems.find((p) => p.severity === 'error');
  if (bad) {
    throw new HostError(
      'IMAGE_REFERENCES',
      `${where} cannot be checked for references to other files: ${bad.message}: ${shownPath}`,
    );
  }
  const d = info.details;
  const ref =
    d.backingFile !== undefined
      ? `backing file "${String(d.backingFile)}"`
      : d.externalDataFile === true
        ? 'an external data file'
        : d.descriptor === true
          ? 'a VMDK descriptor naming extents'
          : undefined;
  if (ref !== undefined) {
    throw new HostError('IMAGE_REFERENCES', `${where} refers to other files (${ref}): ${shownPath}`, {
      hint: 'An image in a storage pool must be self-contained: flatten it with qemu-img convert -O qcow2 IN OUT',
    });
  }
}
