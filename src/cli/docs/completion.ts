import { allCommands, type CommandDoc, type OptionDoc } from './tree.js';

/** The shells `vessel completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;

/** A shell `vessel completion` writes a script for. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** Values that name files or folders: completed with the shell's file completion. */
const PATHS = /\b(file|files|dir|folder|path|package|key|cert|pem|image|iso|ova|ovf|output|input)\b/i;

/** A word safe inside a single-quoted shell string (command and option names are plain words). */
function quoted(words: string[]): string {
  for (const w of words) if (!/^[\w.:=-]+$/.test(w)) throw new Error(`Cannot complete the word "${w}"`);
  return `'${words.join(' ')}'`;
}

function caseEntry(c: CommandDoc, globals: OptionDoc[]): string {
  const key = c.path.join(' ');
  // The program's options (--connect, --state, ...) are taken after any command's name too.
  const options = c.path.length === 0 ? c.options : [...c.options, ...globals];
  const words = [...c.subcommands.map((s) => s.path.at(-1)!), ...options.flatMap((o) => o.names), '--help'];
  const valued = options.filter((o) => o.value !== undefined).flatMap((o) => o.names);
  const pathValued = options
    .filter((o) => o.value !== undefined && PATHS.test(o.value))
    .flatMap((o) => o.names);
  const pathArgs = c.args.some((a) => PATHS.test(a.name) || PATHS.test(a.description));
  return [
    `    '${key}')`,
    `      words=${quoted(words)}`,
    `      valued=${quoted(valued)}`,
    `      pathvalued=${quoted(pathValued)}`,
    `      patharg=${pathArgs ? 1 : 0}`,
    '      ;;',
  ].join('\n');
}

/**
 * The bash completion function for the program: it finds the command path among the words typed so far
 * (skipping options and their values), then offers that command's subcommands and options, or file names where
 * an option or argument takes a path. Generated from the command definitions, so it never falls behind them.
 */
function bashFunction(doc: CommandDoc): string {
  const commands = allCommands(doc);
  return `_vessel() {
  local cur prev path="" i w words valued pathvalued patharg
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  _vessel_node() {
    case "$1" in
${commands.map((c) => caseEntry(c, doc.options)).join('\n')}
    *) return 1 ;;
    esac
  }
  _vessel_node ""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ " $valued " == *" $w "* ]]; then
      ((i++))
      continue
    fi
    [[ "$w" == -* ]] && continue
    _vessel_node "\${path:+$path }$w" && path="\${path:+$path }$w"
  done
  _vessel_node "$path"
  if [[ " $pathvalued " == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  if [[ " $valued " == *" $prev "* ]]; then
    COMPREPLY=()
    return 0
  fi
  if [[ "$cur" != -* && $patharg == 1 ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -f -- "$cur"))
    return 0
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
`;
}

/**
 * The completion script of a shell, for `source <(vessel completion bash)` or a file in the shell's
 * completion folder. zsh loads the same function through its bash completion layer (bashcompinit).
 *
 * @example
 * process.stdout.write(completionScript(commandTree(createProgram()), 'bash'));
 */
export function completionScript(doc: CommandDoc, shell: CompletionShell): string {
  const header = `# ${shell} completion for vessel, generated from its command definitions by \`vessel completion ${shell}\`.\n`;
  if (shell === 'bash') return `${header}${bashFunction(doc)}complete -o filenames -F _vessel vessel\n`;
  return `#compdef vessel
${header}autoload -U +X bashcompinit && bashcompinit
${bashFunction(doc)}complete -o filenames -F _vessel vessel
`;
}
