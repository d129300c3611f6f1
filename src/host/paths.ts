import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkOwnSocket, clientRunDir, runDirFor } from '../hypervisor/index.js';

/**
 * The state directory: `--state DIR` when given, else `$VESSEL_STATE`, else `$XDG_DATA_HOME/vessel`, else
 * `~/.local/share/vessel`. Always absolute.
 */
export function resolveStateDir(option?: string): string {
  const dir =
    option ??
    process.env.VESSEL_STATE ??
    join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'vessel');
  return resolve(dir);
}

/** The host's API socket for a state directory (in its run directory, which stays short enough for sockets). */
export function hostSocketPath(stateDir: string): string {
  return join(runDirFor(stateDir), 'host.sock');
}

/**
 * The host's API socket as a client may use it: in a run directory checked to be private and owned by this user,
 * and itself a socket of this user (`RUN_DIR_UNSAFE` otherwise, so that a socket planted by another user is never
 * connected to). Undefined when no host socket exists.
 */
export function checkedHostSocket(stateDir: string): string | undefined {
  const dir = clientRunDir(stateDir);
  if (dir === undefined) return undefined;
  const path = join(dir, 'host.sock');
  return checkOwnSocket(path) ? path : undefined;
}

/** The SQLite database of a state directory. */
export function databasePath(stateDir: string): string {
  return join(stateDir, 'vessel.db');
}
