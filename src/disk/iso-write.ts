import { execFile } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { promisify } from 'node:util';
import { DiskError } from './errors.js';

const run = promisify(execFile);

/** A file to put in the root of an ISO image: its name there and where it is read from. */
export interface IsoFile {
  name: string;
  path: string;
}

/** Options of {@link writeIsoImage}. */
export interface IsoOptions {
  /** The volume label (at most 32 characters). */
  volumeId?: string | undefined;
  /** The image's mode, e.g. 0o600 when the files carry secrets (default: the umask's). */
  mode?: number | undefined;
}

/** The longest name Joliet's long-name extension holds (genisoimage `-joliet-long`). */
export const ISO_NAME_MAX = 103;

/** Why a name cannot be a file in the root of the image, or undefined when it can. */
function badName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'it is empty or a dot name';
  if (/[/\\=]/.test(name)) return 'it has a "/", "\\" or "="';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it has a control character';
  if (name.length > ISO_NAME_MAX) return `it is longer than ${ISO_NAME_MAX} characters (Joliet's limit)`;
  return undefined;
}

/**
 * Writes an ISO 9660 image (Rock Ridge and Joliet, as the OVF environment transport and COT's inject-config
 * use, DSP0243 §11.2) holding `files` in its root under their names, with genisoimage (a real system tool).
 * Names are checked first: flat, no control characters, unique, at most {@link ISO_NAME_MAX} characters.
 * Throws `USAGE_DISK` for a bad name and `DISK_TOOL_FAILED` when genisoimage is missing or fails.
 *
 * @example
 * await writeIsoImage('config.iso', [{ name: 'iosxe_config.txt', path: 'day0.txt' }], { volumeId: 'CONFIG' });
 */
export async function writeIsoImage(
  isoPath: string,
  files: readonly IsoFile[],
  o: IsoOptions = {},
): Promise<void> {
  if (files.length === 0) throw new DiskError('USAGE_DISK', 'An ISO image needs at least one file');
  const seen = new Set<string>();
  for (const f of files) {
    const why = badName(f.name);
    if (why !== undefined)
      throw new DiskError('USAGE_DISK', `Cannot put ${JSON.stringify(f.name)} on an ISO image: ${why}`);
    if (seen.has(f.name.toLowerCase()))
      throw new DiskError('USAGE_DISK', `Two files for the ISO image are both named "${f.name}"`);
    seen.add(f.name.toLowerCase());
  }
  const label = o.volumeId === undefined ? [] : ['-V', o.volumeId.slice(0, 32)];
  const grafts = files.map((f) => `${f.name}=${f.path}`);
  try {
    await run(
      'genisoimage',
      ['-quiet', ...label, '-r', '-J', '-joliet-long', '-graft-points', '-o', isoPath, ...grafts],
      {
        timeout: 60_000,
      },
    );
    if (o.mode !== undefined) await chmod(isoPath, o.mode);
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message?: string };
    const missing = err.code === 'ENOENT';
    throw new DiskError(
      'DISK_TOOL_FAILED',
      missing ? 'genisoimage is not installed' : (err.stderr || err.message || String(e)).trim(),
      { cause: e, hint: missing ? 'apt-get install genisoimage' : undefined },
    );
  }
}
