import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { HostError } from '../errors.js';
import { MAX_POOL_PATH, POOL_NAME } from './file.js';

/** True when `path` is `dir` or lies below it (both absolute and normalised; no symlinks resolved here). */
export function inside(path: string, dir: string): boolean {
  if (path === dir) return true;
  return path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** Pseudo file systems whose files are the kernel's, never images. */
const KERNEL_DIRS = ['/proc', '/sys'];

/** Refuses a malformed pool name, saying what a name may hold. */
export function checkPoolName(name: string): void {
  if (!POOL_NAME.test(name)) {
    throw new HostError(
      'POOL_INVALID',
      `"${name.slice(0, 80)}" is not a usable pool name: 1 to 64 letters, digits, . _ -, starting with a letter or digit`,
    );
  }
}

/** Where the host keeps its own files, which no pool may contain or lie in (except the default pool). */
export interface HostFolders {
  stateDir: string;
  runDir: string;
  /** The default pool's folder: the one place inside the state directory a pool may be. */
  imagesDir: string;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The real path of a folder that is to become a pool, or `POOL_INVALID` saying why it cannot be one: it must be
 * an absolute path to an existing folder, and not `/`, a kernel file system, or a folder that holds or lies in
 * the host's state directory (its database, keys and every system's own files) or run directory; the default
 * pool `STATE/images` is the one exception.
 */
export function resolvePoolFolder(path: string, host: HostFolders): string {
  const refuse = (why: string, hint?: string) =>
    new HostError('POOL_INVALID', `Cannot use ${path.slice(0, 200)} as a storage pool: ${why}`, {
      ...(hint ? { hint } : {}),
    });
  if (path.includes('\0') || path.length > MAX_POOL_PATH) throw refuse('it is not a usable path');
  if (!isAbsolute(path))
    throw refuse('the path is relative', 'Give an absolute path (the CLI resolves relative ones)');
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    throw refuse(`it cannot be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!statSync(real).isDirectory()) throw refuse('it is not a folder');
  if (real === '/') throw refuse('it is the root of the file system');
  for (const k of KERNEL_DIRS) if (inside(real, k)) throw refuse(`it lies in ${k}, a kernel file system`);
  const state = realOrSelf(host.stateDir);
  const images = realOrSelf(host.imagesDir);
  if (inside(state, real)) throw refuse(`it holds the host's state directory ${state}`);
  if (inside(real, state) && !inside(real, images)) {
    throw refuse(
      `it lies in the host's state directory ${state}`,
      `Images go in the default pool ${images}, or in a folder outside ${state}`,
    );
  }
  const run = realOrSelf(host.runDir);
  if (inside(run, real) || inside(real, run))
    throw refuse(`it holds or lies in the host's run directory ${run}`);
  return real;
}

/** The default pool's folder of a state directory. */
export function defaultPoolFolder(stateDir: string): string {
  return join(stateDir, 'images');
}
