import { Command, CommanderError } from 'commander';
import { expandOvftoolAliases } from './aliases.js';
import { checkHostOptions } from './connect/kinds.js';
import { ExitCode, exitCodeFor } from './exit.js';
import { CommandExit, reportError } from './output.js';

/** A function that adds one group of subcommands (ovf, ova, disk, vm, ...) to the program. */
type CommandGroup = (program: Command) => void;

const groups: CommandGroup[] = [];

/** Registers a group of subcommands; each `commands/*.ts` file calls this once. */
export function registerGroup(group: CommandGroup): void {
  groups.push(group);
}

/**
 * Adds the options that say which host a command talks to (read by connect/target.ts, checked by
 * connect/kinds.ts): `-c/--connect`, its older name `--host`, `--state`, `--host-ca`, `--host-insecure`.
 *
 * @example
 * const program = addHostOptions(new Command('vessel'));
 */
export function addHostOptions(program: Command): Command {
  return program
    .option(
      '-c, --connect <uri|profile>',
      'the host to manage: vessel:///STATE (the host of a state directory; the default is the one of --state), http(s)://[user@]host[:port] (CIM-XML, DSP0200), wsman+http(s)://... (WS-Management), hyperv+http(s)://... (Hyper-V over WS-Man), rest+http(s)://... (REST), or a saved profile (vessel remote add); also $VESSEL_CONNECT',
    )
    .option('--host <uri|profile>', 'the same as --connect (its older name); also $VESSEL_HOST')
    .option(
      '--state <dir>',
      "the local host's state directory (default: $VESSEL_STATE, else ~/.local/share/vessel)",
    )
    .option('--host-ca <file>', 'trust this PEM certificate for an https:// host (as ?ca=FILE in the URI)')
    .option('--host-insecure', 'accept any HTTPS certificate from the host (as ?insecure=1 in the URI)');
}

/** Builds the `vessel` command with every registered group. */
export function createProgram(): Command {
  const program = new Command('vessel')
    .description('Vessel: OVF/OVA toolkit, DMTF Virtual System Profile, and an embedded QEMU host')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true, showGlobalOptions: true });
  addHostOptions(program)
    .exitOverride()
    // Every command honours the host options or refuses them (exit 4) before it runs: none ignores them.
    .hook('preAction', (_program, command) => {
      try {
        checkHostOptions(command);
      } catch (e) {
        reportError(e, command.opts<{ json?: boolean }>().json === true);
        throw new CommandExit(exitCodeFor(e));
      }
    });
  for (const g of groups) g(program);
  return program;
}

/** The version printed by `vessel --version`. */
export const VERSION = '0.1.0';

/** Parses argv and runs the command; usage errors exit 2. */
export async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync(expandOvftoolAliases(argv));
  } catch (err) {
    if (err instanceof CommandExit) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof CommanderError) {
      // --help and --version exit 0; everything else commander reports is a usage error.
      process.exitCode = err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      return;
    }
    throw err;
  }
}
