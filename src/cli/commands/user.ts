import { join } from 'node:path';
import type { Command } from 'commander';
import { type Api, ApiError, ROLES, type Role, type UsersApi } from '../../api/index.js';
import { USERS_FILE, UserStore } from '../../host/index.js';
import { VesselError } from '../../model/index.js';
import { markCommand } from '../connect/kinds.js';
import { connectionOf } from '../connect/target.js';
import { connectApi } from '../connect.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';

/** Reads the password from stdin: the first line, without its line end. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (Buffer.concat(chunks).includes(10) || Buffer.concat(chunks).length > 4096) break;
  }
  const pw = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (pw === '')
    throw new VesselError(
      'USAGE',
      'No password on stdin; pipe it in, e.g. echo "$PW" | vessel user add alice --role admin',
    );
  return pw;
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
    async list() {
      return (await store.load()).map((u) => ({ name: u.name, role: u.role }));
    },
    async add(name, role, password) {
      if (!(await store.add(name, role, password, { replace: false })))
        throw new ApiError('ALREADY_EXISTS', `A user named "${name}" exists already`);
    },
    async remove(name) {
      if (!(await store.remove(name))) throw new ApiError('NOT_FOUND', `No user "${name.slice(0, 64)}"`);
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

/** Adds a user, replacing one of that name (its role and password): remove, then add. */
async function putUser(users: UsersApi, name: string, role: Role, password: string): Promise<void> {
  try {
    await users.add(name, role, password);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'ALREADY_EXISTS')) throw e;
    await users.remove(name);
    await users.add(name, role, password);
  }
}

registerGroup((program: Command) => {
  const user = markCommand(program.command('user'), 'state-dir').description(
    'Users of the CIM-XML and WS-Man endpoints of the host (Basic authentication, roles): through the running host, or in the users file of --state when no host runs there (the first admin)',
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
        if (!ROLES.includes(opts.role as Role))
          throw new VesselError('USAGE', `--role "${opts.role}" is not one of ${ROLES.join(', ')}`);
        const password = await readPassword();
        const where = await withUsers(command, async (users, where) => {
          await putUser(users, name, opts.role as Role, password);
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
