import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuImg, STANDARD_SIZE, tempDir, writeRaw, writeStandard } from '../../test/fixtures/disk/images.js';
import { convert } from './convert.js';
import { probe } from './probe.js';
import type { ProbeResult } from './types.js';

let dir: string;
let cleanup: () => Promise<void>;
let standard: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  standard = join(dir, 'standard.raw');
  writeStandard(standard);
});
afterAll(() => cleanup());

/** Flips the low bit of byte `i`. */
const flip = (b: Buffer, i: number) => b.writeUInt8(b.readUInt8(i) ^ 1, i);
const errors = (r: ProbeResult) => r.problems.filter((p) => p.severity === 'error').map((p) => p.code);

/** Makes an image from the standard disk with qemu-img. */
function make(name: string, ...args: string[]): string {
  const out = join(dir, name);
  qemuImg('convert', '-f', 'raw', ...args, standard, out);
  return out;
}

/** Copies a file with `edit` applied to its bytes. */
function edited(src: string, name: string, edit: (b: Buffer) => Buffer | undefined): string {
  const b = Buffer.from(readFileSync(src));
  const out = join(dir, name);
  writeFileSync(out, edit(b) ?? b);
  return out;
}

describe('probe()', () => {
  it('recognizes every format qemu-img writes, by its bytes, with the virtual size', async () => {
    const cases: Array<[string, string[], string, string | undefined]> = [
      ['a.img', ['-O', 'raw'], 'raw', undefined],
      ['v2.img', ['-O', 'qcow2', '-o', 'compat=0.10'], 'qcow2', 'v2'],
      ['v3.img', ['-O', 'qcow2'], 'qcow2', 'v3'],
      ['sparse.img', ['-O', 'vmdk'], 'vmdk', 'monolithicSparse'],
      ['so.img', ['-O', 'vmdk', '-o', 'subformat=streamOptimized'], 'vmdk-stream', 'streamOptimized'],
      ['fixed.img', ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on'], 'vhd', 'fixed'],
      ['dyn.img', ['-O', 'vpc', '-o', 'subformat=dynamic,force_size=on'], 'vhd', 'dynamic'],
      ['x.img', ['-O', 'vhdx'], 'vhdx', undefined],
      ['vdi.img', ['-O', 'vdi'], 'vdi', 'dynamic'],
      ['vdis.img', ['-O', 'vdi', '-o', 'static=on'], 'vdi', 'static'],
    ];
    for (const [name, args, format, subformat] of cases) {
      const r = await probe(make(name, ...args));
      expect(r, name).toMatchObject({ format, virtualSize: STANDARD_SIZE, problems: [] });
      if (subformat) expect(r.subformat, name).toBe(subformat);
      expect(r.fileSize).toBeGreaterThan(0);
      expect(r.allocatedSize).toBeGreaterThan(0);
    }
  });

  it('reports the populated size of sparse formats and the layout of a stream VMDK', async () => {
    const q = await probe(make('pop.qcow2', '-O', 'qcow2'));
    expect(q.populatedSize).toBe(16 * 65536);
    const tablesFirst = await probe(make('pop.vmdk', '-O', 'vmdk', '-o', 'subformat=streamOptimized'));
    expect(tablesFirst.details).toMatchObject({ layout: 'tables-first', adapterType: 'ide' });
    expect(tablesFirst.populatedSize).toBe(16 * 65536);
    await convert(standard, join(dir, 'native.vmdk'), 'vmdk-stream');
    const native = await probe(join(dir, 'native.vmdk'));
    expect(native.details).toMatchObject({
      layout: 'stream',
      adapterType: 'lsilogic',
      createType: 'streamOptimized',
    });
    expect(native.populatedSize).toBe(16 * 65536);
  });

  it('reads text descriptors, reports their extents as references, and missing or short extents', async () => {
    const flat = make('flat.vmdk', '-O', 'vmdk', '-o', 'subformat=monolithicFlat');
    const f = await probe(flat);
    expect(f).toMatchObject({ format: 'vmdk', subformat: 'monolithicFlat', virtualSize: STANDARD_SIZE });
    expect(f.references).toEqual([
      { kind: 'vmdk-extent', name: 'flat-flat.vmdk', offset: expect.any(Number) },
    ]);
    expect(errors(f)).toEqual(['DISK_EXTERNAL_REFERENCE']);
    truncateSync(join(dir, 'flat-flat.vmdk'), 4096);
    expect(errors(await probe(flat))).toEqual(['DISK_EXTERNAL_REFERENCE', 'VMDK_EXTENT_SHORT']);
    const split = make('split.vmdk', '-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse');
    expect((await probe(split)).subformat).toBe('twoGbMaxExtentSparse');
    writeFileSync(join(dir, 'orphan.vmdk'), readFileSync(split, 'utf8').replace('split-s001', 'gone-s001'));
    expect(errors(await probe(join(dir, 'orphan.vmdk')))).toEqual([
      'DISK_EXTERNAL_REFERENCE',
      'VMDK_EXTENT_MISSING',
    ]);
  });

  it('reports qcow2 backing files as references, dirty and corrupt bits', async () => {
    const base = make('base.qcow2', '-O', 'qcow2');
    const child = join(dir, 'child.qcow2');
    qemuImg('create', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', child);
    const c = await probe(child);
    expect(c.details.backingFile).toBe('base.qcow2');
    expect(c.references.map((r) => [r.kind, r.name])).toEqual([
      ['qcow-backing', 'base.qcow2'],
      ['qcow2-backing-format', 'qcow2'],
    ]);
    expect(c.problems.map((p) => p.code)).toEqual(['DISK_EXTERNAL_REFERENCE', 'DISK_EXTERNAL_REFERENCE']);
    const dirty = await probe(edited(base, 'dirty.qcow2', (b) => void b.writeUInt8(1, 79)));
    expect(dirty.problems).toMatchObject([{ severity: 'warning', code: 'QCOW2_DIRTY', offset: 72 }]);
    expect(errors(await probe(edited(base, 'corrupt.qcow2', (b) => void b.writeUInt8(2, 79))))).toEqual([
      'QCOW2_CORRUPT_BIT',
    ]);
  });

  it('finds truncated images of each format', async () => {
    const cut = (src: string, name: string, keep: (n: number) => number) =>
      edited(src, name, (b) => b.subarray(0, keep(b.length)));
    const q = make('t.qcow2', '-O', 'qcow2');
    expect(errors(await probe(cut(q, 'tq.qcow2', (n) => n - 4 * 65536)))).toContain('QCOW2_TRUNCATED');
    await convert(standard, join(dir, 't.vmdk'), 'vmdk-stream');
    const so = await probe(cut(join(dir, 't.vmdk'), 'ts.vmdk', (n) => n - 1024));
    expect(so.problems[0]).toMatchObject({ code: 'VMDK_TRUNCATED', severity: 'error' });
    const tf = make('tf.vmdk', '-O', 'vmdk', '-o', 'subformat=streamOptimized');
    expect(errors(await probe(cut(tf, 'ttf.vmdk', (n) => n - 120_000)))).toEqual(['VMDK_TRUNCATED']);
    const dyn = make('t.vhd', '-O', 'vpc', '-o', 'subformat=dynamic,force_size=on');
    expect(errors(await probe(cut(dyn, 'td.vhd', (n) => n - 512 - 200_000)))).toContain('VHD_TRUNCATED');
    const vdi = make('t.vdi', '-O', 'vdi');
    expect(errors(await probe(cut(vdi, 'tv.vdi', (n) => n - 300_000)))).toContain('VDI_TRUNCATED');
    const vhdx = make('t.vhdx', '-O', 'vhdx');
    expect(errors(await probe(cut(vhdx, 'tx.vhdx', () => 150 * 1024)))).toEqual(['VHDX_REGIONS']);
    const tiny = join(dir, 'tiny.qcow2');
    writeFileSync(tiny, Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]));
    expect(errors(await probe(tiny))).toEqual(['TRUNCATED_HEADER']);
  });

  it('finds broken checksums and headers', async () => {
    const fixed = make('c.vhd', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on');
    expect(errors(await probe(edited(fixed, 'cc.vhd', (b) => void flip(b, b.length - 512 + 40))))).toEqual([
      'VHD_CHECKSUM',
    ]);
    const vhdx = make('c.vhdx', '-O', 'vhdx');
    const bad = edited(vhdx, 'cc.vhdx', (b) => {
      flip(b, 65536 + 100);
      flip(b, 131072 + 100);
      return b;
    });
    expect(errors(await probe(bad))).toEqual(['VHDX_HEADER']);
    const so = make('huge.vmdk', '-O', 'vmdk', '-o', 'subformat=streamOptimized');
    const huge = await probe(edited(so, 'huge2.vmdk', (b) => void b.writeBigUInt64LE(2n ** 41n, 12)));
    expect(huge.problems[0]).toMatchObject({ code: 'VMDK_TOO_LARGE', offset: 12 });
  });

  it('finds a corrupt grain only with the deep check, and qcow2 refcount damage through qemu-img check', async () => {
    await convert(standard, join(dir, 'deep.vmdk'), 'vmdk-stream');
    const bad = edited(
      join(dir, 'deep.vmdk'),
      'deep-bad.vmdk',
      (b) => void b.fill(0x55, 65536 + 12, 65536 + 40),
    );
    expect(errors(await probe(bad))).toEqual([]);
    const deep = await probe(bad, { deep: true });
    expect(deep.problems).toMatchObject([{ code: 'VMDK_CORRUPT', offset: 65536 }]);
    const q = make('deep.qcow2', '-O', 'qcow2');
    const { refcountTableOffset } = { refcountTableOffset: Number(readFileSync(q).readBigUInt64BE(48)) };
    const rb = Number(readFileSync(q).readBigUInt64BE(refcountTableOffset));
    const broken = edited(q, 'deep-bad.qcow2', (b) => void b.writeUInt16BE(0, rb + 2 * 3));
    expect(errors(await probe(broken))).toEqual([]);
    expect(errors(await probe(broken, { deep: true }))).toEqual(['QEMU_CHECK']);
  });

  it('recognizes ISO 9660, gzip members with their content, tar, and falls back to raw', async () => {
    mkdirSync(join(dir, 'isoroot'));
    writeFileSync(join(dir, 'isoroot', 'hello.txt'), 'hello');
    spawnSync('genisoimage', ['-quiet', '-V', 'VESSELTEST', '-o', join(dir, 'x.iso'), join(dir, 'isoroot')]);
    expect(await probe(join(dir, 'x.iso'))).toMatchObject({
      format: 'iso',
      details: { volumeId: 'VESSELTEST' },
    });
    await convert(standard, join(dir, 'g.vmdk'), 'vmdk-stream');
    writeFileSync(join(dir, 'g.vmdk.gz'), gzipSync(readFileSync(join(dir, 'g.vmdk'))));
    const gz = await probe(join(dir, 'g.vmdk.gz'));
    expect(gz).toMatchObject({
      format: 'gzip',
      inner: { format: 'vmdk-stream', virtualSize: STANDARD_SIZE },
    });
    const cutGz = edited(join(dir, 'g.vmdk.gz'), 'cut.gz', (b) => b.subarray(0, b.length - 100));
    expect(errors(await probe(cutGz, { deep: true }))).toEqual(['GZIP_CORRUPT']);
    spawnSync('tar', ['-cf', join(dir, 'x.tar'), '-C', dir, 'g.vmdk']);
    expect(await probe(join(dir, 'x.tar'))).toMatchObject({
      format: 'tar',
      details: { firstMember: 'g.vmdk' },
    });
    writeRaw(join(dir, 'empty.raw'), 0, []);
    expect(await probe(join(dir, 'empty.raw'))).toMatchObject({
      format: 'raw',
      virtualSize: 0,
      problems: [],
    });
  });

  it('throws FILE_NOT_FOUND for a missing file and IO_DISK for a directory', async () => {
    await expect(probe(join(dir, 'missing'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(probe(dir)).rejects.toMatchObject({ code: 'IO_DISK' });
  });
});
