import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPassword } from '../host/index.js';
import { DEFAULT_STATE_SETTINGS } from './settings.js';
import { makeStateDisk } from './state-disk.js';

const run = promisify(execFile);
const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
const dir = await mkdtemp(join(tmpdir(), 'vessel-state-disk-test-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A file of the ext4 image, read with debugfs (e2fsprogs), which knows nothing of Vessel. */
async function readFromDisk(img: string, path: string): Promise<string> {
  const { stdout } = await run('debugfs', ['-R', `cat ${path}`, img], { env: { ...process.env, PATH } });
  return stdout;
}

describe('makeStateDisk()', () => {
  it('writes a labelled ext4 image with the admin user and the settings, its root private to root', async () => {
    const img = join(dir, 'state.img');
    await makeStateDisk({
      out: img,
      sizeBytes: 64n << 20n,
      adminUser: 'admin',
      adminPassword: 'correct horse',
      settings: { ...DEFAULT_STATE_SETTINGS, hostname: 'hv1', httpsPort: 8443 },
    });
    expect((await stat(img)).size).toBe(64 << 20);
    const { stdout: header } = await run('dumpe2fs', ['-h', img], { env: { ...process.env, PATH } });
    expect(header).toMatch(/Filesystem volume name:\s+vessel-state/);
    const users = JSON.parse(await readFromDisk(img, '/users.json')) as {
      users: { name: string; role: string; hash: string }[];
    };
    expect(users.users.map((u) => [u.name, u.role])).toEqual([['admin', 'admin']]);
    expect(await checkPassword('correct horse', users.users[0]!.hash)).toBe(true);
    expect(await checkPassword('wrong', users.users[0]!.hash)).toBe(false);
    expect(await readFromDisk(img, '/image.env')).toContain('VESSEL_HOSTNAME=hv1\n');
    expect(await readFromDisk(img, '/image.env')).toContain('VESSEL_HTTPS=8443\n');
    const { stdout: root } = await run('debugfs', ['-R', 'stat /', img], { env: { ...process.env, PATH } });
    expect(root).toMatch(/User:\s+0\s+Group:\s+0/);
    expect(root).toMatch(/Mode:\s+0?700/);
  });

  it('refuses to overwrite an existing file (IMAGE_OUTPUT) and leaves it as it was', async () => {
    const img = join(dir, 'taken.img');
    await writeFile(img, 'keep me');
    await expect(
      makeStateDisk({
        out: img,
        sizeBytes: 64n << 20n,
        adminUser: 'admin',
        adminPassword: 'pw',
        settings: DEFAULT_STATE_SETTINGS,
      }),
    ).rejects.toMatchObject({ code: 'IMAGE_OUTPUT' });
    expect((await stat(img)).size).toBe(7);
  });

  it('refuses a disk under 64 MiB (IMAGE_USAGE) before writing anything', async () => {
    const img = join(dir, 'small.img');
    await expect(
      makeStateDisk({
        out: img,
        sizeBytes: 1n << 20n,
        adminUser: 'admin',
        adminPassword: 'pw',
        settings: DEFAULT_STATE_SETTINGS,
      }),
    ).rejects.toMatchObject({ code: 'IMAGE_USAGE' });
    await expect(stat(img)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
