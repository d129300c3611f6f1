import { join } from 'node:path';
import type { Command } from 'commander';
import { ROLES, type Role } from '../../api/index.js';
import { resolveStateDir, USERS_FILE, UserStore } from '../../host/index.js';
import { VesselError } from '../../model/index.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';

const STATE_HELP = 'state directory of the host (default: $VESSEL_STATE or ~/.local/share/vessel)';

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

function users(state: string | undefined): UserStore {
  return new UserStore(join(resolveStateDir(state), USERS_FILE));
}

registerGroup((program: Command) => {
  const user = program
    .command('user')
    .description('Users of the host’s CIM-XML and WS-Man endpoints (Basic authentication, roles)');

  user
    .command('add <name>')
    .description('add a user or change its role and password; the password is read from stdin')
    .requiredOption(
      '--role <role>',
      `admin (may do anything), operator (may change states) or reader (may read): ${ROLES.join('|')}`,
    )
    .option('--state <dir>', STATE_HELP)
    .option('--json', 'print the result as JSON')
    .action(
      action(async (name: string, opts: { role: string; state?: string; json?: boolean }) => {
        if (!ROLES.includes(opts.role as Role))
          throw new VesselError('USAGE', `--role "${opts.role}" is not one of ${ROLES.join(', ')}`);
        const store = users(opts.state);
        await store.add(name, opts.role as Role, await readPassword());
        if (opts.json) printJson({ user: name, role: opts.role, file: store.file });
        else println(`user ${name} (${opts.role}) saved in ${store.file}`);
        return 0;
      }),
    );

  user
    .command('remove <name>')
    .description('remove a user')
    .option('--state <dir>', STATE_HELP)
    .action(
      action(async (name: string, opts: { state?: string }) => {
        if (!(await users(opts.state).remove(name)))
          throw new VesselError('USAGE', `There is no user "${name}"`);
        println(`user ${name} removed`);
        return 0;
      }),
    );

  user
    .command('list')
    .description('list the users and their roles')
    .option('--state <dir>', STATE_HELP)
    .option('--json', 'print the result as JSON')
    .action(
      action(async (opts: { state?: string; json?: boolean }) => {
        const list = (await users(opts.state).load()).map((u) => ({ name: u.name, role: u.role }));
        if (opts.json) printJson(list);
        else for (const u of list) println(`${u.name}\t${u.role}`);
        return 0;
      }),
    );
});
