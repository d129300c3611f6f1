import { join } from 'node:path';
import type { Command } from 'commander';
import { type Api, ApiError, ROLES, type Role, type UsersApi } from '../../api/index.js';
import { storeUsers, USERS_FILE, UserStore } from '../../host/index.js';
import { VesselError } from '../../model/index.js';
import { markCommand } from '../connect/kinds.js';
import { connectionOf } from '../connect/target.js';
import { connectApi } from '../connect.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';

/** Reads `count` lines from stdin (at most 4 KiB), without their line ends; each must be a non-empty password. */
async function readPasswords(count: number, example: string): Promise<string[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    size += (c as Buffer).length;
    const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
    if (lines.length > count || size > 4096) break;
  }
  const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/).slice(0, count);
  if (lines.length < count || lines.some((l) => l === ''))
    throw new VesselError(
      'USAGE',
      `${count === 1 ? 'No password' : `Not ${count} passwords (one a line)`} on stdin; pipe it in, e.g. ${example}`,
    );
  return lines;
}

/** Reads the password from stdin: the first line, without its line end. */
async function readPassword(): Promise<string> {
  const [pw] = await readPasswords(1, 'echo "$PW" | vessel user add alice --role admin');
  return pw ?? '';
}

const TOKENS_NEED_HOST = 'Tokens are made, listed and revoked by a running host: start `vessel host serve`';

/** Without a running host there are no tokens to manage (a token is only of use to a serving host). */
const noTokens: Pick<UsersApi, 'createToken' | 'tokens' | 'revokeToken'> = {
  createToken: async () => {
    throw new ApiError('HOST_NOT_RUNNING', TOKENS_NEED_HOST);
  },
  tokens: async () => {
    throw new ApiError('HOST_NOT_RUNNING', TOKENS_NEED_HOST);
  },
  revokeToken: async () => {
    throw new ApiError('HOST_NOT_RUNNING', TOKENS_NEED_HOST);
  },
};

/**
 * The users file of a state directory no host runs on, behind the Api's `users` namespace with the host's own
 * refusals (ALREADY_EXISTS, NOT_FOUND), so that `vessel user` behaves the same with or without a host.
 */
function fileUsers(store: UserStore): UsersApi {
  return {
    ...storeUsers(store),
    changePassword: async () => {
      throw new ApiError('HOST_NOT_RUNNING', 'A user changes its own password through a running host', {
        hint: 'An admin sets it: echo "$PW" | vessel user password NAME',
      });
    },
    ...noTokens,
  };
}

/**
 * Runs `fn` on the users of the host the command names: the connected host's `api.users` (running locally or
 * reached remotely), or, only when no host runs on the named local state directory, its users file directly
 * (that is how the first admin is added before the first `vessel host serve`). `where` names what was edited.
 */
async function withUsers<T>(
  command: Command,
  fn: (users: UsersApi, where: string) => Promise<T>,
): Promise<T> {
  const { target, text } = await connectionOf(command);
  let api: Api;
  try {
    api = await connectApi(command);
  } catch (e) {
    if (target.transport !== 'socket' || !(e instanceof ApiError && e.code === 'HOST_NOT_RUNNING')) throw e;
    const file = join(target.stateDir, USERS_FILE);
    return fn(fileUsers(new UserStore(file)), file);
  }
  try {
    return await fn(api.users, target.transport === 'socket' ? `the host of ${target.stateDir}` : text);
  } finally {
    await api.close();
  }
}

/** Adds a user, or changes the role and password of one of that name (its tokens keep working). */
async function putUser(users: UsersApi, name: string, role: Role, password: string): Promise<void> {
  try {
    await users.add(name, role, password);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'ALREADY_EXISTS')) throw e;
    await users.setRole(name, role);
    await users.setPassword(name, password);
  }
}

function roleOf(text: string, what: string): Role {
  if (!ROLES.includes(text as Role))
    throw new VesselError('USAGE', `${what} "${text}" is not one of ${ROLES.join(', ')}`);
  return text as Role;
}

registerGroup((program: Command) => {
  const user = markCommand(program.command('user'), 'state-dir').description(
    'Users of the CIM-XML, WS-Man and REST endpoints of the host (Basic authentication, roles): through the running host, or in the users file of --state when no host runs there (the first admin)',
  );

  user
    .command('add <name>')
    .description('add a user or change its role and password; the password is read from stdin')
    .requiredOption(
      '--role <role>',
      `admin (may do anything), operator (may change states) or reader (may read): ${ROLES.join('|')}`,
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(async (name: string, opts: { role: string; json?: boolean }, command: Command) => {
        const role = roleOf(opts.role, '--role');
        const password = await readPassword();
        const where = await withUsers(command, async (users, where) => {
          await putUser(users, name, role, password);
          return where;
        });
        if (opts.json) printJson({ user: name, role: opts.role, savedIn: where });
        else println(`user ${name} (${opts.role}) saved in ${where}`);
        return 0;
      }),
    );

  user
    .command('remove <name>')
    .description('remove a user')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (name: string, opts: { json?: boolean }, command: Command) => {
        await withUsers(command, (users) => users.remove(name));
        if (opts.json) printJson({ removed: name });
        else println(`user ${name} removed`);
        return 0;
      }),
    );

  user
    .command('role <name> <role>')
    .description(`change a user's role (${ROLES.join('|')}); the last admin stays an admin`)
    .option('--json', 'print the result as JSON')
    .action(
      action(async (name: string, roleText: string, opts: { json?: boolean }, command: Command) => {
        const role = roleOf(roleText, 'Role');
        await withUsers(command, (users) => users.setRole(name, role));
        if (opts.json) printJson({ user: name, role });
        else println(`user ${name} is now ${role}`);
        return 0;
      }),
    );

  user
    .command('password [name]')
    .description(
      "set a user's password (an admin; the new password on stdin), or without a name change your own over --connect (the old and the new password on two lines of stdin)",
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(async (name: string | undefined, opts: { json?: boolean }, command: Command) => {
        if (name === undefined) {
          const [old, pw] = await readPasswords(
            2,
            'printf "%s\\n%s\\n" "$OLD" "$NEW" | vessel user password',
          );
          await withUsers(command, (users) => users.changePassword(old ?? '', pw ?? ''));
        } else {
          const password = await readPassword();
          await withUsers(command, (users) => users.setPassword(name, password));
        }
        if (opts.json) printJson({ passwordChanged: name ?? 'self' });
        else println(name === undefined ? 'your password is changed' : `password of ${name} set`);
        return 0;
      }),
    );

  user
    .command('list')
    .description('list the users and their roles')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        const list = await withUsers(command, (users) => users.list());
        if (opts.json) printJson(list);
        else for (const u of list) println(`${u.name}\t${u.role}`);
        return 0;
      }),
    );
});
