import type { Command } from 'commander';
import { ROLES, type Role } from '../../api/index.js';
import { VesselError } from '../../model/index.js';
import { connectApi } from '../connect.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';

/** `--expires DAYS`: a whole number of days, 1 to 3650. */
function days(text: string): number {
  const n = Number(text);
  if (!/^[0-9]{1,4}$/.test(text) || n < 1 || n > 3650)
    throw new VesselError('USAGE', `--expires "${text}" is not a number of days from 1 to 3650`);
  return n;
}

registerGroup((program: Command) => {
  const token = program
    .command('token')
    .description(
      "Bearer tokens of the host's REST API (Authorization: Bearer vsl_...): each acts as its user with at most that user's role, until it expires or is revoked",
    );

  token
    .command('create')
    .description('make a token and print it (shown this once; the host keeps only its digest)')
    .requiredOption('--role <role>', `what the token may do, at most your own role: ${ROLES.join('|')}`)
    .option('--user <name>', 'the user it acts as (admins only; the default is you)')
    .option('--label <text>', 'a label for people, e.g. grafana')
    .option('--expires <days>', 'days until it stops working (default: until revoked)', days)
    .option('--json', 'print the result as JSON')
    .action(
      action(
        async (
          opts: { role: string; user?: string; label?: string; expires?: number; json?: boolean },
          command: Command,
        ) => {
          if (!ROLES.includes(opts.role as Role))
            throw new VesselError('USAGE', `--role "${opts.role}" is not one of ${ROLES.join(', ')}`);
          const api = await connectApi(command);
          try {
            const t = await api.users.createToken(opts.role as Role, {
              ...(opts.user === undefined ? {} : { user: opts.user }),
              ...(opts.label === undefined ? {} : { label: opts.label }),
              ...(opts.expires === undefined ? {} : { expiresInDays: opts.expires }),
            });
            if (opts.json) printJson(t);
            else {
              println(t.token);
              process.stderr.write(
                `token ${t.id} for ${t.user} (${t.role})${t.expires === undefined ? '' : `, expires ${t.expires}`}: keep it secret, it is not shown again\n`,
              );
            }
          } finally {
            await api.close();
          }
          return 0;
        },
      ),
    );

  token
    .command('list')
    .description("list tokens (yours; an admin's: everyone's), never their secrets")
    .option('--json', 'print the result as JSON')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        const api = await connectApi(command);
        try {
          const list = await api.users.tokens();
          if (opts.json) printJson(list);
          else
            for (const t of list) println([t.id, t.user, t.role, t.expires ?? 'never', t.label].join('\t'));
        } finally {
          await api.close();
        }
        return 0;
      }),
    );

  token
    .command('revoke <id>')
    .description('revoke a token by its id (the 16 hex digits after vsl_)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (id: string, opts: { json?: boolean }, command: Command) => {
        const api = await connectApi(command);
        try {
          await api.users.revokeToken(id);
        } finally {
          await api.close();
        }
        if (opts.json) printJson({ revoked: id });
        else println(`token ${id} revoked`);
        return 0;
      }),
    );
});
