import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { descriptor, rawTar, seededBytes, tempDir, writePackage } from '../../test/fixtures/ova/helpers.js';
import { packOva } from './pack.js';
import { unpackOva } from './unpack.js';
import { verifyOva } from './verify.js';

const tmp = tempDir('vessel-unpack-');
afterAll(() => tmp.cleanup());
let n = 0;
const DISK = seededBytes(150_000, 11);
const fresh = () => {
  const d = join(tmp.dir, `u${n++}`);
  mkdirSync(d);
  return d;
};
const save = (tar: Buffer) => {
  const p = join(tmp.dir, `t${n++}.ova`);
  writeFileSync(p, tar);
  return p;
};

describe('unpackOva()', () => {
  test('writes every member as stored; the folder is an OVF package that packs and verifies again', async () => {
    const src = fresh();
    const ova = join(src, 'vm.ova');
    await packOva(writePackage(src, [{ href: 'disk1.vmdk', data: DISK }]), ova, { chunkSize: 100_000 });
    const out = join(fresh(), 'unpacked');
    const r = await unpackOva(ova, out);
    expect(r.intact).toBe(true);
    expect(readdirSync(out).sort()).toEqual([
      'disk1.vmdk.000000000',
      'disk1.vmdk.000000001',
      'vm.mf',
      'vm.ovf',
    ]);
    expect(
      Buffer.concat([
        readFileSync(join(out, 'disk1.vmdk.000000000')),
        readFileSync(join(out, 'disk1.vmdk.000000001')),
      ]),
    ).toEqual(DISK);
    await packOva(join(out, 'vm.ovf'), join(out, 'again.ova'));
    expect((await verifyOva(join(out, 'again.ova'))).intact).toBe(true);
  });

  test('writes hrefs in sub-folders inside the target', async () => {
    const ovf = descriptor([{ href: 'disks/disk1.vmdk', length: 4 }]);
    const out = join(fresh(), 'x');
    await unpackOva(
      save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: ovf },
          { header: { name: 'disks/disk1.vmdk' }, data: 'disk' },
        ]),
      ),
      out,
    );
    expect(readFileSync(join(out, 'disks', 'disk1.vmdk'), 'utf8')).toBe('disk');
  });
});

describe('unpackOva() never writes outside the target folder', () => {
  test('a path-traversal member is refused and the folder it created is removed', async () => {
    const base = fresh();
    const out = join(base, 'target');
    const tar = await rawTar([
      { header: { name: 'vm.ovf' }, data: descriptor([{ href: 'disk1.vmdk', length: 1 }]) },
      { header: { name: '../escaped.txt' }, data: 'pwned' },
    ]);
    await expect(unpackOva(save(tar), out)).rejects.toMatchObject({ code: 'OVA_UNSAFE_NAME' });
    expect(existsSync(join(base, 'escaped.txt'))).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  test('a symlink member is refused; nothing is written through it', async () => {
    const base = fresh();
    const tar = await rawTar([
      { header: { name: 'vm.ovf' }, data: descriptor([{ href: 'disk1.vmdk', length: 5 }]) },
      { header: { name: 'disk1.vmdk', type: 'symlink', linkname: join(base, 'victim') } },
      { header: { name: 'disk1.vmdk' }, data: 'pwned' },
    ]);
    await expect(unpackOva(save(tar), join(base, 't'))).rejects.toMatchObject({ code: 'OVA_MEMBER_TYPE' });
    expect(existsSync(join(base, 'victim'))).toBe(false);
  });

  test('a symlink already in the target folder is never followed', async () => {
    const base = fresh();
    const out = join(base, 't');
    mkdirSync(out);
    writeFileSync(join(base, 'victim'), 'untouched');
    symlinkSync(join(base, 'victim'), join(out, 'disk1.vmdk'));
    const tar = await rawTar([
      { header: { name: 'vm.ovf' }, data: descriptor([{ href: 'disk1.vmdk', length: 5 }]) },
      { header: { name: 'disk1.vmdk' }, data: 'pwned' },
    ]);
    await expect(unpackOva(save(tar), out)).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(readFileSync(join(base, 'victim'), 'utf8')).toBe('untouched');
    expect(existsSync(join(out, 'vm.ovf'))).toBe(false);
  });

  test('a symlinked sub-folder in the target is not followed out', async () => {
    const base = fresh();
    const out = join(base, 't');
    mkdirSync(out);
    mkdirSync(join(base, 'elsewhere'));
    symlinkSync(join(base, 'elsewhere'), join(out, 'disks'));
    const tar = await rawTar([
      { header: { name: 'vm.ovf' }, data: descriptor([{ href: 'disks/disk1.vmdk', length: 5 }]) },
      { header: { name: 'disks/disk1.vmdk' }, data: 'pwned' },
    ]);
    await expect(unpackOva(save(tar), out)).rejects.toMatchObject({ code: 'OVA_UNSAFE_NAME' });
    expect(readdirSync(join(base, 'elsewhere'))).toEqual([]);
  });

  test('a manifest that lies stops the unpack and removes what was written', async () => {
    const ovf = descriptor([{ href: 'disk1.vmdk', length: DISK.length }]);
    const tar = await rawTar([
      { header: { name: 'vm.ovf' }, data: ovf },
      { header: { name: 'vm.mf' }, data: `SHA256(disk1.vmdk)= ${'ab'.repeat(32)}\n` },
      { header: { name: 'disk1.vmdk' }, data: DISK },
    ]);
    const base = fresh();
    await expect(unpackOva(save(tar), join(base, 't'))).rejects.toMatchObject({
      code: 'OVA_DIGEST_MISMATCH',
      member: 'disk1.vmdk',
    });
    expect(existsSync(join(base, 't'))).toBe(false);
  });

  test('a truncated archive stops the unpack and removes what was written', async () => {
    const src = fresh();
    const ova = join(src, 'vm.ova');
    await packOva(writePackage(src, [{ href: 'disk1.vmdk', data: DISK }]), ova);
    const cut = save(readFileSync(ova).subarray(0, 100_000));
    const out = fresh();
    await expect(unpackOva(cut, out)).rejects.toMatchObject({ code: 'OVA_TRUNCATED' });
    expect(readdirSync(out)).toEqual([]);
  });
});
