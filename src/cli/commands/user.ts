import { join } from 'node:path';
import type { Command } from 'commander';
import { ROLES, type Role } from '../../api/index.js';
import { USERS_FILE, UserStore } from '../../host/index.js';
import { VesselError } from '../../model/index.js';
import { markCommand } from '../connect/kinds.js';
import { stateDirOf } from '../connect/target.js';
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

/** The users file of the state directory the command names (`--state` or `--connect vessel:///DIR`). */
async function users(command: Command): Promise<UserStore> {
  const dir = await stateDirOf(
    command,
    `${command.parent?.name()} ${command.name()} edits the users file of a state directory on this machine`,
  );
  return new UserStore(join(dir, USERS_FILE));
}

registerGroup((program: Command) => {
  const user = markCommand(program.command('user'), 'state-dir').description(
    'Users of the CIM-XML and WS-Man endpoints of the host of --state (Basic authentication, roles); works whether the host runs or not',
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
        const store = await users(command);
        await store.add(name, opts.role as Role, await readPassword());
        if (opts.json) printJson({ user: name, role: opts.role, file: store.file });
        else println(`user ${name} (${opts.role}) saved in ${store.file}`);
        return 0;
      }),
    );

  user
    .command('remove <name>')
    .description('remove a user')
    .action(
      action(async (name: string, _opts: unknown, command: Command) => {
        if (!(await (await users(command)).remove(name)))
          throw new VesselError('USAGE', `There is no user "${name}"`);
        println(`user ${name} removed`);
        return 0;
      }),
    );

  user
    .command('list')
    .description('list the users and their roles')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        const list = (await (await users(command)).load()).map((u) => ({ name: u.name, role: u.role }));
        if (opts.json) printJson(list);
        else for (const u of list) println(`${u.name}\t${u.role}`);
        return 0;
      }),
    );
});
