import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The longest run directory Vessel uses in place: unix socket paths are limited to 107 bytes (sun_path), and
 * the longest name under it is `<uuid>/console.sock` (49 bytes).
 */
export const MAX_RUN_DIR = 56;

/**
 * The directory for a state directory's unix sockets and pid files: `STATE/run` when that is short enough for
 * socket paths, else a short directory under /tmp named by a hash of the state directory's real path, with
 * `STATE/run` a symlink to it. Both the host and its clients compute the same answer.
 *
 * @example
 * runDirFor('/var/lib/vessel'); // '/var/lib/vessel/run'
 */
export function runDirFor(stateDir: string): string {
  const state = resolve(stateDir);
  const inPlace = join(state, 'run');
  if (Buffer.byteLength(inPlace) <= MAX_RUN_DIR) return inPlace;
  let real = state;
  try {
    real = realpathSync(state);
  } catch {
    // not created yet: hash the absolute path
  }
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 16);
  const base = Buffer.byteLength(tmpdir()) <= 20 ? tmpdir() : '/tmp';
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(base, `vessel-${uid}`, hash);
}

/** Creates the run directory (mode 0700) and, when it lies outside the state directory, the `STATE/run` link. */
export function ensureRunDir(stateDir: string): string {
  const dir = runDirFor(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const link = join(resolve(stateDir), 'run');
  if (dir !== link) {
    let current: string | undefined;
    try {
      current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : undefined;
    } catch {
      current = undefined;
    }
    if (current !== dir) {
      rmSync(link, { recursive: true, force: true });
      symlinkSync(dir, link);
    }
  }
  return dir;
}
