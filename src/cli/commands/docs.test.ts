import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../../../test/helpers/cli.js';
import './index.js';
import { allCommands, commandTree } from '../docs/index.js';
import { createProgram } from '../program.js';

const work = mkdtempSync(join(tmpdir(), 'vessel-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What bash completes for the words typed so far (the last one is the word being completed). */
function bashComplete(script: string, words: string[], cwd = work): string[] {
  const file = join(work, 'completion.bash');
  writeFileSync(file, script);
  const line = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    [
      '--norc',
      '-c',
      `source ${file}; COMP_WORDS=(vessel ${line}); COMP_CWORD=${words.length}; _vessel; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd, encoding: 'utf8' },
  );
  return out.split('\n').filter((l) => l !== '');
}

describe('vessel completion', () => {
  it('completes every command, subcommand and option of the command definitions in bash', async () => {
    const r = await runCli(['completion', 'bash']);
    expect(r.code).toBe(0);
    const tree = commandTree(createProgram());
    for (const c of allCommands(tree)) {
      const next = bashComplete(r.stdout, [...c.path, '']);
      for (const s of c.subcommands) expect(next, c.path.join(' ')).toContain(s.path.at(-1));
      const dashes = bashComplete(r.stdout, [...c.path, '--']);
      for (const o of c.options.flatMap((x) => x.names).filter((n) => n.startsWith('--')))
        expect(dashes, `${c.path.join(' ')} ${o}`).toContain(o);
    }
    expect(bashComplete(r.stdout, ['vm', 'de'])).toEqual(['define']);
    expect(bashComplete(r.stdout, ['vm', 'define', '--fi'])).toEqual(['--firmware']);
    // Global options between words do not lose the command path; their values are skipped.
    expect(bashComplete(r.stdout, ['--state', '/x', 'vm', 'define', '--fi'])).toEqual(['--firmware']);
    expect(bashComplete(r.stdout, ['vm', '--connect', 'vessel:///x', 'un'])).toEqual(['undefine']);
  });

  it('completes file names where an option or an argument takes a path, and nothing for other values', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout;
    writeFileSync(join(work, 'web.ova'), '');
    expect(bashComplete(script, ['vm', 'define', '--disk', 'we'])).toEqual(['web.ova']);
    expect(bashComplete(script, ['deploy', 'we'])).toEqual(['web.ova']);
    expect(bashComplete(script, ['vm', 'define', '--cpus', ''])).toEqual([]);
  });

  it('registers the same completion in zsh through its bash layer', async () => {
    const script = join(work, '_vessel');
    writeFileSync(script, (await runCli(['completion', 'zsh'])).stdout);
    expect(readFileSync(script, 'utf8')).toMatch(/^#compdef vessel\n/);
    const r = spawnSync(
      'zsh',
      [
        '-f',
        '-c',
        `autoload -U compinit && compinit -u -D && source ${script} && print -r -- $_comps[vessel]`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('_bash_complete -o filenames -F _vessel');
  });

  it('refuses a shell it has no script for, and host options', async () => {
    const r = await runCli(['completion', 'fish']);
    expect([r.code, r.stderr]).toEqual([2, 'vessel: Unknown shell "fish": use bash or zsh\n']);
    expect((await runCli(['completion', 'bash', '--connect', 'http://h:1'])).code).toBe(4);
  });
});

describe('vessel man', () => {
  it('writes a page per command group that groff formats without a warning, naming every command', async () => {
    const dir = join(work, 'man');
    const r = await runCli(['man', '-o', dir]);
    expect(r.code).toBe(0);
    const tree = commandTree(createProgram());
    const pages = readdirSync(dir).sort();
    expect(pages).toEqual(['vessel.1', ...tree.subcommands.map((g) => `vessel-${g.path[0]}.1`)].sort());
    for (const p of pages) {
      const check = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', join(dir, p)], { encoding: 'utf8' });
      expect(check.stderr, p).toBe('');
    }
    const vm = execFileSync('man', ['-l', join(dir, 'vessel-vm.1')], {
      encoding: 'utf8',
      env: { ...process.env, MANWIDTH: '200' },
    });
    for (const c of allCommands(tree.subcommands.find((g) => g.path[0] === 'vm')!).filter(
      (c) => c.subcommands.length === 0,
    ))
      expect(vm).toContain(`vessel ${c.path.join(' ')}`);
    expect(vm).toContain('--firmware <fw>');
    expect(vm).toMatch(/EXIT STATUS[\s\S]*3\s+no host answers/);
  });

  it('is what package.json installs: its man list names exactly the generated pages', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man: string[] };
    const tree = commandTree(createProgram());
    expect(pkg.man.map((m) => m.replace('./man/', '')).sort()).toEqual(
      ['vessel.1', ...tree.subcommands.map((g) => `vessel-${g.path[0]}.1`)].sort(),
    );
  });
});
