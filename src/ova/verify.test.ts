import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import {
  descriptor,
  flipBit,
  rawTar,
  seededBytes,
  tempDir,
  writePackage,
} from '../../test/fixtures/ova/helpers.js';
import { SHARED } from '../../test/helpers/cli.js';
import { packOva } from './pack.js';
import { verifyOva } from './verify.js';

const tmp = tempDir('vessel-verify-');
afterAll(() => tmp.cleanup());
let n = 0;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const DISK = seededBytes(70_000, 7);

/** Writes an archive to a fresh path. */
function save(tar: Buffer): string {
  const p = join(tmp.dir, `t${n++}.ova`);
  writeFileSync(p, tar);
  return p;
}

/** A descriptor for one disk file `disk1.vmdk` of `size` bytes. */
const ovf = (size = DISK.length, extra: Parameters<typeof descriptor>[0] = []) =>
  descriptor([{ href: 'disk1.vmdk', length: size }, ...extra]);

describe('verifyOva() on the real OVAs of the corpus', () => {
  const corpus = join(SHARED, 'ovf-corpus', 'ova');
  // Expected outcome per file, written down here (not guessed from the names).
  test.each([
    ['openstack__glance__glance__tests__var__testserver.ova', true, undefined],
    ['openstack__glance__glance__tests__var__testserver-bad-ovf.ova', false, 'OVA_DESCRIPTOR_INVALID'],
    ['openstack__glance__glance__tests__var__testserver-no-disk.ova', false, 'OVA_MISSING_FILE'],
    ['openstack__glance__glance__tests__var__testserver-no-ovf.ova', false, 'OVA_NO_DESCRIPTOR'],
    ['openstack__glance__glance__tests__var__testserver-not-tar.ova', false, 'OVA_NOT_TAR'],
  ])('%s: intact %s, %s', async (file, intact, code) => {
    const r = await verifyOva(join(corpus, file));
    expect(r.intact).toBe(intact);
    expect(r.problems.map((p) => p.code)).toEqual(code ? [code] : []);
  });

  test('the valid one warns that it has no manifest', async () => {
    const r = await verifyOva(join(corpus, 'openstack__glance__glance__tests__var__testserver.ova'));
    expect(r.warnings.join('\n')).toContain('no manifest');
    expect(r.members.map((m) => [m.name, m.role])).toEqual([
      ['testserver.ovf', 'descriptor'],
      ['testserver-disk1.vmdk', 'file'],
    ]);
  });
});

