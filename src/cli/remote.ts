import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HostProfile } from '../api/index.js';
import { VesselError } from '../model/index.js';
import { writeAtomic } from './files.js';

/**
 * Saved hosts: `vessel --connect PROFILE vm ...` (see src/api/uri.ts). Profiles (name -> URL, user, CA file) live
 * in `$XDG_CONFIG_HOME/vessel/hosts.json`; passwords are never stored: they come from the URL or
 * `$VESSEL_PASSWORD` (`$VESSEL_CIM_PASSWORD`).
 */

/** Errors of profile handling (usage: a bad URL or profile file, exit 2). */
export class RemoteError extends VesselError<'USAGE'> {}

/** Where profiles are kept. */
export function profilesFile(): string {
  const base = process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  return join(base, 'vessel', 'hosts.json');
}

/** The saved profiles. */
export async function loadProfiles(): Promise<Record<string, HostProfile>> {
  try {
    const data = JSON.parse(await readFile(profilesFile(), 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object');
    return data as Record<string, HostProfile>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new RemoteError(
      'USAGE',
      `Cannot read the host profiles in ${profilesFile()}: ${(e as Error).message}`,
    );
  }
}

/** Saves the profiles (atomically, readable by the owner only). */
export async function saveProfiles(profiles: Record<string, HostProfile>): Promise<void> {
  await mkdir(dirname(profilesFile()), { recursive: true, mode: 0o700 });
  await writeAtomic(profilesFile(), `${JSON.stringify(profiles, null, 2)}\n`);
}
