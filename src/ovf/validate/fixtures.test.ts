import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/cli.js';
import { parseOvf } from '../parse.js';
import { validateOvf } from './validate.js';

const DIR = join(ROOT, 'test', 'fixtures', 'ovf');
const rows = readFileSync(join(DIR, 'invalid-cases.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .slice(1)
  .map((l) => l.split('\t'));

describe('validateOvf() on our own invalid descriptors (test/fixtures/ovf/invalid)', () => {
  it('lists every file of the folder exactly once', () => {
    expect(rows.map((r) => r[0]).sort()).toEqual(readdirSync(join(DIR, 'invalid')).sort());
  });

  it.each(rows)('%s gets %s (%s) on line %s: %s', (file, code, severity, line) => {
    const text = readFileSync(join(DIR, 'invalid', file ?? ''), 'utf8');
    expect(text).toContain(`expected: ${code} (${severity}) on line ${line}`);
    const ds = validateOvf(parseOvf(text, { file }), { file });
    const hit = ds.find((d) => d.code === code && d.line === Number(line));
    expect(hit, JSON.stringify(ds, null, 1)).toBeDefined();
    expect(hit?.severity).toBe(severity);
    expect(ds.filter((d) => d.severity === 'error').map((d) => d.code)).toContain(code);
  });
});
