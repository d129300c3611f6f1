import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptor } from '../../../test/fixtures/ovf/descriptor.js';
import { ROOT } from '../../../test/helpers/cli.js';
import { corpusCases } from '../../../test/helpers/corpus.js';
import { isOvfDiagnosticCode, OVF_DIAGNOSTICS } from '../diagnostics.js';
import { OvfError } from '../errors.js';
import { parseOvf } from '../parse.js';
import type { ValidateOvfOptions } from './context.js';
import { validateOvf } from './validate.js';

/** Rows of one of our expectation tables in test/fixtures/ovf (comment lines and the header skipped). */
function table(name: string): string[][] {
  const text = readFileSync(join(ROOT, 'test', 'fixtures', 'ovf', name), 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .slice(1)
    .map((l) => l.split('\t'));
}

function optionsOf(text: string): ValidateOvfOptions {
  if (text === '-') return {};
  const [k, v] = text.split('=');
  if (k === 'target' && (v === 'vmware' || v === 'virtualbox' || v === 'qemu')) return { target: v };
  if (k === 'lax') return { lax: true };
  throw new Error(`unknown options "${text}"`);
}

const codes = (text: string) => (text === '-' ? [] : text.split(','));
const cases = corpusCases();
const byFile = new Map(cases.map((c) => [c.file, c]));
const exceptions = table('positive-exceptions.tsv');
const excepted = new Set(exceptions.map((r) => r[0]));
const negatives = table('negative-expectations.tsv');

function validateCase(file: string, options: ValidateOvfOptions) {
  const c = byFile.get(file);
  if (c === undefined) throw new Error(`${file} is not in the corpus index`);
  return validateOvf(parseOvf(readFileSync(c.path), { file }), { ...options, file });
}

describe('validateOvf() on the real-world corpus', () => {
  it('has an expectation for exactly the negative cases of the index, each with registered codes', () => {
    const indexed = cases.filter((c) => c.expect === 'negative').map((c) => c.file);
    expect(negatives.map((r) => r[0]).sort()).toEqual(indexed.sort());
    for (const [file, cls, list] of negatives) {
      expect(['caught', 'parse', 'needs-files', 'mislabelled', 'target'], file).toContain(cls);
      if (cls === 'caught') expect(codes(list ?? '-').length, file).toBeGreaterThan(0);
      for (const code of codes(list ?? '-')) {
        if (cls !== 'parse') expect(isOvfDiagnosticCode(code), `${file}: ${code}`).toBe(true);
      }
    }
    for (const [file, , list] of exceptions) {
      expect(byFile.get(file ?? '')?.expect, file).toMatch(/^positive/);
      for (const code of codes(list ?? '-')) expect(isOvfDiagnosticCode(code), `${file}: ${code}`).toBe(true);
    }
  });

  it.each(
    cases
      .filter((c) => (c.expect === 'positive' || c.expect === 'positive-lax') && !excepted.has(c.file))
      .map((c) => [c.file, c]),
  )('accepts %s with no errors', (_name, c) => {
    const ds = validateCase(c.file, c.expect === 'positive-lax' ? { lax: true } : {});
    expect(ds.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('needs --lax for every positive-lax case (the portability errors ovftool --lax relaxes)', () => {
    for (const c of cases.filter((x) => x.expect === 'positive-lax')) {
      const strict = validateCase(c.file, {}).filter((d) => d.severity === 'error');
      expect(strict.length, c.file).toBeGreaterThan(0);
      for (const d of strict)
        expect(OVF_DIAGNOSTICS[d.code as keyof typeof OVF_DIAGNOSTICS]?.lax, d.code).toBe(true);
    }
  });

  it.each(exceptions.map((r) => [r[0], r[1], r[2]]))(
    'reports %s as positive-exceptions.tsv says (%s: %s)',
    (file, cls, list) => {
      const strict = validateCase(file ?? '', {}).filter((d) => d.severity === 'error');
      const lax = validateCase(file ?? '', { lax: true }).filter((d) => d.severity === 'error');
      for (const code of codes(list ?? '-')) expect(strict.map((d) => d.code)).toContain(code);
      if (cls === 'lax') expect(lax).toEqual([]);
      else expect(lax.length).toBeGreaterThan(0);
    },
  );

  it.each(negatives.map((r) => [r[0], r[1], r[2], r[3]]))(
    'reports negative %s as negative-expectations.tsv says (%s: %s)',
    (file, cls, list, options) => {
      const c = byFile.get(file ?? '');
      if (c === undefined) throw new Error(`${file} is not in the corpus`);
      if (cls === 'parse') {
        let thrown: unknown;
        try {
          parseOvf(readFileSync(c.path), { file });
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(OvfError);
        expect((thrown as OvfError).code).toBe(list);
        return;
      }
      const ds = validateCase(file ?? '', optionsOf(options ?? '-'));
      const errors = ds.filter((d) => d.severity === 'error');
      const found = ds.map((d) => d.code);
      for (const code of codes(list ?? '-')) expect(found).toContain(code);
      if (cls === 'caught') {
        for (const code of codes(list ?? '-')) expect(errors.map((d) => d.code)).toContain(code);
      } else {
        expect(errors).toEqual([]);
      }
    },
  );
});

describe('validateOvf()', () => {
  it('finds nothing at all to say about the small valid descriptor the unit tests start from', () => {
    expect(validateOvf(parseOvf(descriptor()))).toEqual([]);
  });

  it('returns diagnostics in document order, each with a registered code, a severity and a message', () => {
    const xml = descriptor({
      files: '<File ovf:id="file1" ovf:href="disk1.vmdk" ovf:size="-5"/>',
      items: '<Item><rasd:InstanceID>1</rasd:InstanceID></Item>',
    });
    const ds = validateOvf(parseOvf(xml));
    expect(ds.length).toBeGreaterThanOrEqual(2);
    const lines = ds.map((d) => d.line ?? Number.MAX_SAFE_INTEGER);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    for (const d of ds) {
      expect(isOvfDiagnosticCode(d.code)).toBe(true);
      expect(['error', 'warning', 'info']).toContain(d.severity);
      expect(d.message.length).toBeGreaterThan(10);
    }
  });

  it('documents every code in the registry with a one-line description', () => {
    for (const [code, spec] of Object.entries(OVF_DIAGNOSTICS)) {
      expect(code).toMatch(/^OVF_[A-Z0-9_]+$/);
      expect(spec.description).not.toContain('\n');
      expect(spec.description.length).toBeGreaterThan(15);
      if (spec.lax) expect(spec.severity).toBe('error');
      if (code.startsWith('OVF_TARGET_')) expect(spec.severity).toBe('warning');
    }
  });
});
