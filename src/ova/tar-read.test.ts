import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { flipBit, type RawMember, rawTar, tempDir } from '../../test/fixtures/ova/helpers.js';
import { OvaError } from './errors.js';
import { decodeTarHeader, encodeTarHeader } from './tar-header.js';
import { readTarEntries } from './tar-read.js';

const tmp = tempDir('vessel-tar-');
afterAll(() => tmp.cleanup());

/** Reads every entry (draining bodies); returns the names, or the error thrown. */
async function list(archive: Buffer | string): Promise<string[] | OvaError> {
  const src = typeof archive === 'string' ? archive : Readable.from([archive]);
  const names: string[] = [];
  try {
    for await (const e of readTarEntries(src, 'test.ova')) names.push(e.name);
    return names;
  } catch (e) {
    if (e instanceof OvaError) return e;
    throw e;
  }
}

const file = (name: string, data = 'x'): RawMember => ({ header: { name }, data });

describe('readTarEntries() refuses what an OVA must never hold', () => {
  test.each<[string, RawMember, string]>([
    [
      'a symlink',
      { header: { name: 'disk.vmdk', type: 'symlink', linkname: '/etc/shadow' } },
      'OVA_MEMBER_TYPE',
    ],
    ['a hard link', { header: { name: 'disk.vmdk', type: 'link', linkname: 'vm.ovf' } }, 'OVA_MEMBER_TYPE'],
    [
      'a character device',
      { header: { name: 'null', type: 'character-device', devmajor: 1, devminor: 3 } },
      'OVA_MEMBER_TYPE',
    ],
    ['a block device', { header: { name: 'sda', type: 'block-device', devmajor: 8 } }, 'OVA_MEMBER_TYPE'],
    ['a fifo', { header: { name: 'pipe', type: 'fifo' } }, 'OVA_MEMBER_TYPE'],
    ['a directory', { header: { name: 'disks', type: 'directory' } }, 'OVA_MEMBER_TYPE'],
    ['a path climbing out with ..', file('../../../tmp/evil'), 'OVA_UNSAFE_NAME'],
    ['an absolute path', file('/etc/cron.d/evil'), 'OVA_UNSAFE_NAME'],
    ['a backslash path', file('..\\..\\evil'), 'OVA_UNSAFE_NAME'],
    ['a newline in the name', file('disk.vmdk\n../evil'), 'OVA_UNSAFE_NAME'],
    [
      'a pax path with a NUL that climbs out',
      { header: { name: 'disk.vmdk', pax: { path: 'disk.vmdk\u0000/../../evil' } }, data: 'x' },
      'OVA_UNSAFE_NAME',
    ],
    [
      'a pax path climbing out behind a safe ustar name',
      { header: { name: 'disk.vmdk', pax: { path: '../evil' } }, data: 'x' },
      'OVA_UNSAFE_NAME',
    ],
    ['a chunk name climbing out', file('../disk.vmdk.000000000'), 'OVA_UNSAFE_NAME'],
  ])('%s', async (_what, member, code) => {
    const result = await list(await rawTar([file('vm.ovf'), member]));
    expect(result).toBeInstanceOf(OvaError);
    expect((result as OvaError).code).toBe(code);
  });

  test('a member that appears twice', async () => {
    const result = await list(
      await rawTar([file('vm.ovf'), file('disk.vmdk', 'a'), file('./disk.vmdk', 'b')]),
    );
    expect(result).toMatchObject({ code: 'OVA_DUPLICATE', member: 'disk.vmdk' });
  });
});

