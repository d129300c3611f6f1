import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, SHARED } from '../helpers/cli.js';

/**
 * `npm install -g` of the package `npm pack` makes, as a user installs a release: the pack runs the `prepare`
 * script (the TypeScript build and the manual pages) in a copy of the sources, so that this test never rewrites
 * the dist/ other tests run; the install takes the dependencies from npm's cache where it has them (`--prefer-offline`: `npm ci` caches the
 * tarballs but not the registry's package documents, which a fresh machine then fetches) and skips their
 * install scripts (better-sqlite3 compiles its addon there for minutes; the commands run here do not open a
 * store).
 */
const work = mkdtempSync(join(tmpdir(), 'vessel-npm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm install -g', () => {
  it('installs a packed release whose vessel command, manual pages and completion work', () => {
    const src = join(work, 'src');
    mkdirSync(src);
    for (const f of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'src',
      'bench',
      'scripts',
      // The benchmarks start their private libvirtd with the tests' helper: the build compiles what they import.
      'test/helpers',
    ])
      cpSync(join(ROOT, f), join(src, f), { recursive: true, filter: (p) => !p.endsWith('.test.ts') });
    symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
    const packed = run('npm', ['pack', '--pack-destination', work, '--loglevel=error'], src);
    expect(packed.code, packed.err).toBe(0);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^vessel-\d+\.\d+\.\d+\.tgz$/);

    const prefix = join(work, 'prefix');
    const installed = run(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        join(work, tarball!),
      ],
      work,
    );
    expect(installed.code, installed.err).toBe(0);
    const vessel = join(prefix, 'bin', 'vessel');
    const home = { HOME: join(work, 'home'), PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    const version = run(vessel, ['--version'], work, home);
    expect([version.code, version.out]).toEqual([0, '0.1.0\n']);
    const info = run(
      vessel,
      ['ovf', 'info', join(SHARED, 'ovf-corpus', 'glennmatthews__cot__COT__tests__minimal.ovf')],
      work,
      home,
    );
    expect(info.code, info.err).toBe(0);
    expect(info.out).toMatch(/minimal|Virtual/i);
    // The manual pages land where man finds them under the prefix.
    const page = run('man', ['-w', 'vessel-vm'], work, { MANPATH: join(prefix, 'share', 'man') });
    expect(page.code, page.err).toBe(0);
    expect(page.out.trim()).toMatch(/vessel-vm\.1$/);
    const completion = run(
      'bash',
      ['--norc', '-c', 'source <(vessel completion bash) && complete -p vessel'],
      work,
      home,
    );
    expect(completion.out.trim()).toBe('complete -o filenames -F _vessel vessel');
  }, 300_000);
});
