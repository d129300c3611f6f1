import { chmodSync, lstatSync, mkdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { HostError } from './errors.js';

/**
 * The state directory is private to the user the host runs as: it holds the database, the users' password
 * hashes, the HTTPS key, every system's disks, NVRAM, consoles and OVF environment CDs (which may carry password
 * properties). It is made mode 0700, every file in it 0600: the host sets its process umask to 077 before it
 * creates anything, so that what SQLite, QEMU, qemu-img, genisoimage and openssl write is private too.
 */

/** The umask of the host process: no group or other bits on anything it creates. */
const HOST_UMASK = 0o077;

/** Files at the top of the state directory that Vessel writes and an older Vessel may have left readable. */
const OWN_FILES = [
  'vessel.db',
  'vessel.db-wal',
  'vessel.db-shm',
  'users.json',
  'cim-key.pem',
  'cim-cert.pem',
];

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const uid = () => (typeof process.getuid === 'function' ? process.getuid() : 0);

/**
 * Creates the state directory (mode 0700) or checks the one that exists: it must be a directory owned by this
 * user (`HOST_STATE_DIR` otherwise: another user could swap its files), and is tightened to 0700 with the files
 * Vessel keeps at its top when they are wider (a state directory from an older Vessel). Sets the process umask
 * to {@link HOST_UMASK} first. Returns what it tightened.
 *
 * @example
 * openStateDir('/var/lib/vessel'); // [] on a fresh or already private directory
 */
export function openStateDir(stateDir: string): string[] {
  process.umask(HOST_UMASK);
  let st = statOrUndefined(stateDir);
  if (st === undefined) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    st = statSync(stateDir);
  }
  if (!st.isDirectory())
    throw new HostError(
      'HOST_STATE_DIR',
      `Cannot use the state directory ${stateDir}: it is not a directory`,
    );
  if (st.uid !== uid()) {
    throw new HostError(
      'HOST_STATE_DIR',
      `Cannot use the state directory ${stateDir}: it is owned by uid ${st.uid}, not by this user (uid ${uid()})`,
      { hint: 'Run the host as the user that owns it, or give it a state directory of its own with --state' },
    );
  }
  const tightened: string[] = [];
  if ((st.mode & 0o077) !== 0) {
    chmodSync(stateDir, 0o700);
    tightened.push(stateDir);
  }
  for (const name of OWN_FILES) {
    const file = join(stateDir, name);
    let f: ReturnType<typeof lstatSync>;
    try {
      f = lstatSync(file);
    } catch {
      continue;
    }
    if (f.isSymbolicLink() || !f.isFile() || f.uid !== uid()) {
      throw new HostError(
        'HOST_STATE_DIR',
        `Cannot use the state directory ${stateDir}: ${name} is ${f.isFile() ? `owned by uid ${f.uid}` : 'not a regular file'}, not a file of this user`,
        { hint: 'Another user may have put it there; remove it if it is not yours' },
      );
    }
    if ((f.mode & 0o077) !== 0) {
      chmodSync(file, 0o600);
      tightened.push(file);
    }
  }
  return tightened;
}
