import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesOf,
  qemuCompare,
  qemuImg,
  STANDARD_SIZE,
  tempDir,
  writeRaw,
  writeStandard,
} from '../../test/fixtures/disk/images.js';
import { openImage } from './file-io.js';
import { parseQcow2Header } from './qcow2.js';
import { Qcow2Source, qcow2NativeObstacle } from './qcow2-reader.js';
import { Qcow2Sink } from './qcow2-writer.js';

let dir: string;
let cleanup: () => Promise<void>;
let standard: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  standard = join(dir, 'standard.raw');
  writeStandard(standard);
});
afterAll(() => cleanup());

const MiB = 2 ** 20;

describe('Qcow2Sink', () => {
  it('writes an image qemu-img checks clean across L2 tables, with partial and zero clusters', async () => {
    const size = 1200 * MiB + 3 * 512;
    const out = join(dir, 'sink.qcow2');
    const sink = await Qcow2Sink.create(out, size);
    const pieces: Array<[number, Buffer]> = [
      [0, Buffer.alloc(4096, 1)],
      [8192, Buffer.alloc(4096, 2)],
      [65536, Buffer.alloc(65536, 0)],
      [600 * MiB, Buffer.alloc(3 * 65536, 3)],
      [1100 * MiB + 512, Buffer.alloc(70_000, 4)],
      [size - 100, Buffer.alloc(100, 5)],
    ];
    for (const [off, b] of pieces) await sink.write(off, b);
    await sink.finish(size);
    const check = JSON.parse(qemuImg('check', '--output=json', out));
    expect(check).not.toHaveProperty('corruptions');
    expect(check).not.toHaveProperty('leaks');
    expect(check['check-errors']).toBe(0);
    const raw = join(dir, 'sink.raw');
    writeRaw(raw, size, []);
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(raw, 'r+');
    for (const [off, b] of pieces) writeSync(fd, b, 0, b.length, off);
    closeSync(fd);
    expect(qemuCompare(raw, out, 'raw', 'qcow2')).toMatchObject({ code: 0 });
    expect(parseQcow2Header(bytesOf(out).subarray(0, 512))).toMatchObject({
      version: 3,
      size,
      clusterBits: 16,
    });
  });
});

describe('Qcow2Source', () => {
  async function readAll(path: string): Promise<Buffer> {
    const src = await Qcow2Source.open(await openImage(path));
    const parts: Buffer[] = [];
    for (let off = 0; off < src.virtualSize; off += MiB) {
      const n = Math.min(MiB, src.virtualSize - off);
      parts.push((await src.read(off, n)) ?? Buffer.alloc(n));
    }
    await src.close();
    return Buffer.concat(parts);
  }

  it('reads v2 and v3 images, compressed clusters and cluster sizes from 512 B to 2 MiB', async () => {
    const want = bytesOf(standard);
    const variants = [
      ['-o', 'compat=0.10'],
      ['-c'],
      ['-c', '-o', 'compat=0.10,cluster_size=4096'],
      ['-o', 'cluster_size=512'],
      ['-o', 'cluster_size=2M'],
    ];
    for (const v of variants) {
      const q = join(dir, `v${v.join('')}.qcow2`);
      qemuImg('convert', '-f', 'raw', '-O', 'qcow2', ...v, standard, q);
      expect(qcow2NativeObstacle(parseQcow2Header(bytesOf(q).subarray(0, 512))), v.join(' ')).toBeUndefined();
      expect((await readAll(q)).equals(want), v.join(' ')).toBe(true);
    }
  });

  it('reads zero clusters as zeros and reports unallocated ranges as null', async () => {
    const q = join(dir, 'zero.qcow2');
    qemuImg('convert', '-f', 'raw', '-O', 'qcow2', standard, q);
    qemuImg('amend', '-f', 'qcow2', '-o', 'compat=1.1', q);
    const { spawnSync } = await import('node:child_process');
    spawnSync('qemu-io', ['-f', 'qcow2', '-c', 'write -z 0 131072', q]);
    const src = await Qcow2Source.open(await openImage(q));
    expect(await src.read(0, 131072)).toBeNull();
    expect(await src.read(1024 * 1024, 65536)).toBeNull();
    expect((await src.read(192 * 1024, 65536))?.subarray(0, 4).toString()).toBe('line');
    await src.close();
    expect(src.virtualSize).toBe(STANDARD_SIZE);
  });

  it('leaves backing files, encryption and zstd to qemu-img', async () => {
    const base = join(dir, 'base.qcow2');
    qemuImg('convert', '-f', 'raw', '-O', 'qcow2', standard, base);
    const child = join(dir, 'child.qcow2');
    qemuImg('create', '-f', 'qcow2', '-b', base, '-F', 'qcow2', child);
    expect(qcow2NativeObstacle(parseQcow2Header(bytesOf(child).subarray(0, 512)))).toBe('a backing file');
    const enc = Buffer.from(bytesOf(base).subarray(0, 512));
    enc.writeUInt32BE(2, 32);
    expect(qcow2NativeObstacle(parseQcow2Header(enc))).toBe('encryption');
    const zstd = join(dir, 'zstd.qcow2');
    qemuImg('convert', '-f', 'raw', '-O', 'qcow2', '-c', '-o', 'compression_type=zstd', standard, zstd);
    expect(qcow2NativeObstacle(parseQcow2Header(bytesOf(zstd).subarray(0, 512)))).toBe('zstd compression');
  });
});
