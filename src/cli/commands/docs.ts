import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { VesselError } from '../../model/index.js';
import { markCommand } from '../connect/kinds.js';
import {
  COMPLETION_SHELLS,
  type CompletionShell,
  commandTree,
  completionScript,
  manPages,
} from '../docs/index.js';
import { action, println } from '../output.js';
import { registerGroup, VERSION } from '../program.js';

/** The program a subcommand belongs to. */
function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent !== null) c = c.parent;
  return c;
}

registerGroup((program: Command) => {
  markCommand(program.command('completion'), 'offline')
    .description('Print the shell completion script (bash or zsh): source <(vessel completion bash)')
    .argument('<shell>', COMPLETION_SHELLS.join(' or '))
    .action(
      action((shell: string, _o: unknown, cmd: Command) => {
        if (!(COMPLETION_SHELLS as readonly string[]).includes(shell))
          throw new VesselError('USAGE', `Unknown shell "${shell}": use ${COMPLETION_SHELLS.join(' or ')}`);
        process.stdout.write(completionScript(commandTree(rootOf(cmd)), shell as CompletionShell));
        return 0;
      }),
    );

  markCommand(program.command('man'), 'offline')
    .description('Write the manual pages (vessel.1 and one per command group) into a folder')
    .option('-o, --out <dir>', 'the folder to write them to', 'man')
    .action(
      action((o: { out: string }, cmd: Command) => {
        const dir = resolve(o.out);
        mkdirSync(dir, { recursive: true });
        const pages = manPages(commandTree(rootOf(cmd)), VERSION);
        for (const p of pages) writeFileSync(join(dir, p.file), p.text);
        println(`Wrote ${pages.length} manual pages to ${dir}`);
        return 0;
      }),
    );
});
