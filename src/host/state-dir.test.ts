import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Host } from './host.js';
import { openStateDir } from './state-dir.js';

const NOBODY = 65534;
const root = process.getuid?.() === 0;
const work = mkdtempSync(join(tmpdir(), 'vessel-statedir-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const mode = (p: string) => lstatSync(p).mode & 0o777;

const failure = async (fn: () => unknown) => {
  try {
    await fn();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no error';
};

describe('openStateDir()', () => {
  it('makes a missing state directory (and its missing parents) 0700 and sets the umask to 077', () => {
    process.umask(0o022);
    const dir = join(work, 'new', 'deeper', 'state');
    expect(openStateDir(dir)).toEqual([]);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(work, 'new'))).toBe(0o700);
    expect(process.umask(0o022)).toBe(0o077); // (setting returns the mask it replaces)
  });

  it('tightens a state directory and the files an older Vessel left readable', () => {
    const dir = join(work, 'old');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    for (const f of ['vessel.db', 'vessel.db-wal', 'users.json']) {
      writeFileSync(join(dir, f), '');
      chmodSync(join(dir, f), 0o644);
    }
    expect(openStateDir(dir)).toEqual([
      dir,
      join(dir, 'vessel.db'),
      join(dir, 'vessel.db-wal'),
      join(dir, 'users.json'),
    ]);
    expect([mode(dir), mode(join(dir, 'vessel.db')), mode(join(dir, 'users.json'))]).toEqual([
      0o700, 0o600, 0o600,
    ]);
  });

  it('refuses a file in place of the directory', async () => {
    const file = join(work, 'file');
    writeFileSync(file, '');
    expect(await failure(() => openStateDir(file))).toBe(
      `HOST_STATE_DIR: Cannot use the state directory ${file}: it is not a directory`,
    );
  });

  it('refuses a database that is a symbolic link', async () => {
    const dir = mkdtempSync(join(work, 'l-'));
    symlinkSync('/etc/passwd', join(dir, 'vessel.db'));
    expect(await failure(() => openStateDir(dir))).toBe(
      `HOST_STATE_DIR: Cannot use the state directory ${dir}: vessel.db is not a regular file, not a file of this user`,
    );
  });

  it.skipIf(!root)('refuses a state directory, or a database in it, owned by another user', async () => {
    const theirs = mkdtempSync(join(work, 't-'));
    chownSync(theirs, NOBODY, NOBODY);
    expect(await failure(() => openStateDir(theirs))).toBe(
      `HOST_STATE_DIR: Cannot use the state directory ${theirs}: it is owned by uid 65534, not by this user (uid 0)`,
    );
    expect(await failure(() => Host.open({ stateDir: theirs, driverUri: 'test:///default' }))).toMatch(
      /^HOST_STATE_DIR: .* owned by uid 65534/,
    );
    const planted = mkdtempSync(join(work, 'p-'));
    writeFileSync(join(planted, 'vessel.db'), '');
    chownSync(join(planted, 'vessel.db'), NOBODY, NOBODY);
    expect(await failure(() => openStateDir(planted))).toMatch(/vessel\.db is owned by uid 65534/);
  });
});
