import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReference, probe } from '../../disk/index.js';
import { HostError } from '../errors.js';

/** How much of a block device is read for its header (image headers and VMDK descriptors sit at the start). */
const DEVICE_HEAD_BYTES = 1 << 20;

/**
 * What to probe for `path`: the path itself for a file; for a block device, a private copy of its first MiB. The
 * probe sizes what it reads by fstat, which is 0 for a device, so it would see no header at all; yet qemu-img
 * would detect a qcow2 header with a backing file that a guest wrote to the device, and follow it.
 */
async function probeable(path: string): Promise<{ path: string; done: () => Promise<void> }> {
  if (!(await stat(path)).isBlockDevice()) return { path, done: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'vessel-device-head-'));
  const done = () => rm(dir, { recursive: true, force: true });
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(DEVICE_HEAD_BYTES);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      await writeFile(join(dir, 'head'), buf.subarray(0, bytesRead), { mode: 0o600 });
    } finally {
      await fh.close();
    }
  } catch (e) {
    await done();
    throw e;
  }
  return { path: join(dir, 'head'), done };
}

/**
 * Refuses an image that would make QEMU or qemu-img open other files: whatever src/disk's probe finds in every
 * format that can name one (backing and data files, VMDK extents, parents and embedded descriptors, VHD/VHDX/VDI
 * parents), the same test a deploy applies to a package's disks, or an image too damaged to tell. `readPath` is
 * what is read (an open descriptor's `/proc/self/fd/N`, so the file checked is the file opened); `shownPath` and
 * `where` go into the message.
 */
export async function refuseExternalReferences(
  readPath: string,
  shownPath: string,
  where: string,
): Promise<void> {
  const target = await probeable(readPath);
  let info: Awaited<ReturnType<typeof probe>>;
  try {
    info = await probe(target.path);
  } finally {
    await target.done();
  }
  const [ref] = info.references;
  if (ref !== undefined) {
    throw new HostError(
      'IMAGE_REFERENCES',
      `${where} refers to other files (${describeReference(ref)}): ${shownPath}`,
      {
        hint: 'An image in a storage pool must be self-contained: flatten it with qemu-img convert -O qcow2 IN OUT',
      },
    );
  }
  const bad = info.problems.find((p) => p.severity === 'error');
  if (bad) {
    throw new HostError(
      'IMAGE_REFERENCES',
      `${where} cannot be checked for references to other files: ${bad.message}: ${shownPath}`,
    );
  }
}
