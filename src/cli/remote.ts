import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { VesselError } from '../model/index.js';
import { CimClient, RemoteHost } from '../wbem/index.js';
import { writeAtomic } from './files.js';

/**
 * Remote hosts: `vessel --host URL|PROFILE vm ...` manages the systems of any DSP1042/DSP1057 implementation through
 * CIM-XML alone. Profiles (name -> URL, user, CA file) live in `$XDG_CONFIG_HOME/vessel/hosts.json`; passwords are
 * never stored: they come from the URL, `$VESSEL_CIM_PASSWORD`, or are asked for by the caller.
 */
export interface HostProfile {
  url: string;
  user?: string | undefined;
  ca?: string | undefined;
  insecure?: boolean | undefined;
}

/** Error codes of remote-host handling. */
export class RemoteError extends VesselError<'USAGE' | 'HOST_UNREACHABLE' | 'NOT_SUPPORTED'> {}

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

/** The remote host the command names (`--host` anywhere on the line, or `$VESSEL_HOST`), or undefined for local. */
export function remoteTarget(command: Command): string | undefined {
  const opts = command.optsWithGlobals<{ host?: string }>();
  return opts.host ?? process.env.VESSEL_HOST;
}

/** Connects to a remote host by URL or profile name, discovering it through root/interop (DSP1033). */
export async function connectRemote(target: string, command: Command): Promise<RemoteHost> {
  const g = command.optsWithGlobals<{ hostCa?: string; hostInsecure?: boolean }>();
  let profile: HostProfile | undefined;
  if (!/^https?:\/\//.test(target)) {
    profile = (await loadProfiles())[target];
    if (!profile) {
      throw new RemoteError('USAGE', `"${target}" is neither an http(s) URL nor a saved host profile`, {
        hint: 'Save one with: vessel remote add NAME https://host:5989 --user admin',
      });
    }
  }
  const url = new URL(profile?.url ?? target);
  const user = decodeURIComponent(url.username) || profile?.user || process.env.VESSEL_CIM_USER;
  const password = decodeURIComponent(url.password) || process.env.VESSEL_CIM_PASSWORD;
  url.username = '';
  url.password = '';
  const caFile = g.hostCa ?? profile?.ca;
  const client = new CimClient(url, {
    user,
    password,
    ca: caFile ? readFileSync(caFile) : undefined,
    insecure: g.hostInsecure ?? profile?.insecure,
  });
  try {
    return await RemoteHost.connect(client);
  } catch (e) {
    if (e instanceof VesselError) throw e;
    throw new RemoteError(
      'HOST_UNREACHABLE',
      `Cannot reach the CIM server at ${url.href}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
