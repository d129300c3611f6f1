import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesOf,
  collect,
  qemuCompare,
  qemuImg,
  readWithLibvmdk,
  SPREAD_SIZE,
  STANDARD_SIZE,
  sameBytes,
  tempDir,
  writeRaw,
  writeSpread,
  writeStandard,
} from '../../../test/fixtures/disk/images.js';
import { writeEncoded } from '../convert.js';
import { DiskError } from '../errors.js';
import { encodeStreamVmdk } from './encoder.js';
import { Marker, parseSparseHeader } from './header.js';

let dir: string;
let cleanup: () => Promise<void>;
let standard: string;
let spread: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  standard = join(dir, 'standard.raw');
  spread = join(dir, 'spread.raw');
  writeStandard(standard);
  writeSpread(spread);
});
afterAll(() => cleanup());

/** Walks the records of a stream-layout file: [offset, kind, lba-or-numSectors]. */
function records(b: Buffer): Array<[number, string, number]> {
  const out: Array<[number, string, number]> = [];
  const h = parseSparseHeader(b);
  let off = h.overHead * 512;
  while (off < b.length) {
    const size = b.readUInt32LE(off + 8);
    const n = Number(b.readBigUInt64LE(off));
    if (size > 0) {
      out.push([off, 'grain', n]);
      off += Math.ceil((12 + size) / 512) * 512;
    } else {
      const type = b.readUInt32LE(off + 12);
      out.push([off, ['eos', 'gt', 'gd', 'footer'][type] ?? `type${type}`, n]);
      off += 512 + n * 512;
    }
  }
  return out;
}

