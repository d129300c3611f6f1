import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureImages } from '../../test/fixtures/formats/images.js';
import { ROOT } from '../../test/helpers/cli.js';
import { convert } from './convert.js';
import type { ConversionResult, FormatName } from './types.js';

/**
 * Golden files: web1.ovf in every other format, and every other format's web1 in OVF, byte for byte, with the
 * warnings of each conversion. VESSEL_UPDATE_GOLDEN=1 rewrites them (review the diff).
 */
const FIX = join(ROOT, 'test', 'fixtures', 'formats');
const UPDATE = process.env.VESSEL_UPDATE_GOLDEN === '1';
const images = fixtureImages();
afterAll(() => images.remove());

const EXT: Record<FormatName, string> = {
  ovf: 'ovf',
  vmx: 'vmx',
  libvirt: 'xml',
  vbox: 'vbox',
  hyperv: 'xml',
  kubevirt: 'yaml',
};

function golden(name: string, r: ConversionResult): void {
  const out = join(FIX, 'golden', name);
  const warnings = `${r.warnings.map((w) => `${w.code}: ${w.message}`).join('\n')}\n`;
  if (UPDATE) {
    writeFileSync(out, r.output);
    writeFileSync(`${out}.warnings.txt`, warnings);
  }
  expect(existsSync(out), `${out} exists (run with VESSEL_UPDATE_GOLDEN=1 to create it)`).toBe(true);
  expect(r.output).toBe(readFileSync(out, 'utf8'));
  expect(warnings).toBe(readFileSync(`${out}.warnings.txt`, 'utf8'));
}

describe('convert() against golden files', () => {
  const ovf = readFileSync(join(FIX, 'inputs', 'web1.ovf'));
  it.each(['vmx', 'libvirt', 'vbox', 'hyperv', 'kubevirt'] as const)(
    'writes web1.ovf as %s exactly as the golden file',
    (to) => {
      const r = convert(ovf, { to, file: 'web1.ovf', imageDirectory: '/var/lib/libvirt/images' });
      expect(r.from).toBe('ovf');
      golden(`web1.to-${to}.${EXT[to]}`, r);
    },
  );

  it.each([
    ['web1.vmx', 'vmx'],
    ['web1.xml', 'libvirt'],
    ['web1.vbox', 'vbox'],
    ['web1.hyperv.xml', 'hyperv'],
    ['web1.yaml', 'kubevirt'],
  ] as const)('writes %s (detected as %s) as OVF exactly as the golden file', (input, from) => {
    const r = convert(readFileSync(join(FIX, 'inputs', input)), {
      to: 'ovf',
      file: input,
      imageInfo: images.info,
    });
    expect(r.from).toBe(from);
    golden(`${input}.to-ovf.ovf`, r);
  });
});
