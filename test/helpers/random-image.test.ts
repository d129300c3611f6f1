import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/disk/index.js';
import { randomImageBytes } from './random-image.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-random-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('randomImageBytes', () => {
  it('probes as raw, where random bytes that happen to start with 1f 8b probe as a corrupt gzip', async () => {
    const unlucky = randomImageBytes(1 << 16);
    unlucky.set([0x1f, 0x8b], 0);
    writeFileSync(join(dir, 'unlucky.raw'), unlucky);
    const p = await probe(join(dir, 'unlucky.raw'));
    expect(p.format).toBe('gzip');
    expect(p.problems.some((x) => x.severity === 'error')).toBe(true);
    for (let i = 0; i < 20; i++) {
      writeFileSync(join(dir, `${i}.raw`), randomImageBytes(1 << 16));
      const r = await probe(join(dir, `${i}.raw`));
      expect([r.format, r.problems]).toEqual(['raw', []]);
    }
  });
});