describe('encodeStreamVmdk()', () => {
  it('writes the header and descriptor VMware tools expect', async () => {
    const out = join(dir, 'hdr.vmdk');
    await writeEncoded(
      encodeStreamVmdk(standard, { adapterType: 'buslogic', fileName: 'web1-disk1.vmdk' }),
      out,
    );
    const b = bytesOf(out);
    const h = parseSparseHeader(b);
    expect(b.subarray(0, 4).toString('latin1')).toBe('KDMV');
    expect(h).toMatchObject({
      version: 3,
      flags: 0x30001,
      grainSize: 128,
      numGTEsPerGT: 512,
      gdOffset: undefined,
    });
    expect(h).toMatchObject({ descriptorOffset: 1, compressAlgorithm: 1, newlineOk: true, overHead: 128 });
    expect(h.capacity).toBe(STANDARD_SIZE / 512);
    expect([...b.subarray(73, 77)]).toEqual([0x0a, 0x20, 0x0d, 0x0a]);
    const desc = b
      .subarray(512, 512 * 21)
      .toString('utf8')
      .replace(/\0+$/, '');
    expect(desc.split('\n')[0]).toBe('# Disk DescriptorFile');
    expect(desc).toContain('createType="streamOptimized"');
    expect(desc).toContain(`RW ${STANDARD_SIZE / 512} SPARSE "web1-disk1.vmdk"`);
    expect(desc).toContain('ddb.adapterType = "buslogic"');
    expect(desc.indexOf('ddb.adapterType')).toBeLessThan(512);
  });

  it('lays grains out in ascending LBA order, then GT, GD, footer and end-of-stream marker', async () => {
    const out = join(dir, 'layout.vmdk');
    await writeEncoded(encodeStreamVmdk(spread), out);
    const b = bytesOf(out);
    const recs = records(b);
    const grains = recs.filter((r) => r[1] === 'grain').map((r) => r[2]);
    expect(grains).toEqual([...grains].sort((x, y) => x - y));
    expect(grains.every((l) => l % 128 === 0)).toBe(true);
    expect(recs.map((r) => r[1]).filter((k) => k !== 'grain')).toEqual(['gt', 'gt', 'gd', 'footer', 'eos']);
    // The footer is 1024 bytes from the end, its marker 1536, and it carries the real GD offset.
    expect(recs.at(-2)![0]).toBe(b.length - 1536);
    const footer = parseSparseHeader(b.subarray(b.length - 1024));
    const gdAt = footer.gdOffset! * 512;
    expect(b.readUInt32LE(gdAt - 512 + 12)).toBe(Marker.GD);
    // Group 1 (32..64 MiB) holds no data: its directory entry is 0; groups 0 and 2 point at GTs.
    expect(b.readUInt32LE(gdAt + 4)).toBe(0);
    for (const g of [0, 2]) {
      const gt = b.readUInt32LE(gdAt + g * 4) * 512;
      expect(b.readUInt32LE(gt - 512 + 12)).toBe(Marker.GT);
      const first = b.readUInt32LE(gt + (g === 0 ? 0 : ((65 * 2 ** 20) / 65536 - 1024) * 4)) * 512;
      expect(Number(b.readBigUInt64LE(first))).toBe(g === 0 ? 0 : (65 * 2 ** 20) / 512);
    }
  });

  it('produces files qemu-img finds identical to the source and clean', async () => {
    for (const src of [standard, spread]) {
      const out = `${src}.vmdk`;
      await writeEncoded(encodeStreamVmdk(src), out);
      expect(qemuCompare(src, out, 'raw', 'vmdk')).toMatchObject({ code: 0 });
      expect(qemuImg('check', '-f', 'vmdk', out)).toContain('No errors were found');
      expect(JSON.parse(qemuImg('info', '--output=json', out))['virtual-size']).toBe(statSync(src).size);
    }
  });

  it('produces files libvmdk reads: vmdkinfo and the data through pyvmdk', async () => {
    // libvmdk opens the extent named in the descriptor, so the name must be the file's own.
    const out = join(dir, 'libvmdk.vmdk');
    await writeEncoded(encodeStreamVmdk(spread, { fileName: 'libvmdk.vmdk' }), out);
    const info = spawnSync('vmdkinfo', [out], { encoding: 'utf8' });
    expect(info.status).toBe(0);
    expect(info.stdout).toContain('Stream optimized');
    expect(info.stdout).toContain(`(${SPREAD_SIZE} bytes)`);
    readWithLibvmdk(out, join(dir, 'libvmdk.raw'));
    expect(sameBytes(join(dir, 'libvmdk.raw'), spread)).toBe(true);
  });

  it('skips zero grains: an all-zero disk is only header, directory, footer and end marker', async () => {
    const zero = join(dir, 'zero.raw');
    writeRaw(zero, 5 * 2 ** 20, []);
    const b = await collect(encodeStreamVmdk(zero));
    expect(records(b).map((r) => r[1])).toEqual(['gd', 'footer', 'eos']);
    expect(b.length).toBe(65536 + 1024 + 1536);
    writeFileSync(`${zero}.vmdk`, b);
    expect(qemuCompare(zero, `${zero}.vmdk`)).toMatchObject({ code: 0 });
  });

  it('reads qcow2 natively, including compressed and zero clusters and odd cluster sizes', async () => {
    const raw = join(dir, 'standard.raw');
    for (const opts of [['-c'], ['-o', 'cluster_size=4096'], ['-o', 'cluster_size=2M']]) {
      const q = join(dir, `src-${opts.join('')}.qcow2`);
      qemuImg('convert', '-f', 'raw', '-O', 'qcow2', ...opts, raw, q);
      spawnSync('qemu-io', ['-f', 'qcow2', '-c', 'write -z 2097152 65536', q]);
      const expected = join(dir, 'expected.raw');
      qemuImg('convert', '-O', 'raw', q, expected);
      const out = `${q}.vmdk`;
      await writeEncoded(encodeStreamVmdk(q), out);
      expect(qemuCompare(expected, out, 'raw', 'vmdk')).toMatchObject({ code: 0 });
    }
  });

  it('encodes other formats through a temporary raw copy made by qemu-img', async () => {
    const vhdx = join(dir, 'src.vhdx');
    qemuImg('convert', '-O', 'vhdx', standard, vhdx);
    const out = join(dir, 'from-vhdx.vmdk');
    await writeEncoded(encodeStreamVmdk(vhdx, { tmpDir: dir }), out);
    expect(qemuCompare(standard, out, 'raw', 'vmdk')).toMatchObject({ code: 0 });
  });

  it('reports the exact byte count, populated size and progress', async () => {
    const events: number[] = [];
    const enc = encodeStreamVmdk(spread, { onProgress: (e) => events.push(e.done) });
    const b = await collect(enc);
    const r = await enc.result;
    expect(r.bytes).toBe(b.length);
    expect(enc.bytes).toBe(b.length);
    expect(r.virtualSize).toBe(SPREAD_SIZE);
    // Grains with data: 5 (300 KiB of text), 1, 16 (1 MiB) and 1.
    expect(r.populatedSize).toBe(23 * 65536);
    expect(events).toEqual([...events].sort((x, y) => x - y));
    expect(events.at(-1)).toBe(SPREAD_SIZE);
  });

  it('a higher zlib level gives smaller output, and both decode to the same disk', async () => {
    const fast = await collect(encodeStreamVmdk(standard, { level: 1 }));
    const best = await collect(encodeStreamVmdk(standard, { level: 9 }));
    expect(best.length).toBeLessThan(fast.length);
    writeFileSync(join(dir, 'l1.vmdk'), fast);
    writeFileSync(join(dir, 'l9.vmdk'), best);
    expect(qemuCompare(join(dir, 'l1.vmdk'), join(dir, 'l9.vmdk'))).toMatchObject({ code: 0 });
    expect(() => encodeStreamVmdk(standard, { level: 12 })).toThrow(/zlib level/);
  });

  it('stops with DISK_ABORTED when the signal fires, and when the consumer stops early', async () => {
    const ac = new AbortController();
    const enc = encodeStreamVmdk(spread, {
      signal: ac.signal,
      onProgress: (e) => e.done > 8 * 2 ** 20 && ac.abort(),
    });
    await expect(collect(enc)).rejects.toMatchObject({ code: 'DISK_ABORTED' });
    await expect(enc.result).rejects.toBeInstanceOf(DiskError);

    const enc2 = encodeStreamVmdk(spread);
    for await (const _ of enc2) break;
    await expect(enc2.result).rejects.toMatchObject({ code: 'DISK_ABORTED' });
  });

  it('refuses a missing source with FILE_NOT_FOUND', async () => {
    await expect(collect(encodeStreamVmdk(join(dir, 'nope.raw')))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    expect(readFileSync(standard).length).toBe(STANDARD_SIZE);
  });
});
