import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where a deploy writes before it registers anything: `STATE/deploy/JOB/UUID/` per system. When every disk is
 * converted and verified, each system's folder is renamed to `STATE/vms/UUID/` (where the QEMU driver keeps its
 * overlays and logs, so `vm undefine` removes the deployed disks too), and the systems are registered in one
 * store transaction. A marker file says a `vms/UUID` folder came from a deploy: on the next start the host
 * removes every staging folder, and every marked folder whose system the store does not know (a crash between
 * the rename and the transaction), unless the process that wrote it (its pid is in the folder) is still alive.
 */

/** The marker file written into each deployed system's folder. */
export const DEPLOY_MARKER = '.vessel-deploy';

const OWNER_FILE = 'owner.pid';

/** True when the pid in the first line of `file` is another process that is alive (a deploy still running). */
function ownedByLiveProcess(file: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return false;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The staging root of a state directory. */
function stagingRoot(stateDir: string): string {
  return join(stateDir, 'deploy');
}

/** A system's final folder. */
export function systemDir(stateDir: string, uuid: string): string {
  return join(stateDir, 'vms', uuid);
}

/** Creates the staging folder of one deploy job and of each of its systems. */
export async function createStaging(stateDir: string, job: string, uuids: string[]): Promise<string> {
  const dir = join(stagingRoot(stateDir), job);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`);
  for (const u of uuids) await mkdir(join(dir, u), { mode: 0o700 });
  return dir;
}

/** Moves each staged system folder to its final place (same file system: a rename), marked as deployed. */
export async function promoteStaging(stateDir: string, staging: string, uuids: string[], label: string) {
  await mkdir(join(stateDir, 'vms'), { recursive: true });
  for (const u of uuids) {
    await writeFile(join(staging, u, DEPLOY_MARKER), `${process.pid}\n${label}\n`);
    await rename(join(staging, u), systemDir(stateDir, u));
  }
}

/**
 * Removes what interrupted deploys left: every staging folder, and every deployed system folder the store does
 * not know. Returns the paths removed.
 */
export function cleanupDeploys(stateDir: string, known: (uuid: string) => boolean): string[] {
  const removed: string[] = [];
  const staging = stagingRoot(stateDir);
  if (existsSync(staging)) {
    for (const e of readdirSync(staging)) {
      if (ownedByLiveProcess(join(staging, e, OWNER_FILE))) continue;
      rmSync(join(staging, e), { recursive: true, force: true });
      removed.push(join(staging, e));
    }
  }
  const vms = join(stateDir, 'vms');
  if (existsSync(vms)) {
    for (const uuid of readdirSync(vms)) {
      const dir = join(vms, uuid);
      const marker = join(dir, DEPLOY_MARKER);
      if (existsSync(marker) && !known(uuid) && !ownedByLiveProcess(marker)) {
        rmSync(dir, { recursive: true, force: true });
        removed.push(dir);
      }
    }
  }
  return removed;
}
