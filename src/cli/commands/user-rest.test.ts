import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';

// `vessel --connect rest+http://... user ...` against a served host: every user command through REST alone, with
// the host's refusals as exit codes (src/api/errors-cli.ts) and the role checks of the REST edge.

let served: ServedHost | undefined;
let port: number;
const url = (user: string) => `rest+http://${user}@127.0.0.1:${port}`;
const as = (user: string, password: string, args: string[], input?: string) =>
  runCli(['--connect', url(user), 'user', ...args], {
    env: { VESSEL_PASSWORD: password },
    ...(input === undefined ? {} : { input }),
  });

beforeAll(async () => {
  port = await freePort();
  served = await serveHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
    args: ['--cim-http', '0', '--cim-https', '0', '--http', String(port)],
    ready: 'REST:',
    prefix: 'vessel-urest-',
  });
}, 60_000);

afterAll(async () => {
  await served?.close();
});

describe('vessel --connect rest+http:// user', { timeout: 180_000 }, () => {
  it('lists, adds, changes the role and the password of, and removes users', async () => {
    const list = await as('admin', 'secret', ['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual(
      expect.arrayContaining([
        { name: 'admin', role: 'admin' },
        { name: 'rita', role: 'reader' },
      ]),
    );
    const add = await as('admin', 'secret', ['add', 'bob', '--role', 'operator'], 'b0b\n');
    expect([add.code, add.stdout]).toEqual([
      0,
      expect.stringContaining('user bob (operator) saved in rest+http://'),
    ]);
    // bob logs in over REST with his role: an operator may list systems but not users.
    expect(
      (await runCli(['--connect', url('bob'), 'vm', 'list'], { env: { VESSEL_PASSWORD: 'b0b' } })).code,
    ).toBe(0);
    const denied = await as('bob', 'b0b', ['list']);
    expect([denied.code, denied.stderr]).toEqual([1, expect.stringContaining('admin')]);

    const role = await as('admin', 'secret', ['role', 'bob', 'admin', '--json']);
    expect([role.code, JSON.parse(role.stdout)]).toEqual([0, { user: 'bob', role: 'admin' }]);
    expect((await as('bob', 'b0b', ['list'])).code).toBe(0);

    // `add` of an existing name changes its role and password (tokens stay).
    const replace = await as('admin', 'secret', ['add', 'bob', '--role', 'reader'], 'n3w\n');
    expect(replace.code, replace.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await as('bob', 'b0b', ['list'])).code).toBe(1);

    const reset = await as('admin', 'secret', ['password', 'bob'], 'r3set\n');
    expect([reset.code, reset.stdout]).toEqual([0, 'password of bob set\n']);
    // bob changes his own password with the old one (two lines on stdin); a wrong old one is refused.
    const wrong = await as('bob', 'r3set', ['password'], 'nope\nmine\n');
    expect([wrong.code, wrong.stderr]).toEqual([2, expect.stringContaining('old password of bob is wrong')]);
    const own = await as('bob', 'r3set', ['password'], 'r3set\nmine\n');
    expect([own.code, own.stdout]).toEqual([0, 'your password is changed\n']);
    expect(
      (await runCli(['--connect', url('bob'), 'vm', 'list'], { env: { VESSEL_PASSWORD: 'mine' } })).code,
    ).toBe(0);
    const one = await as('bob', 'mine', ['password'], 'mine\n');
    expect([one.code, one.stderr]).toEqual([2, expect.stringContaining('Not 2 passwords')]);

    const rm = await as('admin', 'secret', ['remove', 'bob', '--json']);
    expect([rm.code, JSON.parse(rm.stdout)]).toEqual([0, { removed: 'bob' }]);
    const again = await as('admin', 'secret', ['remove', 'bob']);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('No user "bob"')]);
  });

  it('refuses the last admin, a taken name, bad names and roles, and a reader', async () => {
    const last = await as('admin', 'secret', ['remove', 'admin']);
    expect([last.code, last.stderr]).toEqual([1, expect.stringContaining('last admin')]);
    const demote = await as('admin', 'secret', ['role', 'admin', 'reader']);
    expect([demote.code, demote.stderr]).toEqual([1, expect.stringContaining('last admin')]);
    for (const name of ['../admin', 'a\nb', 'x'.repeat(65)]) {
      const r = await as('admin', 'secret', ['add', name, '--role', 'reader'], 'pw\n');
      expect(r.code, `${JSON.stringify(name)}: ${r.stderr}`).toBe(2);
    }
    expect((await as('admin', 'secret', ['role', 'rita', 'root'])).code).toBe(2);
    const reader = await as('rita', 'r3ad', ['add', 'evil', '--role', 'admin'], 'pw\n');
    expect([reader.code, reader.stderr]).toEqual([1, expect.stringContaining('admin')]);
    const names = JSON.parse((await as('admin', 'secret', ['list', '--json'])).stdout).map(
      (u: { name: string }) => u.name,
    );
    expect(names).not.toContain('evil');
    expect(names).toContain('admin');
  });
});
