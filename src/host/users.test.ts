import { mkdtemp, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPassword, hashPassword, UserStore } from './users.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vessel-users-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('users file', () => {
  it('checks scrypt hashes in constant time and refuses malformed or absurd ones', async () => {
    const h = await hashPassword('pw');
    expect(await checkPassword('pw', h)).toBe(true);
    expect(await checkPassword('pW', h)).toBe(false);
    expect(await checkPassword('pw', 'plain')).toBe(false);
    expect(await checkPassword('pw', 'scrypt$1073741824$8$1$AAAA$AAAA')).toBe(false);
  });

  it('ignores entries with bad names or roles, and treats a missing file as no users', async () => {
    const file = join(dir, 'u.json');
    expect(await new UserStore(file).load()).toEqual([]);
    const h = await hashPassword('x');
    await writeFile(
      file,
      JSON.stringify({
        users: [
          { name: 'ok', role: 'reader', hash: h },
          { name: 'bad name', role: 'admin', hash: h },
          { name: 'root', role: 'god', hash: h },
        ],
      }),
    );
    const s = new UserStore(file);
    expect((await s.load()).map((u) => u.name)).toEqual(['ok']);
    expect(await s.authenticate('root', 'x')).toBeUndefined();
    expect(await s.authenticate('ok', 'x')).toEqual({ name: 'ok', role: 'reader' });
  });

  it('refuses bad names, roles and empty passwords', async () => {
    const s = new UserStore(join(dir, 'v.json'));
    await expect(s.add('a:b', 'admin', 'x')).rejects.toThrow(/not usable/);
    await expect(s.add('a', 'root' as 'admin', 'x')).rejects.toThrow(/not one of/);
    await expect(s.add('a', 'admin', '')).rejects.toThrow(/empty/);
  });

  it("sees another process's change even when the file's time did not move (a coarse clock): a removed user is refused", async () => {
    const file = join(dir, 'w.json');
    const h = await hashPassword('x');
    const users = (role: string) => JSON.stringify({ users: [{ name: 'op', role, hash: h }] });
    const second = 1_800_000_000; // a whole second, as a coarse clock gives both writes
    await writeFile(file, users('admin'));
    await utimes(file, second, second);
    const s = new UserStore(file);
    expect(await s.authenticate('op', 'x')).toEqual({ name: 'op', role: 'admin' });
    // Another process demotes op the way a durable write does (a new file renamed over the name), and the file
    // system's clock gives it the old file's times and the same size.
    const before = await stat(file);
    await writeFile(`${file}.new`, users('reader'));
    await utimes(`${file}.new`, second, second);
    await rename(`${file}.new`, file);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    await new Promise((r) => setTimeout(r, 1100)); // the store looks at the file at most once a second
    expect(await s.authenticate('op', 'x')).toEqual({ name: 'op', role: 'reader' });
  });
});
