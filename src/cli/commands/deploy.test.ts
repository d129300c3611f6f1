import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { keyValues } from './deploy.js';

const state = mkdtempSync(join(tmpdir(), 'vessel-deploy-cli-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('vessel deploy', () => {
  it('reads --prop KEY=VALUE with "=" in the value, and refuses a --prop without a key (exit 2)', async () => {
    expect(keyValues(['a=b=c', 'empty='], '--prop')).toEqual({ a: 'b=c', empty: '' });
    const r = await runCli(['deploy', 'x.ova', '--prop', 'novalue', '--state', state]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--prop "novalue": use --prop KEY=VALUE/);
  });

  it('says how to start a host when none runs (exit 3)', async () => {
    const r = await runCli(['deploy', 'x.ova', '--state', state]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No Vessel host is running.*\n.*vessel host serve --state/);
  });
});
