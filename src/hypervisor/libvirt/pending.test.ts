import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PendingVolumes } from './pending.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-pending-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const POOLS = ['vessel', 'default'];

describe('PendingVolumes', () => {
  it('is on disk before record resolves, and gone from it once settled; a running upload is not stale', async () => {
    const file = join(dir, 'a.json');
    const j = new PendingVolumes(file, POOLS);
    const v = { pool: 'vessel', name: 'u1-disk.raw' };
    await j.record(v);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([v]);
    expect(j.stale()).toEqual([]); // its upload runs in this process
    j.release(v); // the upload ended without settling: left for the sweep
    expect(j.stale()).toEqual([v]);
    // A new process (the next start) reads it back.
    expect(new PendingVolumes(file, POOLS).stale()).toEqual([v]);
    await j.settle(v);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([]);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it('keeps concurrent records in order (each write sees the ones before it)', async () => {
    const file = join(dir, 'b.json');
    const j = new PendingVolumes(file, POOLS);
    const vs = Array.from({ length: 20 }, (_, i) => ({ pool: 'default', name: `u-${i}.raw` }));
    await Promise.all(vs.map((v) => j.record(v)));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(vs);
    await Promise.all(vs.slice(0, 19).map((v) => j.settle(v)));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([vs[19]]);
  });

  it('reads only entries of its pools with plain volume names from a hostile or broken file', () => {
    const file = join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify([
        { pool: 'vessel', name: 'ok.raw' },
        { pool: 'images', name: 'x.raw' },
        { pool: 'vessel', name: '../x.raw' },
        { pool: 'vessel', name: '..' },
        { pool: 'vessel', name: 'a'.repeat(256) },
        { pool: 'vessel', name: 7 },
        null,
        'vessel/x.raw',
      ]),
    );
    expect(new PendingVolumes(file, POOLS).stale()).toEqual([{ pool: 'vessel', name: 'ok.raw' }]);
    for (const text of ['', '{', '{"pool":"vessel","name":"x"}', 'null']) {
      writeFileSync(file, text);
      expect(new PendingVolumes(file, POOLS).stale(), text).toEqual([]);
    }
    // In memory (no state directory): nothing is written anywhere.
    expect(new PendingVolumes(undefined, POOLS).stale()).toEqual([]);
  });
});
