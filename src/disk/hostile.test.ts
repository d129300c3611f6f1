import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuImg, tempDir, writeStandard } from '../../test/fixtures/disk/images.js';
import { convert } from './convert.js';
import { verifyStreamVmdk } from './decode.js';
import { DiskError } from './errors.js';
import { probe } from './probe.js';

let dir: string;
let cleanup: () => Promise<void>;
const images = new Map<string, Buffer>();

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const raw = join(dir, 'standard.raw');
  writeStandard(raw);
  const make: Array<[string, string[]]> = [
    ['qcow2', ['-O', 'qcow2']],
    ['vmdk', ['-O', 'vmdk']],
    ['qemu-stream', ['-O', 'vmdk', '-o', 'subformat=streamOptimized']],
    ['vhd', ['-O', 'vpc', '-o', 'subformat=dynamic,force_size=on']],
    ['vhd-fixed', ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on']],
    ['vhdx', ['-O', 'vhdx']],
    ['vdi', ['-O', 'vdi']],
  ];
  for (const [name, args] of make) {
    qemuImg('convert', '-f', 'raw', ...args, raw, join(dir, name));
    images.set(name, readFileSync(join(dir, name)));
  }
  await convert(raw, join(dir, 'native-stream'), 'vmdk-stream');
  images.set('native-stream', readFileSync(join(dir, 'native-stream')));
});
afterAll(() => cleanup());

/** Where the structures of these formats live: headers, VHDX headers and regions, metadata, tables, the end. */
const SPOTS = [0, 0, 0, 512, 65536, 131072, 196608, 262144, 1 << 20, 2 << 20, 3 << 20, -2048, -1536, -512];

/** A damaged copy: a few bytes overwritten near the structures, and maybe a truncation. */
const damage = fc.record({
  edits: fc.array(
    fc.record({
      spot: fc.constantFrom(...SPOTS),
      off: fc.nat(1023),
      value: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});

type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

function apply(src: Buffer, d: Damage): Buffer {
  const b = Buffer.from(src);
  for (const e of d.edits) {
    const at = e.spot < 0 ? b.length + e.spot + (e.off % -e.spot) : e.spot + e.off;
    if (at >= 0 && at < b.length) b[at] = e.value;
  }
  return d.cut === undefined ? b : b.subarray(0, Math.floor(b.length * d.cut));
}

describe('hostile images', () => {
  it('probe() never crashes on damaged images of any format: it reports problems instead', async () => {
    const names = [...images.keys()];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), damage, async (name, d) => {
        const path = join(dir, `fuzz-${name}`);
        writeFileSync(path, apply(images.get(name)!, d));
        const r = await probe(path);
        expect(typeof r.format).toBe('string');
        expect(Array.isArray(r.problems)).toBe(true);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('the stream decoder either reads a damaged VMDK or throws a DiskError naming an offset', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('native-stream', 'qemu-stream'), damage, async (name, d) => {
        const b = apply(images.get(name)!, d);
        async function* once() {
          yield b;
        }
        try {
          await verifyStreamVmdk(once(), { threads: 1 });
        } catch (err) {
          expect(err).toBeInstanceOf(DiskError);
          const e = err as DiskError;
          // A damaged header can read as one naming another file (capacity 0, a parent): refused as such.
          expect([
            'DISK_CORRUPT',
            'DISK_TRUNCATED',
            'DISK_TOO_LARGE',
            'DISK_UNSUPPORTED',
            'DISK_EXTERNAL_REFERENCE',
          ]).toContain(e.code);
          expect(typeof e.offset).toBe('number');
          expect(e.message).toMatch(/offset \d+/);
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
