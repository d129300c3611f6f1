import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SHARED } from './cli.js';

const SCHEMAS = join(SHARED, 'schemas', 'ovf1');

/**
 * Runs xmllint against the DMTF OVF 1.1 envelope schema (../shared/schemas/ovf1, offline through its catalog);
 * returns, per file, whether it validates.
 */
export function xmllintOvf1(files: string[]): Map<string, boolean> {
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
