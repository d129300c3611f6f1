import { execFile } from 'node:child_process';
import { chmod, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { USERS_FILE, UserStore } from '../host/index.js';
import { ImageError } from './errors.js';
import { formatSettings, SETTINGS_FILE, STATE_LABEL, type StateSettings } from './settings.js';
import { requireTools, STATE_DISK_TOOLS } from './tools.js';

const run = promisify(execFile);

/** What a state disk is made of. */
export interface StateDiskOptions {
  /** The raw disk image to create; it must not exist. */
  out: string;
  sizeBytes: bigint;
  adminUser: string;
  adminPassword: string;
  settings: StateSettings;
}

/** The smallest state disk: the database, certificate and a few small VM disks. */
export const MIN_STATE_BYTES = 64n << 20n;

/**
 * Creates the state disk of a Vessel host image: a raw image holding one ext4 filesystem labelled `vessel-state`
 * (no partition table, so growing it is `truncate` + `resize2fs`), made with `mkfs.ext4 -d` from a staged folder
 * (no loop mount, no root needed): the users file with the admin user (scrypt hash, src/host/users.ts) and
 * image.env. The host makes its database, certificate and pools there on first start; wiping the disk is a
 * factory reset.
 *
 * @example
 * await makeStateDisk({ out: '/tmp/img/state.img', sizeBytes: 8n << 30n, adminUser: 'admin',
 *   adminPassword: 'secret', settings: DEFAULT_STATE_SETTINGS });
 */
export async function makeStateDisk(o: StateDiskOptions): Promise<void> {
  const settingsText = formatSettings(o.settings);
  if (o.sizeBytes < MIN_STATE_BYTES)
    throw new ImageError('IMAGE_USAGE', `A state disk needs at least 64 MiB, not ${o.sizeBytes} bytes`);
  if (o.adminPassword === '') throw new ImageError('IMAGE_USAGE', 'The admin password is empty');
  await requireTools(STATE_DISK_TOOLS);
  const stage = await mkdtemp(join(tmpdir(), 'vessel-state-'));
  try {
    await new UserStore(join(stage, USERS_FILE)).add(o.adminUser, 'admin', o.adminPassword);
    await writeFile(join(stage, SETTINGS_FILE), settingsText, { mode: 0o644 });
    await chmod(stage, 0o700);
    await createSparse(o.out, o.sizeBytes);
    try {
      const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
      await run('mkfs.ext4', ['-q', '-L', STATE_LABEL, '-E', 'root_owner=0:0', '-d', stage, o.out], { env });
      // mkfs.ext4 -d keeps the root folder's mode 0755; the state directory is root's alone.
      await run('debugfs', ['-w', '-R', 'set_inode_field / mode 040700', o.out], { env });
    } catch (e) {
      await rm(o.out, { force: true });
      const stderr = (e as { stderr?: string }).stderr ?? String(e);
      throw new ImageError('IMAGE_BUILD', `Making the state disk failed: ${stderr.trim().slice(-500)}`, {
        cause: e,
      });
    }
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** Creates `file` (refusing one that exists) as a sparse file of `bytes`. */
async function createSparse(file: string, bytes: bigint): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageError(
      'IMAGE_OUTPUT',
      code === 'EEXIST' ? `${file} exists already; remove it first` : `Cannot create ${file}: ${code}`,
      { cause: e },
    );
  }
  try {
    await fh.truncate(Number(bytes));
  } finally {
    await fh.close();
  }
}
