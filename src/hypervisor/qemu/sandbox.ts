import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';
import { HypervisorError } from '../errors.js';

const run = promisify(execFile);

/**
 * QEMU's seccomp filter (`-sandbox`, QEMU docs "-sandbox"): on, and deny obsolete system calls, set*uid/gid,
 * fork/exec, and changes of scheduling and affinity. QEMU runs as the user the host starts it as (never `-runas`,
 * which needs the set*uid calls this denies), and nothing Vessel uses needs the denied calls; a bridge helper or
 * an `smb=` share would (both spawn), and QEMU is killed if anything tries.
 */
export const SANDBOX = 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny';

/** The system user a root host runs QEMU as, unless `VESSEL_QEMU_USER` names another. */
export const DEFAULT_QEMU_USER = 'vessel-qemu';

/**
 * Who QEMU runs as: the host's own user when the host is not root (there is nothing to drop); else a dedicated
 * unprivileged system user (`uid`/`gid` given to spawn, supplementary groups dropped), or `missing` when that
 * user does not exist, in which case no VM starts.
 */
export type QemuUser =
  | { kind: 'self'; uid: number; description: string }
  | { kind: 'dedicated'; name: string; uid: number; gid: number; description: string }
  | { kind: 'missing'; name: string; description: string };

/** What a host running as root must do before it starts a VM. */
const CREATE_USER_HINT = (name: string) =>
  `Create it with scripts/setup.sh, or: useradd --system --no-create-home --shell /usr/sbin/nologin ${name}`;

/** Looks a user or group up through NSS (`getent`), so LDAP and the like count too; undefined when unknown. */
async function getent(db: 'passwd' | 'group', name: string): Promise<string[] | undefined> {
  try {
    const { stdout } = await run('getent', [db, name], { timeout: 10_000 });
    return stdout.trim().split('\n')[0]?.split(':');
  } catch {
    return undefined; // getent exits 2 for an unknown key
  }
}

/**
 * Resolves who QEMU runs as (see {@link QemuUser}). With `kvm` the dedicated user's group is `kvm` when that group
 * exists, since spawn keeps only one group and /dev/kvm is `root:kvm 0660` on Debian.
 *
 * @example
 * await resolveQemuUser('vessel-qemu', false); // as root: { kind: 'dedicated', name: 'vessel-qemu', uid: 999, gid: 995, ... }
 */
export async function resolveQemuUser(name: string, kvm: boolean): Promise<QemuUser> {
  const hostUid = process.getuid?.() ?? 0;
  if (hostUid !== 0) {
    return { kind: 'self', uid: hostUid, description: `the host's own user (uid ${hostUid})` };
  }
  if (!/^[a-z_][a-z0-9_-]{0,31}$/i.test(name)) {
    throw new HypervisorError('DRIVER_URI', `"${name}" is not a user name (VESSEL_QEMU_USER)`);
  }
  const pw = await getent('passwd', name);
  const uid = Number(pw?.[2]);
  const gid = Number(pw?.[3]);
  if (pw === undefined || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    return { kind: 'missing', name, description: `user "${name}" (missing)` };
  }
  if (uid === 0 || gid === 0) {
    throw new HypervisorError(
      'DRIVER_URI',
      `QEMU must not run as root, and "${name}" is uid ${uid} gid ${gid}`,
    );
  }
  const kvmGid = kvm ? Number((await getent('group', 'kvm'))?.[2]) : Number.NaN;
  const group = Number.isInteger(kvmGid) ? kvmGid : gid;
  return {
    kind: 'dedicated',
    name,
    uid,
    gid: group,
    description: `user "${name}" (uid ${uid}, gid ${group})`,
  };
}

/**
 * The `uid`/`gid` spawn options for QEMU; `QEMU_START` for a root host whose QEMU user is missing (Vessel never
 * runs QEMU as root).
 */
export function spawnIdentity(user: QemuUser): { uid?: number; gid?: number } {
  if (user.kind === 'self') return {};
  if (user.kind === 'missing') {
    throw new HypervisorError(
      'QEMU_START',
      `Cannot start QEMU: the host runs as root and QEMU's user "${user.name}" does not exist`,
      { hint: CREATE_USER_HINT(user.name) },
    );
  }
  return { uid: user.uid, gid: user.gid };
}

/** Why `user` cannot open /dev/kvm read-write, or undefined when it can (by owner, group or other bits). */
export function kvmAccessProblem(user: QemuUser, devKvm = '/dev/kvm'): string | undefined {
  if (user.kind !== 'dedicated') return undefined;
  try {
    const st = statSync(devKvm);
    const ok =
      (st.uid === user.uid && (st.mode & 0o600) === 0o600) ||
      (st.gid === user.gid && (st.mode & 0o060) === 0o060) ||
      (st.mode & 0o006) === 0o006;
    return ok ? undefined : `${devKvm} is not read/writable by QEMU's ${user.description}`;
  } catch {
    return `${devKvm} is missing`;
  }
}
