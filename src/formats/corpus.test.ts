import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusCases } from '../../test/helpers/corpus.js';
import { findSection, findSections, parseOvf, virtualSystems } from '../ovf/index.js';
import { convert } from './convert.js';
import { FormatError } from './errors.js';
import { FORMAT_NAMES } from './types.js';

/** Every positive single-VM descriptor of ../shared/ovf-corpus converted to every other format. */
const cases = corpusCases()
  .filter((c) => c.expect === 'positive' || c.expect === 'positive-lax')
  .flatMap((c) => {
    try {
      const env = parseOvf(readFileSync(c.path), { file: c.file });
      return virtualSystems(env).length === 1 ? [{ ...c, env }] : [];
    } catch {
      return [];
    }
  });
const targets = FORMAT_NAMES.filter((f) => f !== 'ovf');

describe('converting the real-world corpus to every format', () => {
  it('has well over a hundred single-VM descriptors to convert', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases.map((c) => [c.file, c] as const))(
    '%s converts to every format, reporting what it drops',
    (_name, c) => {
      const data = readFileSync(c.path);
      const system = virtualSystems(c.env)[0]!;
      const configs = findSection(c.env.sections, 'DeploymentOptionSection')?.configurations.length ?? 0;
      const props = findSections(system.sections, 'ProductSection').some((p) =>
        p.entries.some((e) => e.entry === 'Property'),
      );
      for (const to of targets) {
        let r: ReturnType<typeof convert>;
        try {
          r = convert(data, { to, file: c.file });
        } catch (e) {
          // The only refusal allowed: a disk whose capacity the descriptor does not give as a number of bytes.
          expect(e).toBeInstanceOf(FormatError);
          expect((e as FormatError).code, `${to}: ${(e as Error).message}`).toBe('FORMAT_DISK_CAPACITY');
          continue;
        }
        expect(r.output.length).toBeGreaterThan(0);
        for (const w of r.warnings) expect(w.message.length).toBeGreaterThan(10);
        const codes = new Set(r.warnings.map((w) => w.code));
        if (configs > 1)
          expect(codes.has('CONFIGURATION'), `${to} reports the deployment options`).toBe(true);
        if (props) expect(codes.has('PRODUCT'), `${to} reports the properties`).toBe(true);
      }
    },
  );
});
