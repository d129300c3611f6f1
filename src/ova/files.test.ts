import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { collect, descriptor, rawTar, seededBytes, tempDir } from '../../test/fixtures/ova/helpers.js';
import { readOvaDescriptor } from './descriptor.js';
import { packageFiles } from './files.js';
import { OvaReader } from './reader.js';

const tmp = tempDir('vessel-files-');
afterAll(() => tmp.cleanup());
let n = 0;
const DISK = seededBytes(300_000, 9);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const save = (tar: Buffer) => {
  const p = join(tmp.dir, `f${n++}.ova`);
  writeFileSync(p, tar);
  return p;
};

/** A package with a chunked gzip disk and a small second file, with a correct manifest. */
async function chunkedGzip(): Promise<string> {
  const gz = gzipSync(DISK);
  const half = Math.ceil(gz.length / 2);
  const parts = [gz.subarray(0, half), gz.subarray(half)];
  const ovf = descriptor([
    { href: 'disk1.vmdk', length: gz.length, chunkSize: half, compression: 'gzip' },
    { href: 'notes.txt', length: 5, disk: false },
  ]);
  const names = ['disk1.vmdk.000000000', 'disk1.vmdk.000000001'];
  const mf = [
    `SHA256(vm.ovf)= ${sha256(ovf)}`,
    ...names.map((nm, i) => `SHA256(${nm})= ${sha256(parts[i]!)}`),
    `SHA256(notes.txt)= ${sha256('notes')}`,
  ].join('\n');
  return save(
    await rawTar([
      { header: { name: 'vm.ovf' }, data: ovf },
      { header: { name: 'vm.mf' }, data: `${mf}\n` },
      ...names.map((name, i) => ({ header: { name }, data: parts[i]! })),
      { header: { name: 'notes.txt' }, data: 'notes' },
    ]),
  );
}

describe('packageFiles()', () => {
  test('joins chunks and inflates gzip while the reader verifies', async () => {
    const reader = new OvaReader(await chunkedGzip());
    const got: Record<string, Buffer> = {};
    for await (const f of packageFiles(reader)) got[f.file.href] = await collect(f.body);
    expect(got['disk1.vmdk']).toEqual(DISK);
    expect(got['notes.txt']?.toString()).toBe('notes');
    expect(reader.report()).toMatchObject({ intact: true, problems: [] });
  });

  test('a consumer may stop early or skip a file: the rest is still read and verified', async () => {
    const reader = new OvaReader(await chunkedGzip());
    const seen: string[] = [];
    for await (const f of packageFiles(reader)) {
      seen.push(f.file.href);
      if (f.file.href === 'disk1.vmdk') {
        for await (const _c of f.body) break; // one chunk of the inflated disk, then stop
      }
    }
    expect(seen).toEqual(['disk1.vmdk', 'notes.txt']);
    expect(
      reader
        .report()
        .members.filter((m) => m.role === 'file')
        .every((m) => m.verified),
    ).toBe(true);
  });

  test('a disk that does not match the manifest fails in the pipeline that consumes it', async () => {
    const ovf = descriptor([{ href: 'disk1.vmdk', length: DISK.length }]);
    const ova = save(
      await rawTar([
        { header: { name: 'vm.ovf' }, data: ovf },
        { header: { name: 'vm.mf' }, data: `SHA256(disk1.vmdk)= ${sha256('not the disk')}\n` },
        { header: { name: 'disk1.vmdk' }, data: DISK },
      ]),
    );
    let received = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        cb();
      },
    });
    const run = async () => {
      for await (const f of packageFiles(new OvaReader(ova))) await pipeline(f.body, sink);
    };
    await expect(run()).rejects.toMatchObject({ code: 'OVA_DIGEST_MISMATCH', member: 'disk1.vmdk' });
    expect(received).toBe(DISK.length);
  });

  test('corrupt gzip data and unsupported compression are reported as OVA_COMPRESSION', async () => {
    for (const [compression, data] of [
      ['gzip', Buffer.from('definitely not gzip')],
      ['bzip2', Buffer.from('BZh9')],
    ] as const) {
      const ovf = descriptor([{ href: 'disk1.vmdk', length: data.length, compression }]);
      const ova = save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: ovf },
          { header: { name: 'disk1.vmdk' }, data },
        ]),
      );
      const run = async () => {
        for await (const f of packageFiles(new OvaReader(ova))) await collect(f.body);
      };
      await expect(run()).rejects.toMatchObject({ code: 'OVA_COMPRESSION' });
    }
  });

  test('a gzip bomb inflates only as far as the consumer reads', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const ovf = descriptor([{ href: 'disk1.vmdk', length: bomb.length, compression: 'gzip' }]);
    const ova = save(
      await rawTar([
        { header: { name: 'vm.ovf' }, data: ovf },
        { header: { name: 'disk1.vmdk' }, data: bomb },
      ]),
    );
    const reader = new OvaReader(ova);
    for await (const f of packageFiles(reader)) {
      let read = 0;
      for await (const c of f.body) {
        read += c.length;
        if (read >= 1024 * 1024) break;
      }
      expect(read).toBeLessThan(4 * 1024 * 1024);
    }
    expect(reader.report().intact).toBe(true);
  });
});

describe('readOvaDescriptor()', () => {
  test('returns the first member without reading further', async () => {
    const ovf = descriptor([{ href: 'disk1.vmdk', length: 3 }]);
    const tar = await rawTar([
      { header: { name: 'vm.ovf' }, data: ovf },
      { header: { name: 'disk1.vmdk' }, data: 'abc' },
    ]);
    const cut = save(tar.subarray(0, tar.length - 1536)); // truncated after the descriptor: not read, so no error
    expect(await readOvaDescriptor(cut)).toEqual({ name: 'vm.ovf', data: Buffer.from(ovf) });
  });

  test('refuses an archive whose first member is not a descriptor', async () => {
    const tar = await rawTar([{ header: { name: 'disk1.vmdk' }, data: 'abc' }]);
    await expect(readOvaDescriptor(save(tar))).rejects.toMatchObject({ code: 'OVA_NO_DESCRIPTOR' });
  });
});
