import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HypervisorError } from '../errors.js';
import type { DriveImage } from './storage-argv.js';

const run = promisify(execFile);

/** The format of an image as qemu-img sees it (`raw`, `qcow2`, `vmdk`, ...); `-U` so images in use can be read. */
export async function imageFormat(path: string): Promise<string> {
  try {
    const { stdout } = await run('qemu-img', ['info', '-U', '--output=json', path], { timeout: 30_000 });
    const info = JSON.parse(stdout) as { format?: string };
    if (typeof info.format !== 'string') throw new Error('no format in qemu-img info');
    return info.format;
  } catch (e) {
    throw new HypervisorError('FILE_NOT_FOUND', `Cannot read the image ${path}: ${firstLine(e)}`, {
      cause: e,
    });
  }
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
 * A qcow2 overlay on a read-only base image, created when missing: the system writes only to the overlay, so one
 * imported appliance image serves many systems.
 *
 * @example
 * await ensureOverlay('/var/lib/vessel/vms/UUID', '4', '/images/appliance.vmdk');
 */
export async function ensureOverlay(vmDir: string, instanceId: string, base: string): Promise<DriveImage> {
  const file = overlayPath(vmDir, instanceId, base);
  if (!existsSync(file)) {
    const format = await imageFormat(base);
    try {
      await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', format, '-b', base, `${file}.tmp`], {
        timeout: 60_000,
      });
      renameSync(`${file}.tmp`, file);
    } catch (e) {
      throw new HypervisorError('QEMU_START', `Cannot create the overlay for ${base}: ${firstLine(e)}`, {
        cause: e,
      });
    }
  }
  return { file, format: 'qcow2' };
}
