import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { USERS_FILE, UserStore } from '../../host/index.js';

let state: string;
beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-user-'));
});
afterAll(async () => {
  await rm(state, { recursive: true, force: true });
});

describe('vessel user', () => {
  it('add reads the password from stdin and stores only an scrypt hash, in a file only the owner can read', async () => {
    const r = await runCli(['user', 'add', 'alice', '--role', 'operator', '--state', state], {
      input: 's3cret\n',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const file = join(state, USERS_FILE);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('"role": "operator"');
    expect(text).not.toContain('s3cret');
    expect(text).toMatch(/"hash": "scrypt\$16384\$8\$1\$/);
    expect((await stat(file)).mode & 0o077).toBe(0);
    expect(await new UserStore(file).authenticate('alice', 's3cret')).toEqual({
      name: 'alice',
      role: 'operator',
    });
    expect(await new UserStore(file).authenticate('alice', 'wrong')).toBeUndefined();
  });

  it('list shows users and roles; remove removes one', async () => {
    await runCli(['user', 'add', 'bob', '--role', 'reader', '--state', state], { input: 'pw' });
    const l = await runCli(['user', 'list', '--state', state, '--json']);
    expect(JSON.parse(l.stdout)).toEqual([
      { name: 'alice', role: 'operator' },
      { name: 'bob', role: 'reader' },
    ]);
    expect((await runCli(['user', 'remove', 'bob', '--state', state])).code).toBe(0);
    expect((await runCli(['user', 'remove', 'bob', '--state', state])).code).toBe(2);
  });

  it('refuses a role that does not exist, an empty password and a bad name with usage errors (exit 2)', async () => {
    const role = await runCli(['user', 'add', 'carol', '--role', 'root', '--state', state], {
      input: 'pw\n',
    });
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/--role "root" is not one of reader, operator, admin/);
    const empty = await runCli(['user', 'add', 'carol', '--role', 'admin', '--state', state], { input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/No password on stdin/);
    const name = await runCli(['user', 'add', 'a b', '--role', 'admin', '--state', state], { input: 'pw\n' });
    expect(name.code).toBe(2);
  });
});
