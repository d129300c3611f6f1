import type { Command, Option } from 'commander';

/** One option of a command, as completion and manual pages show it. */
export interface OptionDoc {
  /** `-c, --connect <uri|profile>` */
  flags: string;
  /** The names a user types: `-c`, `--connect`. */
  names: string[];
  description: string;
  /** What the value is (`file`, `dir`, `uri|profile`), or undefined for a flag that takes none. */
  value: string | undefined;
}

/** One command with what it takes, as completion and manual pages show it. */
export interface CommandDoc {
  /** The words that run it after `vessel`: `['vm', 'define']` (empty for the program). */
  path: string[];
  description: string;
  /** `<vm>`, `[file...]` */
  args: { name: string; required: boolean; variadic: boolean; description: string }[];
  options: OptionDoc[];
  subcommands: CommandDoc[];
}

function optionDoc(o: Option): OptionDoc {
  const value = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1];
  return {
    flags: o.flags,
    names: [o.short, o.long].filter((n): n is string => n !== undefined),
    description: o.description,
    value,
  };
}

/**
 * The command tree of the program as data (commander's own definitions: the one source of completion scripts
 * and manual pages), without the `help` pseudo-command and hidden options.
 *
 * @example
 * const doc = commandTree(createProgram());
 * doc.subcommands.map((c) => c.path.join(' ')); // ['cim', 'convert', 'deploy', ...]
 */
export function commandTree(cmd: Command, path: string[] = []): CommandDoc {
  const hidden = (o: Option) => (o as Option & { hidden?: boolean }).hidden === true;
  return {
    path,
    description: cmd.description(),
    args: cmd.registeredArguments.map((a) => ({
      name: a.name(),
      required: a.required,
      variadic: a.variadic,
      description: a.description,
    })),
    options: cmd.options.filter((o) => !hidden(o)).map(optionDoc),
    subcommands: cmd.commands
      .filter((c) => c.name() !== 'help')
      .map((c) => commandTree(c, [...path, c.name()]))
      .sort((a, b) => a.path.join(' ').localeCompare(b.path.join(' '))),
  };
}

/** Every command of a tree, depth first, the tree itself first. */
export function allCommands(doc: CommandDoc): CommandDoc[] {
  return [doc, ...doc.subcommands.flatMap(allCommands)];
}