describe('verifyOva() checks every file against the manifest', () => {
  test('a package packed by Vessel is intact, from a file and from a stream', async () => {
    const dir = join(tmp.dir, `p${n++}`);
    mkdirSync(dir);
    const out = join(dir, 'vm.ova');
    await packOva(writePackage(dir, [{ href: 'disk1.vmdk', data: DISK }]), out, { algorithm: 'sha512' });
    const fromFile = await verifyOva(out);
    expect(fromFile).toMatchObject({
      intact: true,
      problems: [],
      manifest: { algorithms: ['sha512'], entries: 2 },
    });
    expect(fromFile.members.every((m) => m.role !== 'file' || m.verified)).toBe(true);
    const fromStream = await verifyOva(Readable.from([readFileSync(out)]));
    expect(fromStream.intact).toBe(true);
  });

  test('a manifest that lies about a disk: the mismatch names the file', async () => {
    const mf = `SHA256(vm.ovf)= ${sha256(ovf())}\nSHA256(disk1.vmdk)= ${sha256('something else')}\n`;
    const r = await verifyOva(
      save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: ovf() },
          { header: { name: 'vm.mf' }, data: mf },
          { header: { name: 'disk1.vmdk' }, data: DISK },
        ]),
      ),
    );
    expect(r.intact).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'OVA_DIGEST_MISMATCH', member: 'disk1.vmdk' }),
    ]);
    expect(r.problems[0]!.message).toContain('"disk1.vmdk" does not match the manifest');
  });

  test('a disk changed after packing, and a descriptor changed after packing, are each named', async () => {
    const dir = join(tmp.dir, `p${n++}`);
    mkdirSync(dir);
    const out = join(dir, 'vm.ova');
    await packOva(writePackage(dir, [{ href: 'disk1.vmdk', data: DISK }]), out);
    const bytes = readFileSync(out);
    const disk = Buffer.from(bytes);
    const at = bytes.indexOf(DISK.subarray(0, 64));
    flipBit(disk, at + 1000);
    expect((await verifyOva(save(disk))).problems).toEqual([
      expect.objectContaining({ code: 'OVA_DIGEST_MISMATCH', member: 'disk1.vmdk' }),
    ]);
    const desc = Buffer.from(bytes);
    const info = bytes.indexOf('A test machine');
    desc.write('A best machine', info);
    expect((await verifyOva(save(desc))).problems).toEqual([
      expect.objectContaining({ code: 'OVA_DIGEST_MISMATCH', member: 'vm.ovf' }),
    ]);
  });

  test('a referenced file missing from the manifest, and a manifest entry for a file not in the package', async () => {
    const extra = `SHA256(ghost.iso)= ${sha256('x')}\n`;
    const incomplete = await verifyOva(
      save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: ovf() },
          { header: { name: 'vm.mf' }, data: `SHA256(vm.ovf)= ${sha256(ovf())}\n${extra}` },
          { header: { name: 'disk1.vmdk' }, data: DISK },
        ]),
      ),
    );
    expect(incomplete.problems.map((p) => [p.code, p.member])).toEqual([
      ['OVA_MANIFEST_INCOMPLETE', 'disk1.vmdk'],
      ['OVA_MANIFEST_EXTRA', 'ghost.iso'],
    ]);
  });

  test("VirtualBox's layout (manifest last, spaced lines) is read, from a file and from a stream", async () => {
    const mf = `SHA256 (vm.ovf) = ${sha256(ovf())}\nSHA256 (disk1.vmdk) = ${sha256(DISK)}\n`;
    const tar = await rawTar([
      { header: { name: 'vm.ovf' }, data: ovf() },
      { header: { name: 'disk1.vmdk' }, data: DISK },
      { header: { name: 'vm.mf' }, data: mf },
    ]);
    expect(await verifyOva(save(tar))).toMatchObject({ intact: true });
    expect(await verifyOva(Readable.from([tar]))).toMatchObject({ intact: true });
    const lying = Buffer.from(tar);
    flipBit(lying, lying.indexOf(DISK.subarray(0, 64)) + 5);
    for (const src of [save(lying), Readable.from([lying])]) {
      expect((await verifyOva(src)).problems).toEqual([
        expect.objectContaining({ code: 'OVA_DIGEST_MISMATCH', member: 'disk1.vmdk' }),
      ]);
    }
  });

  test('two lying files are both reported', async () => {
    const two = descriptor([
      { href: 'a.vmdk', length: 3 },
      { href: 'b.iso', length: 3, disk: false },
    ]);
    const mf = `SHA1(a.vmdk)= ${'0'.repeat(40)}\nSHA1(b.iso)= ${'1'.repeat(40)}\n`;
    const r = await verifyOva(
      save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: two },
          { header: { name: 'vm.mf' }, data: mf },
          { header: { name: 'a.vmdk' }, data: 'aaa' },
          { header: { name: 'b.iso' }, data: 'bbb' },
        ]),
      ),
    );
    expect(r.problems.map((p) => [p.code, p.member])).toEqual([
      ['OVA_DIGEST_MISMATCH', 'a.vmdk'],
      ['OVA_DIGEST_MISMATCH', 'b.iso'],
    ]);
    expect(r.warnings.join()).toContain('does not cover the descriptor');
  });
});

