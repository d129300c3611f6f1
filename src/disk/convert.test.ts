import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  qemuCompare,
  qemuImg,
  STANDARD_SIZE,
  sameBytes,
  tempDir,
  writeRaw,
  writeStandard,
} from '../../test/fixtures/disk/images.js';
import { convert } from './convert.js';
import { TARGET_FORMATS } from './formats.js';
import { probe } from './probe.js';

let dir: string;
let cleanup: () => Promise<void>;
let standard: string;
const first = new Map<string, string>();

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  standard = join(dir, 'standard.raw');
  writeStandard(standard);
  for (const f of TARGET_FORMATS) {
    const out = join(dir, `first.${f}`);
    await convert(standard, out, f);
    first.set(f, out);
  }
}, 120_000);
afterAll(() => cleanup());

describe('convert()', () => {
  it('writes every format from raw, each probed back as what was asked, with the same virtual size', async () => {
    for (const f of TARGET_FORMATS) {
      const info = await probe(first.get(f)!);
      expect(info.format).toBe(f);
      expect(info.virtualSize).toBe(STANDARD_SIZE);
      expect(info.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(qemuCompare(standard, first.get(f)!, 'raw')).toMatchObject({ code: 0 });
    }
  });

  // Every ordered pair: raw -> A -> B -> raw must give back the same bytes (zeros, random data, a partial last
  // grain, a size that is not a multiple of 64 KiB), and qemu-img must find B identical to the source.
  for (const a of TARGET_FORMATS)
    it(`round-trips ${a} -> every other format -> raw`, async () => {
      for (const b of TARGET_FORMATS) {
        if (a === b) continue;
        const mid = join(dir, `${a}-to.${b}`);
        const r = await convert(first.get(a)!, mid, b);
        expect(r).toMatchObject({ from: a, format: b, virtualSize: STANDARD_SIZE });
        expect(qemuCompare(standard, mid, 'raw'), `${a} -> ${b}`).toMatchObject({ code: 0 });
        const back = join(dir, `${a}-to-${b}.raw`);
        await convert(mid, back, 'raw');
        expect(sameBytes(back, standard), `${a} -> ${b} -> raw`).toBe(true);
      }
    }, 60_000);

  it('uses the native engine for the streamOptimized paths and qemu-img for the rest', async () => {
    const out = (n: string) => join(dir, `engine.${n}`);
    expect((await convert(standard, out('1'), 'vmdk-stream')).engine).toBe('native');
    expect((await convert(first.get('qcow2')!, out('2'), 'vmdk-stream')).engine).toBe('native');
    expect((await convert(first.get('vmdk-stream')!, out('3'), 'qcow2')).engine).toBe('native');
    expect((await convert(first.get('vmdk-stream')!, out('4'), 'vhdx')).engine).toBe('native+qemu-img');
    expect((await convert(first.get('vdi')!, out('5'), 'vmdk-stream')).engine).toBe('native+qemu-img');
    expect((await convert(standard, out('6'), 'vdi')).engine).toBe('qemu-img');
  });

  it('round-trips an all-zero disk through the native paths', async () => {
    const zero = join(dir, 'zero.raw');
    writeRaw(zero, 1024 * 1024 + 512, []);
    await convert(zero, join(dir, 'zero.vmdk'), 'vmdk-stream');
    await convert(join(dir, 'zero.vmdk'), join(dir, 'zero.qcow2'), 'qcow2');
    await convert(join(dir, 'zero.qcow2'), join(dir, 'zero2.vmdk'), 'vmdk-stream');
    await convert(join(dir, 'zero2.vmdk'), join(dir, 'zero-back.raw'), 'raw');
    expect(sameBytes(zero, join(dir, 'zero-back.raw'))).toBe(true);
    expect(qemuImg('check', join(dir, 'zero.qcow2'))).toContain('No errors');
  });

  it('reports progress up to the virtual size', async () => {
    const seen: number[] = [];
    await convert(standard, join(dir, 'progress.vmdk'), 'vmdk-stream', {
      onProgress: (e) => seen.push(e.done),
    });
    expect(seen.at(-1)).toBe(STANDARD_SIZE);
    const q: number[] = [];
    await convert(standard, join(dir, 'progress.vhdx'), 'vhdx', { onProgress: (e) => q.push(e.done) });
    expect(q.at(-1)).toBe(STANDARD_SIZE);
  });

  it('refuses to write over its input, a missing input, a corrupt input and a gzip file', async () => {
    await expect(convert(standard, standard, 'qcow2')).rejects.toMatchObject({ code: 'USAGE_DISK' });
    await expect(convert(standard, dir, 'qcow2')).rejects.toMatchObject({ code: 'USAGE_DISK' });
    await expect(convert(join(dir, 'missing.raw'), join(dir, 'x'), 'raw')).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    const cut = join(dir, 'cut.vmdk');
    const whole = await import('node:fs').then((fs) => fs.readFileSync(first.get('vmdk-stream')!));
    writeFileSync(cut, whole.subarray(0, whole.length - 4096));
    await expect(convert(cut, join(dir, 'cut.raw'), 'raw')).rejects.toMatchObject({ code: 'DISK_CORRUPT' });
    const gz = join(dir, 'x.gz');
    writeFileSync(gz, (await import('node:zlib')).gzipSync(Buffer.alloc(4096)));
    await expect(convert(gz, join(dir, 'gz.raw'), 'raw')).rejects.toMatchObject({ code: 'DISK_UNSUPPORTED' });
  });

  it('leaves nothing behind when a conversion fails', async () => {
    const { readdirSync } = await import('node:fs');
    const before = readdirSync(dir).length;
    const bad = join(dir, 'bad.vmdk');
    const whole = (await import('node:fs')).readFileSync(first.get('vmdk-stream')!);
    const b = Buffer.from(whole);
    b.fill(0x55, 65536 + 12, 65536 + 40);
    writeFileSync(bad, b);
    await expect(convert(bad, join(dir, 'bad.raw'), 'raw')).rejects.toMatchObject({ code: 'DISK_CORRUPT' });
    expect(readdirSync(dir).length).toBe(before + 1);
  });
});
