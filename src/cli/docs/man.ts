import { allCommands, type CommandDoc, type OptionDoc } from './tree.js';

/** One manual page: its file name (`vessel-vm.1`) and its roff text. */
export interface ManPage {
  file: string;
  text: string;
}

/**
 * Text as roff reads it: backslashes escaped, hyphens as minus signs, characters beyond ASCII as `\[uXXXX]`
 * (groff reads its input as Latin-1), no line taken for a request.
 */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(
      /[\u0080-\u{10FFFF}]/gu,
      (ch) => `\\[u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`,
    )
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

function usage(c: CommandDoc): string {
  const args = c.args.map((a) => {
    const name = `${a.name}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return ['vessel', ...c.path, ...(c.options.length > 0 ? ['[options]'] : []), ...args].join(' ');
}

function options(list: OptionDoc[]): string[] {
  return list.flatMap((o) => ['.TP', `.B ${roff(o.flags)}`, roff(o.description)]);
}

function commandSection(c: CommandDoc): string[] {
  return [
    '.TP',
    `.B ${roff(usage(c))}`,
    roff(c.description),
    ...c.args
      .filter((a) => a.description !== '')
      .flatMap((a) => ['.br', `.I ${roff(a.name)}: ${roff(a.description)}`]),
    ...(c.options.length > 0 ? ['.RS', ...options(c.options), '.RE'] : []),
  ];
}

const EXIT_STATUS = [
  ['0', 'success'],
  ['1', 'the check failed or the operation was refused'],
  ['2', 'the input cannot be read, or a usage error'],
  ['3', 'no host answers (not running, or unreachable)'],
  ['4', 'not supported by this host or command'],
  ['70', 'an internal error (a bug: please report it)'],
] as const;

function page(name: string, summary: string, version: string, body: string[], see: string[]): ManPage {
  return {
    file: `${name}.1`,
    text: `${[
      `.TH ${name.toUpperCase()} 1 "" "vessel ${version}" "Vessel Manual"`,
      '.SH NAME',
      `${roff(name)} \\- ${roff(summary)}`,
      ...body,
      '.SH EXIT STATUS',
      ...EXIT_STATUS.flatMap(([code, what]) => ['.TP', `.B ${code}`, what]),
      '.SH SEE ALSO',
      see.map((s, i) => `.BR ${roff(s)} (1)${i < see.length - 1 ? ',' : ''}`).join('\n'),
    ].join('\n')}\n`,
  };
}

/**
 * The manual pages of the program, generated from its command definitions: `vessel.1` (the command groups and
 * the global options) and one `vessel-GROUP.1` per group with every command under it and their options.
 *
 * @example
 * for (const p of manPages(commandTree(createProgram()), '0.1.0')) writeFileSync(join(dir, p.file), p.text);
 */
export function manPages(doc: CommandDoc, version: string): ManPage[] {
  const groups = doc.subcommands;
  const groupPages = groups.map((g) =>
    page(
      `vessel-${g.path[0]}`,
      g.description,
      version,
      [
        '.SH SYNOPSIS',
        `.B ${roff(g.subcommands.length > 0 ? `vessel ${g.path[0]} <command> [options] [arguments]` : usage(g))}`,
        '.SH COMMANDS',
        ...allCommands(g)
          .filter((c) => c.subcommands.length === 0)
          .flatMap(commandSection),
        '.SH GLOBAL OPTIONS',
        ...options(doc.options),
      ],
      ['vessel'],
    ),
  );
  const main = page(
    'vessel',
    doc.description,
    version,
    [
      '.SH SYNOPSIS',
      '.B vessel',
      '[global options] <command> [options] [arguments]',
      '.SH COMMANDS',
      ...groups.flatMap((g) => ['.TP', `.BR vessel\\-${roff(g.path[0]!)} (1)`, roff(g.description)]),
      '.SH GLOBAL OPTIONS',
      ...options(doc.options),
    ],
    groups.map((g) => `vessel-${g.path[0]}`),
  );
  return [main, ...groupPages];
}
