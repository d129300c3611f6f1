import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeReference, probe, qemuDriver } from '../../disk/index.js';
import type { DiskMode } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import type { DriveImage } from './storage-argv.js';

const run = promisify(execFile);

/**
 * An image's QEMU block driver and virtual size, read natively by src/disk's probe (never by `qemu-img info`,
 * which guesses formats and opens a VMDK descriptor's extents). An image that names another file (a backing
 * file, a qcow2 external data file, a VMDK extent or parent, a VHD/VHDX/VDI parent) is refused with
 * `DEFINITION_INVALID`: QEMU is given only the descriptors the host opened and must never need another file.
 */
export async function imageInfo(path: string): Promise<{ format: string; virtualSizeBytes: number }> {
  let info: Awaited<ReturnType<typeof probe>>;
  try {
    info = await probe(path);
  } catch (e) {
    throw new HypervisorError('FILE_NOT_FOUND', `Cannot read the image ${path}: ${firstLine(e)}`, {
      cause: e,
    });
  }
  const [ref] = info.references;
  if (ref !== undefined) {
    throw new HypervisorError(
      'DEFINITION_INVALID',
      `The image ${path} refers to another file: ${describeReference(ref)}`,
      { hint: 'Vessel runs images that stand alone; convert it with qemu-img convert first' },
    );
  }
  const bad = info.problems.find((p) => p.severity === 'error');
  const driver = qemuDriver(info.format);
  if (bad !== undefined || driver === undefined) {
    throw new HypervisorError(
      'DEFINITION_INVALID',
      `The image ${path} is not a usable disk image: ${bad?.message ?? `it is a ${info.format} file`}`,
    );
  }
  return { format: driver, virtualSizeBytes: info.virtualSize };
}

/** The QEMU block driver of an image (`raw`, `qcow2`, `vmdk`, `vpc`...); see {@link imageInfo}. */
export async function imageFormat(path: string): Promise<string> {
  return (await imageInfo(path)).format;
}

function firstLine(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  return (err.stderr || err.message || String(e)).trim().split('\n')[0] ?? '';
}

/** The overlay file of a disk: named by the drive and a hash of the base path, so a new base gets a new overlay. */
export function overlayPath(vmDir: string, instanceId: string, base: string): string {
  const h = createHash('sha256').update(base).digest('hex').slice(0, 8);
  return join(vmDir, `disk-${instanceId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${h}.qcow2`);
}

/**
 * A qcow2 overlay on a read-only base image, created when missing (0600): the system writes only to the overlay,
 * so one imported appliance image serves many systems. qemu-img creates it without opening the base (`-u`, with
 * the size given), and QEMU gets the base as a separate read-only node, never by the name in the overlay.
 *
 * @example
 * await ensureOverlay('/var/lib/vessel/vms/UUID', '4', '/images/appliance.vmdk');
 */
export async function ensureOverlay(vmDir: string, instanceId: string, base: string): Promise<DriveImage> {
  const file = overlayPath(vmDir, instanceId, base);
  const info = await imageInfo(base);
  if (!existsSync(file)) {
    const size = String(info.virtualSizeBytes);
    try {
      const args = ['create', '-q', '-f', 'qcow2', '-u', '-F', info.format, '-b', base, `${file}.tmp`, size];
      await run('qemu-img', args, { timeout: 60_000 });
      chmodSync(`${file}.tmp`, 0o600);
      renameSync(`${file}.tmp`, file);
    } catch (e) {
      throw new HypervisorError('QEMU_START', `Cannot create the overlay for ${base}: ${firstLine(e)}`, {
        cause: e,
      });
    }
  }
  return { file, format: 'qcow2', base: { file: base, format: info.format } };
}

/**
 * The image QEMU writes for a disk, by the system's disk mode (VSSD DiskMode): `overlay`, the system's own qcow2
 * over the read-only base ({@link ensureOverlay}); `direct`, the image itself, opened read-write (the host has
 * checked that it lies in a storage pool and that no other system uses it). Either way an image that names
 * another file is refused ({@link imageInfo}).
 *
 * @example
 * await diskImage('/var/lib/vessel/vms/UUID', '4', '/pool/web1.qcow2', 'direct'); // { file: '/pool/web1.qcow2', format: 'qcow2' }
 */
export async function diskImage(
  vmDir: string,
  instanceId: string,
  base: string,
  mode: DiskMode | undefined,
): Promise<DriveImage> {
  if (mode === undefined) {
    throw new HypervisorError('DEFINITION_INVALID', 'The DiskMode is neither overlay nor direct');
  }
  if (mode === 'overlay') return ensureOverlay(vmDir, instanceId, base);
  return { file: base, format: (await imageInfo(base)).format };
}
