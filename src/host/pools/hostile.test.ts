import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostileCorpus, writeHostileCorpus } from '../../../test/fixtures/hostile/images.js';
import { buildDefinition } from '../../model/index.js';
import { Host } from '../host.js';

let work: string;
let host: Host;
let corpus: HostileCorpus;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vessel-pool-hostile-'));
  const state = join(work, 'state');
  host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
  // The whole hostile corpus, canary included, inside the default pool: the pool check lets the paths through,
  // so what refuses each image is what it names.
  const dir = join(state, 'images', 'hostile');
  mkdirSync(dir);
  corpus = writeHostileCorpus(dir);
});
afterAll(async () => {
  await host?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('define with a hostile image that lies in a storage pool', () => {
  it('refuses every case of the hostile corpus, as a disk and as a CD, and registers nothing', async () => {
    for (const c of corpus.cases) {
      const path = join(corpus.dir, c.file);
      for (const as of ['disk', 'cdrom'] as const) {
        const def = buildDefinition({
          name: 'hostile',
          cpus: 1,
          memoryBytes: 64n << 20n,
          ...(as === 'disk' ? { disks: [path] } : { cdroms: [path] }),
        });
        const err = (await host.define(def).catch((e: unknown) => e)) as { code?: string; message?: string };
        expect(err.code, `${c.file} as a ${as}: ${err.message}`).toBe('IMAGE_REFERENCES');
        expect(err.message).toContain(path);
        if (c.code === 'DISK_EXTERNAL_REFERENCE') expect(err.message).toContain('refers to other files');
      }
    }
    expect(await host.list()).toEqual([]);
  });
});
