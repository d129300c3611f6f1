/**
 * ovftool's spellings of deploy's options, accepted as aliases before commander parses the command line:
 * `--prop:KEY=VALUE` is `--prop KEY=VALUE` and `--net:OVFNET=HOSTNET` is `--net OVFNET=HOSTNET` (ovftool(1),
 * "--prop" and "--net"). Only `vessel deploy` has these options; arguments after `--` are left alone.
 */

/** The ovftool option prefixes and the option each stands for. */
const ALIASES: ReadonlyArray<readonly [prefix: string, option: string]> = [
  ['--prop:', '--prop'],
  ['--net:', '--net'],
];

/**
 * `argv` with each `--prop:K=V` / `--net:A=B` of a `deploy` command split into the option and its value.
 *
 * @example
 * expandOvftoolAliases(['node', 'vessel', 'deploy', 'a.ova', '--prop:ip=10.0.0.2']);
 * // ['node', 'vessel', 'deploy', 'a.ova', '--prop', 'ip=10.0.0.2']
 */
export function expandOvftoolAliases(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  if (!options.slice(2).includes('deploy')) return [...argv];
  const out: string[] = [];
  for (const arg of options) {
    const alias = ALIASES.find(([prefix]) => arg.startsWith(prefix));
    if (alias === undefined) out.push(arg);
    else out.push(alias[1], arg.slice(alias[0].length));
  }
  return end === -1 ? out : [...out, ...argv.slice(end)];
}
