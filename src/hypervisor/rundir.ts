import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, type Stats, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { HypervisorError } from './errors.js';

/**
 * The run directory of a state directory: where the host's API socket, the QMP and console sockets and the pid
 * files live. Whoever can replace a file there can capture the host's requests (deploys carry OVF passwords), so
 * the directory is private: created by the host with mkdir (never recursively where another user could have
 * been first), mode 0700, and never used when it exists unless it is a real directory (not a symlink) owned by
 * this user with no group or other bits, on a path whose every directory only root or this user can change
 * (or that has the sticky bit, as /tmp). Clients check the same before they connect.
 */

/**
 * The longest run directory Vessel uses: unix socket paths are limited to 107 bytes (sun_path), and the longest
 * name under it is `<uuid>/console.sock` (49 bytes).
 */
export const MAX_RUN_DIR = 56;

/** The sticky bit (S_ISVTX): in such a directory only an entry's owner (or the directory's) may rename it. */
const STICKY = 0o1000;
const uid = () => (typeof process.getuid === 'function' ? process.getuid() : 0);
const bytes = (s: string) => Buffer.byteLength(s);

function unsafe(path: string, why: string, what = 'the run directory'): HypervisorError {
  return new HypervisorError('RUN_DIR_UNSAFE', `Cannot use ${what} ${path}: ${why}`, {
    hint: 'Another user may have made it to capture the host socket. Remove it, or give the state directory a shorter path (or set XDG_RUNTIME_DIR) so that the run directory lies inside private folders',
  });
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Throws unless `path` is a real directory (not a symlink) of this user with no group or other bits. */
export function assertPrivateDir(path: string, st = lstatOrUndefined(path)): void {
  if (st === undefined) throw unsafe(path, 'it does not exist');
  if (st.isSymbolicLink()) throw unsafe(path, 'it is a symbolic link');
  if (!st.isDirectory()) throw unsafe(path, 'it is not a directory');
  if (st.uid !== uid()) throw unsafe(path, `it is owned by uid ${st.uid}, not by this user (uid ${uid()})`);
  if ((st.mode & 0o077) !== 0)
    throw unsafe(path, `its mode is ${(st.mode & 0o7777).toString(8)}, not 700 (others can reach it)`);
}

/**
 * Throws unless no other user can rename or replace anything on the way to `dir`: every directory of its real
 * path belongs to root or this user, and one that group or others may write has the sticky bit (as /tmp).
 */
export function assertSecureAncestors(dir: string): void {
  let p = realpathSync(dir);
  for (;;) {
    const st = lstatSync(p);
    if (st.uid !== 0 && st.uid !== uid())
      throw unsafe(dir, `${p} on its path is owned by uid ${st.uid}, who could replace what lies below`);
    if ((st.mode & 0o022) !== 0 && (st.mode & STICKY) === 0)
      throw unsafe(dir, `${p} on its path is writable by others and has no sticky bit`);
    const up = dirname(p);
    if (up === p) return;
    p = up;
  }
}

/** Where a run directory lies: the existing directory below which it is made, and the folders made below it. */
interface RunDirPlan {
  base: string;
  parts: string[];
}

function isPrivateRuntimeDir(dir: string | undefined): dir is string {
  if (dir === undefined || !isAbsolute(dir)) return false;
  const st = lstatOrUndefined(dir);
  return st?.isDirectory() === true && st.uid === uid() && (st.mode & 0o077) === 0;
}

function planRunDir(stateDir: string): RunDirPlan {
  const state = resolve(stateDir);
  if (bytes(join(state, 'run')) <= MAX_RUN_DIR) return { base: state, parts: ['run'] };
  let real = state;
  try {
    real = realpathSync(state);
  } catch {
    // not created yet: hash the absolute path
  }
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 16);
  // XDG Base Directory: $XDG_RUNTIME_DIR is the user's own 0700 directory, the place meant for sockets.
  const xdg = process.env.XDG_RUNTIME_DIR;
  if (isPrivateRuntimeDir(xdg) && bytes(join(xdg, 'vessel', hash)) <= MAX_RUN_DIR)
    return { base: xdg, parts: ['vessel', hash] };
  const base = bytes(tmpdir()) <= 20 ? tmpdir() : '/tmp';
  return { base, parts: [`vessel-${uid()}`, hash] };
}

