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

/** Where the host keeps its own files, which no pool may lie in (except the default pool) and no image either. */
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
 * an absolute path to an existing folder, and not `/`, a kernel file system, or a folder in the host's state
 * directory (its database, keys and every system's own files) or run directory; the default pool `STATE/images`
 * is the one exception. A pool may hold the state directory (a pool `/home` and the state in
 * `~/.local/share/vessel`): the image check refuses what lies in it anyway (see {@link hostFile}).
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
  const { stateDir, imagesDir, runDir } = realFolders(host);
  if (inside(real, stateDir) && !inside(real, imagesDir)) {
    throw refuse(
      `it lies in the host's state directory ${stateDir}`,
      `Images go in the default pool ${imagesDir}, or in a folder outside ${stateDir}`,
    );
  }
  if (inside(real, runDir)) throw refuse(`it lies in the host's run directory ${runDir}`);
  return real;
}

/** The host's folders with symlinks resolved (as given when they do not exist). */
export function realFolders(host: HostFolders): HostFolders {
  return {
    stateDir: realOrSelf(host.stateDir),
    imagesDir: realOrSelf(host.imagesDir),
    runDir: realOrSelf(host.runDir),
  };
}

/**
 * Which of the host's own folders a real path lies in, when it may not be an image whatever pool holds it: the
 * state directory outside `STATE/images`, or the run directory. Undefined otherwise.
 */
export function hostFile(real: string, host: HostFolders): string | undefined {
  if (inside(real, host.stateDir) && !inside(real, host.imagesDir)) return "the host's state directory";
  if (inside(real, host.runDir)) return "the host's run directory";
  return undefined;
}

/** The default pool's folder of a state directory. */
export function defaultPoolFolder(stateDir: string): string {
  return join(stateDir, 'images');
}
