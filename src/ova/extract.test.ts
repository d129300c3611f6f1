import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { descriptor, rawTar, seededBytes, tempDir, writePackage } from '../../test/fixtures/ova/helpers.js';
import { parseOvf } from '../ovf/index.js';
import { extractOva } from './extract.js';
import { packOva } from './pack.js';

const tmp = tempDir('vessel-extract-');
afterAll(() => tmp.cleanup());
let n = 0;
const DISK = Buffer.concat([seededBytes(50_000, 4), Buffer.alloc(200_000)]);
const fresh = () => {
  const d = join(tmp.dir, `e${n++}`);
  mkdirSync(d);
  return d;
};

async function chunkedGzipOva(): Promise<string> {
  const src = fresh();
  const ova = join(src, 'vm.ova');
  const files = [
    { href: 'disk1.vmdk', data: DISK },
    { href: 'notes.txt', data: Buffer.from('notes'), disk: false },
  ];
  await packOva(writePackage(src, files), ova, { gzipLevel: 6, chunkSize: 4096 });
  return ova;
}

describe('extractOva()', () => {
  test('joins chunks and inflates gzip; the descriptor describes the folder', async () => {
    const out = join(fresh(), 'x');
    const r = await extractOva(await chunkedGzipOva(), out);
    expect(r.intact).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['disk1.vmdk', 'notes.txt', 'vm.ovf']);
    expect(readFileSync(join(out, 'disk1.vmdk'))).toEqual(DISK);
    const env = parseOvf(readFileSync(join(out, 'vm.ovf')));
    expect(env.references.map((f) => [f.href, f.size, f.chunkSize, f.compression])).toEqual([
      ['disk1.vmdk', String(DISK.length), undefined, undefined],
      ['notes.txt', '5', undefined, undefined],
    ]);
  });

  test('hands disk files to the decoder, which writes where it is told', async () => {
    const out = join(fresh(), 'x');
    const seen: string[] = [];
    await extractOva(await chunkedGzipOva(), out, {
      decoder: {
        async decode({ file, disk, body, targetFor }) {
          seen.push(`${file.id}:${disk.diskId}`);
          const path = await targetFor('disk1.img');
          await pipeline(body, createWriteStream(path));
          return { href: 'disk1.img', size: DISK.length };
        },
      },
    });
    expect(seen).toEqual(['file1:vmdisk1']);
    expect(readFileSync(join(out, 'disk1.img'))).toEqual(DISK);
    const env = parseOvf(readFileSync(join(out, 'vm.ovf')));
    expect(env.references[0]?.href).toBe('disk1.img');
    const disks = env.sections.find((s) => s.kind === 'DiskSection');
    expect(disks?.kind === 'DiskSection' && disks.disks[0]?.format).toBeUndefined();
  });

  test('a lying manifest removes everything written, including the folder it created', async () => {
    const tar = await rawTar([
      { header: { name: 'vm.ovf' }, data: descriptor([{ href: 'disk1.vmdk', length: DISK.length }]) },
      { header: { name: 'vm.mf' }, data: `SHA1(disk1.vmdk)= ${'0'.repeat(40)}\n` },
      { header: { name: 'disk1.vmdk' }, data: DISK },
    ]);
    const base = fresh();
    const ova = join(base, 'bad.ova');
    writeFileSync(ova, tar);
    await expect(extractOva(ova, join(base, 'x'))).rejects.toMatchObject({ code: 'OVA_DIGEST_MISMATCH' });
    expect(existsSync(join(base, 'x'))).toBe(false);
  });
});