/**
 * The run directory of a state directory: `STATE/run` when that is short enough for socket paths, else
 * `$XDG_RUNTIME_DIR/vessel/<hash>` when that is private and short, else `$TMPDIR/vessel-UID/<hash>` (`/tmp`
 * when TMPDIR is long), `<hash>` naming the state directory's real path; `STATE/run` is then a symlink to it.
 * No I/O beyond reading the state directory's real path and XDG_RUNTIME_DIR's owner and mode.
 *
 * @example
 * runDirFor('/var/lib/vessel'); // '/var/lib/vessel/run'
 */
export function runDirFor(stateDir: string): string {
  const p = planRunDir(stateDir);
  return join(p.base, ...p.parts);
}

/**
 * Creates the run directory for the host (see {@link runDirFor}): each folder with mkdir, mode 0700, never
 * recursively; a folder that exists is used only when it is a private directory of this user, else
 * `RUN_DIR_UNSAFE` says which and why. When it lies outside the state directory, `STATE/run` becomes a link
 * to it, which clients follow. The state directory itself must exist and be private (the host sees to that).
 */
export function ensureRunDir(stateDir: string): string {
  const state = resolve(stateDir);
  const plan = planRunDir(state);
  const link = join(state, 'run');
  assertSecureAncestors(plan.base);
  let dir = plan.base;
  for (const part of plan.parts) {
    dir = join(dir, part);
    if (dir === link && lstatOrUndefined(link)?.isSymbolicLink()) {
      rmSync(link); // a link left by an earlier, longer path of this (private) state directory
    }
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    assertPrivateDir(dir);
  }
  if (dir !== link) {
    const st = lstatOrUndefined(link);
    const current = st?.isSymbolicLink() ? readlinkSync(link) : undefined;
    if (current !== dir) {
      if (st !== undefined) rmSync(link, { recursive: true, force: true });
      symlinkSync(dir, link);
    }
  }
  return dir;
}

/**
 * The run directory a client of the host of `stateDir` may use: `STATE/run`, or the directory it links to, once
 * checked to be private (as {@link ensureRunDir} leaves it), so that a socket planted by another user is never
 * connected to. Undefined when there is none (no host has run there); `RUN_DIR_UNSAFE` when it is not safe.
 */
export function clientRunDir(stateDir: string): string | undefined {
  const link = join(resolve(stateDir), 'run');
  const st = lstatOrUndefined(link);
  if (st === undefined) return undefined;
  let dir = link;
  if (st.isSymbolicLink()) {
    const target = readlinkSync(link);
    if (!isAbsolute(target)) throw unsafe(link, `it links to the relative path ${target}`);
    dir = target;
    const tst = lstatOrUndefined(dir);
    if (tst === undefined) return undefined;
    assertPrivateDir(dir, tst);
  } else {
    assertPrivateDir(dir, st);
  }
  assertSecureAncestors(dirname(dir));
  return dir;
}

/**
 * Throws `RUN_DIR_UNSAFE` unless `path` (in a checked run directory) is a unix socket owned by this user; false
 * when it does not exist.
 */
export function checkOwnSocket(path: string): boolean {
  const st = lstatOrUndefined(path);
  if (st === undefined) return false;
  if (!st.isSocket()) throw unsafe(path, 'it is not a unix socket', 'the host socket');
  if (st.uid !== uid())
    throw unsafe(path, `it is owned by uid ${st.uid}, not by this user (uid ${uid()})`, 'the host socket');
  return true;
}
