import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { Host, serveHostApi, USERS_FILE, UserStore } from '../../host/index.js';

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
    const again = await runCli(['user', 'remove', 'bob', '--state', state]);
    expect([again.code, again.stderr]).toEqual([1, 'vessel: No user "bob"\n']);
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

  it('works through the running host when one serves the state directory: add, replace, list, remove', async () => {
    const served = await mkdtemp(join(tmpdir(), 'vessel-user-host-'));
    const host = await Host.open({ stateDir: served, driverUri: 'test:///default' });
    const server = await serveHostApi(host);
    try {
      const s = ['--state', served];
      const add = await runCli(['user', 'add', 'dora', '--role', 'reader', ...s], { input: 'pw1\n' });
      expect([add.code, add.stdout, add.stderr]).toEqual([
        0,
        `user dora (reader) saved in the host of ${served}\n`,
        '',
      ]);
      const replace = await runCli(['user', 'add', 'dora', '--role', 'admin', ...s], { input: 'pw2\n' });
      expect(replace.code, replace.stderr).toBe(0);
      expect(await host.users.authenticate('dora', 'pw2')).toEqual({ name: 'dora', role: 'admin' });
      expect(await host.users.authenticate('dora', 'pw1')).toBeUndefined();
      const list = await runCli(['user', 'list', '--json', ...s]);
      expect(JSON.parse(list.stdout)).toEqual([{ name: 'dora', role: 'admin' }]);
      // The last admin stays: neither removed nor demoted, until another admin exists.
      const last = await runCli(['user', 'remove', 'dora', ...s]);
      expect([last.code, last.stderr]).toEqual([
        1,
        expect.stringContaining('Cannot remove "dora": it is the last admin'),
      ]);
      expect((await runCli(['user', 'role', 'dora', 'reader', ...s])).code).toBe(1);
      expect((await runCli(['user', 'add', 'ed', '--role', 'admin', ...s], { input: 'pw3\n' })).code).toBe(0);
      expect((await runCli(['user', 'remove', 'dora', ...s])).code).toBe(0);
      const gone = await runCli(['user', 'remove', 'dora', ...s]);
      expect([gone.code, gone.stderr]).toEqual([1, 'vessel: No user "dora"\n']);
      const reset = await runCli(['user', 'password', 'ed', ...s], { input: 'pw4\n' });
      expect([reset.code, reset.stdout]).toEqual([0, 'password of ed set\n']);
      expect(await host.users.authenticate('ed', 'pw4')).toEqual({ name: 'ed', role: 'admin' });
      expect((await host.users.load()).map((u) => u.name)).toEqual(['ed']);
    } finally {
      await server.close();
      await host.close();
      await rm(served, { recursive: true, force: true });
    }
  }, 120_000);
});
