import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { markCommand } from '../connect/kinds.js';
import { readInput } from '../files.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { loadProfiles, profilesFile, RemoteError, saveProfiles } from '../remote.js';

/** The URL with a relative `?ca=FILE` made absolute (from the current directory); anything else as given. */
function absoluteCaParam(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const ca = params.get('ca');
  if (ca === null || ca === '' || isAbsolute(ca)) return url;
  params.set('ca', resolve(ca));
  return `${url.slice(0, q)}?${params.toString()}`;
}

registerGroup((program: Command) => {
  const cmd = markCommand(program.command('remote'), 'offline').description(
    'Save remote hosts (CIM-XML or WS-Man endpoints) to use as `vessel --connect NAME vm ...`',
  );

  cmd
    .command('add')
    .description('Save a remote host profile (the password is never saved: give it in $VESSEL_CIM_PASSWORD)')
    .argument('<name>', 'profile name')
    .argument(
      '<url>',
      'the CIM server, e.g. https://host1:5989 (CIM-XML), wsman+https://host1:5986 (WS-Man) or hyperv+https://hv1:5986 (Hyper-V)',
    )
    .option('--user <name>', 'user name')
    .option('--ca <file>', 'PEM certificate to trust for HTTPS')
    .option('--insecure', 'accept any HTTPS certificate')
    .option('--json', 'print JSON (the saved profile)')
    .action(
      action(
        async (
          name: string,
          url: string,
          o: { user?: string; ca?: string; insecure?: boolean; json?: boolean },
        ) => {
          if (!/^((cimxml|wsman|hyperv)\+)?https?:\/\/[^/]+/i.test(url))
            throw new RemoteError(
              'USAGE',
              `"${url}" is not an http(s) URL (or cimxml+/wsman+/hyperv+http(s))`,
            );
          if (/^((cimxml|wsman|hyperv)\+)?https?:\/\/[^/]*:[^/@]*@/i.test(url))
            throw new RemoteError(
              'USAGE',
              'Do not put a password in a saved profile; use $VESSEL_CIM_PASSWORD',
            );
          // Paths are saved absolute: a profile is used from any directory.
          const ca = o.ca === undefined ? undefined : resolve(o.ca);
          if (ca !== undefined) await readInput(ca);
          const saved = absoluteCaParam(url);
          const profiles = await loadProfiles();
          profiles[name] = { url: saved, user: o.user, ca, insecure: o.insecure };
          await saveProfiles(profiles);
          if (o.json) printJson({ name, ...profiles[name], savedIn: profilesFile() });
          else println(`Saved host "${name}" (${saved}) in ${profilesFile()}`);
          return 0;
        },
      ),
    );

  cmd
    .command('list')
    .description('List the saved remote hosts')
    .option('--json', 'print JSON (an array of profiles, each with its name)')
    .action(
      action(async (o: { json?: boolean }) => {
        const profiles = await loadProfiles();
        if (o.json) printJson(Object.entries(profiles).map(([name, p]) => ({ name, ...p })));
        else
          for (const [n, p] of Object.entries(profiles))
            println(`${n}\t${p.url}${p.user ? `\tuser ${p.user}` : ''}`);
        return 0;
      }),
    );

  cmd
    .command('remove')
    .description('Forget a saved remote host')
    .argument('<name>', 'profile name')
    .option('--json', 'print JSON')
    .action(
      action(async (name: string, o: { json?: boolean }) => {
        const profiles = await loadProfiles();
        if (!profiles[name]) throw new RemoteError('USAGE', `No saved host is called "${name}"`);
        delete profiles[name];
        await saveProfiles(profiles);
        if (o.json) printJson({ removed: name });
        else println(`Removed host "${name}"`);
        return 0;
      }),
    );
});
