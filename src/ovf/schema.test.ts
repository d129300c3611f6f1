import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED } from '../../test/helpers/cli.js';
import { corpusCases } from '../../test/helpers/corpus.js';
import { formatOvf } from './format.js';
import {
  addDisk,
  addNic,
  createEnvelope,
  setAnnotation,
  setConfiguration,
  setCpus,
  setEula,
  setProduct,
  setProperty,
  targetSystem,
} from './index.js';
import { parseOvf } from './parse.js';

const SCHEMAS = join(SHARED, 'schemas', 'ovf1');
const dir = mkdtempSync(join(tmpdir(), 'vessel-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs xmllint against the DMTF OVF 1.1 envelope schema; returns, per file, whether it validates. */
function xmllint(files: string[]): Map<string, boolean> {
  const r = spawnSync(
    'xmllint',
    ['--nonet', '--noout', '--schema', join(SCHEMAS, 'dsp8023_1.1.0.xsd'), ...files],
    {
      env: { ...process.env, XML_CATALOG_FILES: join(SCHEMAS, 'catalog.xml') },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  const out = new Map<string, boolean>();
  for (const line of r.stderr.split('\n')) {
    const m = /^(.*) (validates|fails to validate)$/.exec(line);
    if (m) out.set(m[1]!, m[2] === 'validates');
  }
  return out;
}

describe('descriptors Vessel writes, checked with xmllint against the DMTF XSDs', () => {
  it('checks against the real schema: a descriptor missing its References is refused', () => {
    const file = join(dir, 'no-references.ovf');
    writeFileSync(
      file,
      '<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"><VirtualSystem ovf:id="a"><Info>x</Info></VirtualSystem></Envelope>',
    );
    expect(xmllint([file]).get(file)).toBe(false);
  });

  it('an authored descriptor with disks, NICs, product, properties, EULA and deployment options validates', () => {
    const env = createEnvelope({ name: 'demo', cpus: 2, memoryBytes: 512n << 20n });
    const sys = targetSystem(env);
    addDisk(env, sys, { href: 'disk1.vmdk', fileSize: 1234n, capacityBytes: 8n << 30n });
    addDisk(env, sys, { capacityBytes: 100n << 20n });
    addNic(env, sys, 'VM Network', 'VmxNet3');
    setProduct(sys, { product: 'Demo', vendor: 'Vessel', version: '1.0' });
    setProperty(sys, 'hostname', {
      type: 'string',
      value: 'demo',
      qualifiers: 'MinLen(1) MaxLen(63)',
      userConfigurable: true,
      label: 'Host name',
    });
    setEula(sys, 'Be nice.');
    setAnnotation(sys, 'A demo & <test>');
    setConfiguration(env, 'small', { label: 'Small', default: true });
    setConfiguration(env, 'large', { label: 'Large' });
    setCpus(sys, 4, 'large', env);
    const file = join(dir, 'authored.ovf');
    writeFileSync(file, formatOvf(env));
    expect(xmllint([file]).get(file)).toBe(true);
  });

  it('every positive 1.x corpus descriptor that the schema accepts is still accepted after parse and format', () => {
    const cases = corpusCases().filter(
      (c) => (c.expect === 'positive' || c.expect === 'positive-lax') && c.ovfVersion.startsWith('1.x'),
    );
    const originals = xmllint(cases.map((c) => c.path));
    const valid = cases.filter((c) => originals.get(c.path) === true);
    expect(valid.length).toBeGreaterThan(50);
    const written = valid.map((c) => {
      const out = join(dir, c.file);
      writeFileSync(out, formatOvf(parseOvf(readFileSync(c.path), { file: c.file })));
      return out;
    });
    const after = xmllint(written);
    const broken = written.filter((f) => after.get(f) !== true);
    expect(broken).toEqual([]);
  });
});
