import { Command, CommanderError } from 'commander';
import { ExitCode } from './exit.js';

/** A function that adds one group of subcommands (ovf, ova, disk, vm, ...) to the program. */
export type CommandGroup = (program: Command) => void;

const groups: CommandGroup[] = [];

/** Registers a group of subcommands; each `commands/*.ts` file calls this once. */
export function registerGroup(group: CommandGroup): void {
  groups.push(group);
}

/** Builds the `vessel` command with every registered group. */
export function createProgram(): Command {
  const program = new Command('vessel')
    .description('Vessel: OVF/OVA toolkit, DMTF Virtual System Profile, and an embedded QEMU host')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true })
    .option(
      '--host <url|profile>',
      'manage a remote host through CIM-XML (DMTF DSP1042/DSP1057) instead of the local one; also $VESSEL_HOST',
    )
    .option('--host-ca <file>', "trust this PEM certificate for the remote host's HTTPS")
    .option('--host-insecure', 'accept any HTTPS certificate from the remote host')
    .exitOverride();
  for (const g of groups) g(program);
  return program;
}

/** The version printed by `vessel --version`. */
export const VERSION = '0.1.0';

/** Parses argv and runs the command; usage errors exit 2. */
export async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; everything else commander reports is a usage error.
      process.exitCode = err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      return;
    }
    throw err;
  }
}