describe('readTarEntries() on broken archives', () => {
  test('an archive cut inside a member is truncated', async () => {
    const tar = await rawTar([file('vm.ovf', 'x'.repeat(3000))]);
    expect(await list(tar.subarray(0, 2048))).toMatchObject({ code: 'OVA_TRUNCATED' });
  });

  test('an archive cut inside a header is truncated', async () => {
    const tar = await rawTar([file('vm.ovf'), file('disk.vmdk')]);
    expect(await list(tar.subarray(0, 1024 + 100))).toMatchObject({ code: 'OVA_TRUNCATED' });
  });

  test('an archive cut exactly after a member (no end-of-archive blocks) is truncated', async () => {
    const tar = await rawTar([file('vm.ovf'), file('disk.vmdk')]);
    expect(await list(tar.subarray(0, 2048))).toMatchObject({ code: 'OVA_TRUNCATED' });
  });

  test('zero padding after the end-of-archive blocks that is not a multiple of 512 is accepted, as GNU tar does', async () => {
    const tar = await rawTar([file('vm.ovf'), file('disk.vmdk', 'd'.repeat(700))]);
    for (const extra of [1, 100, 511, 513, 9000]) {
      const padded = Buffer.concat([tar, Buffer.alloc(extra)]);
      const path = join(tmp.dir, `padded-${extra}.ova`);
      writeFileSync(path, padded);
      execFileSync('tar', ['-tf', path]); // GNU tar agrees that it is a valid archive
      expect(await list(padded)).toEqual(['vm.ovf', 'disk.vmdk']);
      expect(await list(path)).toEqual(['vm.ovf', 'disk.vmdk']);
    }
  });

  test('non-zero bytes after the end-of-archive blocks are refused, whatever their length', async () => {
    const tar = await rawTar([file('vm.ovf'), file('disk.vmdk')]);
    expect(await list(Buffer.concat([tar, Buffer.from('junk')]))).toMatchObject({ code: 'OVA_CORRUPT' });
    const late = Buffer.concat([tar, Buffer.alloc(300), Buffer.from([1])]);
    expect(await list(late)).toMatchObject({ code: 'OVA_CORRUPT' });
  });

  test('one end-of-archive block and a partial second one is accepted; a partial first one is truncated', async () => {
    const tar = await rawTar([file('vm.ovf'), file('disk.vmdk')]);
    const members = tar.length - 1024; // rawTar writes the two POSIX zero blocks
    expect(await list(tar.subarray(0, members + 512 + 100))).toEqual(['vm.ovf', 'disk.vmdk']);
    expect(await list(tar.subarray(0, members + 100))).toMatchObject({ code: 'OVA_TRUNCATED' });
  });

  test('bytes that are not tar, a gzip-compressed tar, and an empty file are not tar archives', async () => {
    const tar = await rawTar([file('vm.ovf')]);
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(1024, 7)]);
    expect(await list(png)).toMatchObject({ code: 'OVA_NOT_TAR' });
    const gz = (await list(gzipSync(tar))) as OvaError;
    expect(gz).toMatchObject({ code: 'OVA_NOT_TAR', hint: 'Decompress it with gunzip first.' });
    expect(await list(Buffer.alloc(0))).toMatchObject({ code: 'OVA_NOT_TAR' });
  });

  test('a damaged header after the first member is corruption', async () => {
    const tar = await rawTar([file('vm.ovf'), file('disk.vmdk')]);
    flipBit(tar, 1024 + 10); // inside the second header: its checksum no longer matches
    expect(await list(tar)).toMatchObject({ code: 'OVA_CORRUPT' });
  });

  test('a file that does not exist is FILE_NOT_FOUND', async () => {
    expect(await list(join(tmp.dir, 'missing.ova'))).toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  test('a valid archive lists its members in order, from a file and from a stream', async () => {
    const tar = await rawTar([file('vm.ovf'), file('./vm.mf'), file('disk.vmdk', 'd'.repeat(5000))]);
    const path = join(tmp.dir, 'ok.tar');
    writeFileSync(path, tar);
    expect(await list(path)).toEqual(['vm.ovf', 'vm.mf', 'disk.vmdk']);
    expect(await list(tar)).toEqual(['vm.ovf', 'vm.mf', 'disk.vmdk']);
  });
});

describe('ustar headers', () => {
  test('members of 8 GiB and more get a GNU base-256 size that GNU tar and tar-stream read back', async () => {
    const size = 9 * 1024 ** 3 + 5;
    const header = encodeTarHeader({ name: 'big.vmdk', size, mtime: new Date(0) })!;
    expect(header[124]).toBe(0x80);
    expect(header.subarray(257, 263).toString('latin1')).toBe('ustar\u0000');
    expect(decodeTarHeader(header)?.size).toBe(size);
    // A sparse archive: the header, a hole for the data, the end blocks. GNU tar lists it without reading the data.
    const path = join(tmp.dir, 'big.tar');
    const fd = openSync(path, 'w');
    writeSync(fd, header, 0, 512, 0);
    ftruncateSync(fd, 512 + Math.ceil(size / 512) * 512 + 1024);
    closeSync(fd);
    expect(execFileSync('tar', ['tvf', path], { encoding: 'utf8' })).toContain(` ${size} `);
    for await (const e of readTarEntries(path)) {
      expect(e).toMatchObject({ name: 'big.vmdk', size });
      break; // the reader handed out the entry from its header alone
    }
  });

  test('sizes below 8 GiB stay octal', () => {
    const header = encodeTarHeader({ name: 'a', size: 8 * 1024 ** 3 - 1 })!;
    expect(header.subarray(124, 135).toString('latin1')).toBe('77777777777');
  });
});
