import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { keyValues } from './deploy.js';

const state = mkdtempSync(join(tmpdir(), 'vessel-deploy-cli-'));
const pkg = join(state, 'x.ova');
writeFileSync(pkg, '');
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('vessel deploy', () => {
  it('reads --prop KEY=VALUE with "=" in the value, and refuses a --prop without a key (exit 2)', async () => {
    expect(keyValues(['a=b=c', 'empty='], '--prop')).toEqual({ a: 'b=c', empty: '' });
    const r = await runCli(['deploy', pkg, '--prop', 'novalue', '--state', state]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--prop "novalue": use --prop KEY=VALUE/);
    const alias = await runCli(['deploy', pkg, '--prop:novalue', '--state', state]);
    expect([alias.code, alias.stderr]).toEqual([2, 'vessel: --prop "novalue": use --prop KEY=VALUE\n']);
  });

  it('says how to start a host when none runs (exit 3)', async () => {
    const r = await runCli(['deploy', pkg, '--state', state]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No Vessel host is running.*\n.*vessel host serve --state/);
  });

  it('a package that is missing, a directory or unreadable is exit 2, before any host is asked', async () => {
    const dir = join(state, 'pkg.ova');
    mkdirSync(dir);
    const cases: [string, string][] = [
      [join(state, 'absent.ova'), 'no such file'],
      [dir, 'it is a directory'],
    ];
    for (const [path, why] of cases) {
      const r = await runCli(['deploy', path, '--state', state]);
      expect([r.code, r.stderr]).toEqual([2, `vessel: Cannot read "${path}": ${why}\n`]);
    }
    const json = await runCli(['deploy', join(state, 'absent.ova'), '--json', '--state', state]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe('IO_READ');
    for (const args of [
      ['ovf', 'info', dir],
      ['ovf', 'info', join(state, 'absent.ovf')],
      ['ova', 'verify', join(state, 'absent.ova')],
    ]) {
      const r = await runCli(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(/^vessel: Cannot read ".*": (no such file|it is a directory)\n$/);
    }
  });
});