describe('verifyOva() checks the structure', () => {
  test('a member neither referenced nor in the manifest', async () => {
    const r = await verifyOva(
      save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: ovf() },
          { header: { name: 'disk1.vmdk' }, data: DISK },
          { header: { name: 'payload.sh' }, data: 'rm -rf /' },
        ]),
      ),
    );
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'OVA_UNEXPECTED_MEMBER', member: 'payload.sh' }),
    ]);
  });

  test('a member whose size differs from ovf:size', async () => {
    const r = await verifyOva(
      save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: ovf(DISK.length + 1) },
          { header: { name: 'disk1.vmdk' }, data: DISK },
        ]),
      ),
    );
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'OVA_SIZE_MISMATCH', member: 'disk1.vmdk' }),
    ]);
  });

  test('a descriptor that is not first', async () => {
    const r = await verifyOva(
      save(
        await rawTar([
          { header: { name: 'disk1.vmdk' }, data: DISK },
          { header: { name: 'vm.ovf' }, data: ovf() },
        ]),
      ),
    );
    expect(r.problems).toEqual([expect.objectContaining({ code: 'OVA_NO_DESCRIPTOR' })]);
  });

  test('an href that climbs out of the package is refused before any file is read', async () => {
    const bad = descriptor([{ href: '../../etc/passwd', length: 3 }]);
    const r = await verifyOva(save(await rawTar([{ header: { name: 'vm.ovf' }, data: bad }])));
    expect(r.problems).toEqual([expect.objectContaining({ code: 'OVA_UNSAFE_NAME' })]);
  });

  test('a descriptor with a DOCTYPE (XXE) is refused as invalid, never expanded', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">&e;</Envelope>`;
    const r = await verifyOva(save(await rawTar([{ header: { name: 'vm.ovf' }, data: xxe }])));
    expect(r.problems).toEqual([expect.objectContaining({ code: 'OVA_DESCRIPTOR_INVALID' })]);
    expect(r.problems[0]!.message).not.toContain('root:');
  });

  test('a member with a pax header is read, with a warning (ovftool rejects it)', async () => {
    const r = await verifyOva(
      save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: ovf() },
          { header: { name: 'disk1.vmdk', pax: { comment: 'made by python' } }, data: DISK },
        ]),
      ),
    );
    expect(r.intact).toBe(true);
    expect(r.warnings.join()).toContain('pax headers (ovftool rejects these): disk1.vmdk');
  });

  test('an oversized member name hidden in a pax header is still checked', async () => {
    const name = `${'../'.repeat(40)}etc/evil`;
    const r = await verifyOva(
      save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: ovf() },
          { header: { name }, data: 'x' },
        ]),
      ),
    );
    expect(r.problems).toEqual([expect.objectContaining({ code: 'OVA_UNSAFE_NAME' })]);
  });

  test('a 5000-byte member name (pax) is read without harm and refused as unexpected', async () => {
    const name = `${'a'.repeat(5000)}.vmdk`;
    const r = await verifyOva(
      save(
        await rawTar([
          { header: { name: 'vm.ovf' }, data: ovf() },
          { header: { name }, data: 'x' },
        ]),
      ),
    );
    expect(r.problems.map((p) => [p.code, p.member])).toEqual([
      ['OVA_UNEXPECTED_MEMBER', name],
      ['OVA_MISSING_FILE', 'disk1.vmdk'],
    ]);
  });

  test('an archive of thousands of bad members stops after 1000 problems', async () => {
    const junk = Array.from({ length: 1200 }, (_, i) => ({ header: { name: `junk${i}` }, data: '' }));
    const r = await verifyOva(save(await rawTar([{ header: { name: 'vm.ovf' }, data: ovf() }, ...junk])));
    expect(r.problems).toHaveLength(1001);
    expect(r.problems.at(-1)).toMatchObject({ code: 'OVA_CORRUPT' });
  });

  test('chunks: one missing, and one out of order', async () => {
    const chunked = descriptor([{ href: 'disk1.vmdk', length: 9, chunkSize: 4 }]);
    const c = (i: number, d: string) => ({ header: { name: `disk1.vmdk.00000000${i}` }, data: d });
    const missing = await verifyOva(
      save(await rawTar([{ header: { name: 'vm.ovf' }, data: chunked }, c(0, 'aaaa'), c(1, 'bbbb')])),
    );
    expect(missing.problems).toEqual([expect.objectContaining({ code: 'OVA_CHUNK', member: 'disk1.vmdk' })]);
    const order = await verifyOva(
      save(
        await rawTar([{ header: { name: 'vm.ovf' }, data: chunked }, c(0, 'aaaa'), c(2, 'c'), c(1, 'bbbb')]),
      ),
    );
    expect(order.problems[0]).toMatchObject({ code: 'OVA_CHUNK', member: 'disk1.vmdk.000000002' });
  });
});
