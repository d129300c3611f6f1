import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../test/helpers/cli.js';
import { formatEnvironment, type OvfEnvironment, parseEnvironment } from './environment.js';
import { OvfError } from './errors.js';

const sample: OvfEnvironment = {
  id: 'web',
  platform: { kind: 'Vessel', version: '0.1.0', vendor: 'Vessel', locale: 'en_US', timezone: 60 },
  properties: [
    { key: 'hostname', value: 'web1' },
    { key: 'com.example.app.greeting.1', value: 'a "quoted" <value> & more' },
  ],
  entities: [{ id: 'db', properties: [{ key: 'port', value: '5432' }] }],
};

describe('OVF environment', () => {
  it('formats and parses back to the same environment', () => {
    expect(parseEnvironment(formatEnvironment(sample))).toEqual(sample);
  });

  it('writes a document the DMTF environment schema (DSP8027) accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-env-'));
    try {
      const file = join(dir, 'ovf-env.xml');
      writeFileSync(file, formatEnvironment(sample));
      const schemas = join(SHARED, 'schemas', 'ovf1');
      const r = spawnSync(
        'xmllint',
        ['--nonet', '--noout', '--schema', join(schemas, 'dsp8027_1.1.0.xsd'), file],
        {
          env: { ...process.env, XML_CATALOG_FILES: join(schemas, 'catalog.xml') },
          encoding: 'utf8',
        },
      );
      expect(r.stderr).toContain('validates');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a DOCTYPE and a document that is not an environment', () => {
    expect(() => parseEnvironment('<!DOCTYPE a><a/>')).toThrow(OvfError);
    expect(() => parseEnvironment('<Environment xmlns="urn:other"/>')).toThrow(/not an OVF environment/);
  });
});
