import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  collect,
  makePki,
  seededBytes,
  type TestFile,
  tempDir,
  writePackage,
} from '../../test/fixtures/ova/helpers.js';
import { loadSigner, readPemCertificates } from './certificate.js';
import { packageFiles } from './files.js';
import { parseManifest } from './manifest.js';
import { packOva } from './pack.js';
import { OvaReader } from './reader.js';
import type { FileTransform } from './transform.js';
import { verifyOva } from './verify.js';

const tmp = tempDir('vessel-pack-');
afterAll(() => tmp.cleanup());
let n = 0;
const DISK = seededBytes(200_000, 3);
const ISO = Buffer.from('an iso image, or close enough');

/** A fresh package folder; returns the descriptor path and the output path beside it. */
function pkg(
  files: TestFile[] = [
    { href: 'disk1.vmdk', data: DISK },
    { href: 'config.iso', data: ISO, disk: false },
  ],
) {
  const dir = join(tmp.dir, `p${n++}`);
  mkdirSync(dir);
  return { dir, ovf: writePackage(dir, files), out: join(dir, 'vm.ova') };
}

const tarList = (p: string) => execFileSync('tar', ['tf', p], { encoding: 'utf8' }).trim().split('\n');
const sha = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');

/** Every header block of the archive: typeflag and magic, to prove no pax or GNU records were written. */
function headerKinds(p: string): string[] {
  const b = readFileSync(p);
  const kinds: string[] = [];
  for (let at = 0; at + 512 <= b.length; ) {
    const h = b.subarray(at, at + 512);
    if (h.every((x) => x === 0)) break;
    kinds.push(`${String.fromCharCode(h[156]!)}:${h.subarray(257, 263).toString('latin1')}`);
    const size = Number.parseInt(h.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim(), 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return kinds;
}

describe('packOva()', () => {
  test('writes descriptor, manifest, then files in References order, ustar only, descriptor byte for byte', async () => {
    const p = pkg();
    const r = await packOva(p.ovf, p.out);
    expect(r.descriptorEdited).toBe(false);
    expect(tarList(p.out)).toEqual(['vm.ovf', 'vm.mf', 'disk1.vmdk', 'config.iso']);
    expect(headerKinds(p.out)).toEqual(Array(4).fill('0:ustar\u0000'));
    execFileSync('tar', ['xf', p.out, '-C', p.dir, '--one-top-level=x']);
    expect(readFileSync(join(p.dir, 'x', 'vm.ovf'))).toEqual(readFileSync(p.ovf));
    expect(readFileSync(join(p.dir, 'x', 'disk1.vmdk'))).toEqual(DISK);
  });

  test('the manifest matches digests computed independently from what GNU tar extracts', async () => {
    const p = pkg();
    await packOva(p.ovf, p.out, { algorithm: 'sha1' });
    const x = join(p.dir, 'x');
    mkdirSync(x);
    execFileSync('tar', ['xf', p.out, '-C', x]);
    const entries = parseManifest(readFileSync(join(x, 'vm.mf')));
    expect(entries.map((e) => e.file)).toEqual(['vm.ovf', 'disk1.vmdk', 'config.iso']);
    for (const e of entries) {
      const out = execFileSync('openssl', ['dgst', '-sha1', '-r', join(x, e.file)], { encoding: 'utf8' });
      expect(out.split(' ')[0]).toBe(e.digest);
    }
  });

  test('--manifest none writes no manifest', async () => {
    const p = pkg();
    await packOva(p.ovf, p.out, { algorithm: 'none' });
    expect(tarList(p.out)).toEqual(['vm.ovf', 'disk1.vmdk', 'config.iso']);
  });

  test('chunking splits large files, records ovf:chunkSize, and joins back to the original', async () => {
    const p = pkg();
    await packOva(p.ovf, p.out, { chunkSize: 65_536 });
    expect(tarList(p.out)).toEqual([
      'vm.ovf',
      'vm.mf',
      'disk1.vmdk.000000000',
      'disk1.vmdk.000000001',
      'disk1.vmdk.000000002',
      'disk1.vmdk.000000003',
      'config.iso',
    ]);
    const reader = new OvaReader(p.out, { requireSignature: false });
    const contents: Record<string, Buffer> = {};
    for await (const f of packageFiles(reader)) contents[f.file.href] = await collect(f.body);
    expect(contents['disk1.vmdk']).toEqual(DISK);
    expect(contents['config.iso']).toEqual(ISO);
    expect(reader.report().intact).toBe(true);
    const file = reader.envelope!.references[0]!;
    expect([file.size, file.chunkSize]).toEqual([String(DISK.length), '65536']);
    expect(reader.envelope!.references[1]!.chunkSize).toBeUndefined();
  });

  test('gzip compression of disks sets ovf:compression and inflates back to the original', async () => {
    const zeros = Buffer.concat([DISK.subarray(0, 1000), Buffer.alloc(500_000)]);
    const p = pkg([
      { href: 'disk1.vmdk', data: zeros },
      { href: 'config.iso', data: ISO, disk: false },
    ]);
    await packOva(p.ovf, p.out, { gzipLevel: 9, chunkSize: 1000 });
    const reader = new OvaReader(p.out);
    const got: Buffer[] = [];
    for await (const f of packageFiles(reader)) if (f.file.id === 'file1') got.push(await collect(f.body));
    expect(Buffer.concat(got)).toEqual(zeros);
    const f = reader.envelope!.references[0]!;
    expect(f.compression).toBe('gzip');
    expect(Number(f.size)).toBeLessThan(zeros.length / 10);
    expect(reader.envelope!.references[1]!.compression).toBeUndefined();
    expect(reader.report().intact).toBe(true);
  });

  test('a transform of unknown output size: sizes set after the pass, descriptor padded into its reserved blocks', async () => {
    const p = pkg([{ href: 'disk1.raw', data: DISK }]);
    // Doubles every byte: the output size is known only at the end, as with a disk conversion.
    const doubler: FileTransform = {
      async plan({ file, sourcePath }) {
        return {
          href: file.href.replace(/\.raw$/, '.vmdk'),
          maxSize: 2 * DISK.length,
          async *open() {
            const src = readFileSync(sourcePath);
            for (let i = 0; i < src.length; i += 7000) {
              const part = src.subarray(i, i + 7000);
              yield Buffer.from(Array.from(part).flatMap((b) => [b, b]));
            }
          },
        };
      },
    };
    const r = await packOva(p.ovf, p.out, { transform: doubler, chunkSize: 150_000 });
    expect(r.descriptorEdited).toBe(true);
    expect(tarList(p.out)).toEqual([
      'vm.ovf',
      'vm.mf',
      'disk1.vmdk.000000000',
      'disk1.vmdk.000000001',
      'disk1.vmdk.000000002',
    ]);
    const report = await verifyOva(p.out);
    expect(report.problems).toEqual([]);
    const reader = new OvaReader(p.out);
    for await (const f of packageFiles(reader)) {
      const data = await collect(f.body);
      expect(data.length).toBe(2 * DISK.length);
      expect(data[2 * 12345 + 1]).toBe(DISK[12345]);
    }
    expect(reader.envelope!.references[0]).toMatchObject({
      href: 'disk1.vmdk',
      size: String(2 * DISK.length),
      chunkSize: '150000',
    });
    expect(
      readFileSync(p.out)
        .subarray(512, 512 + report.descriptor!.size)
        .toString(),
    ).toMatch(/<\/(ovf:)?Envelope>\n? *\n$/);
  });

  test('signs while packing when given a key', async () => {
    const pkiDir = join(tmp.dir, 'pki');
    mkdirSync(pkiDir);
    const pki = makePki(pkiDir);
    const p = pkg();
    const signer = loadSigner(readFileSync(pki.signerKey), readFileSync(pki.signerChain));
    await packOva(p.ovf, p.out, { signer, algorithm: 'sha512' });
    expect(tarList(p.out).slice(0, 3)).toEqual(['vm.ovf', 'vm.mf', 'vm.cert']);
    const r = await verifyOva(p.out, {
      ca: readPemCertificates(readFileSync(pki.rootCert)),
      requireSignature: true,
    });
    expect(r).toMatchObject({ intact: true, signature: { valid: true, trusted: true, algorithm: 'sha512' } });
    expect(r.signature?.signer?.subject).toBe('CN=Vessel Test Signer, O=Vessel');
  });

  test('packs a file that is already chunked beside the descriptor as it is', async () => {
    const dir = join(tmp.dir, `p${n++}`);
    mkdirSync(dir);
    writePackage(dir, [{ href: 'disk1.vmdk', data: DISK, chunkSize: 100_000 }]);
    writeFileSync(join(dir, 'disk1.vmdk.000000000'), DISK.subarray(0, 100_000));
    writeFileSync(join(dir, 'disk1.vmdk.000000001'), DISK.subarray(100_000));
    await packOva(join(dir, 'vm.ovf'), join(dir, 'vm.ova'));
    expect(tarList(join(dir, 'vm.ova'))).toEqual([
      'vm.ovf',
      'vm.mf',
      'disk1.vmdk.000000000',
      'disk1.vmdk.000000001',
    ]);
    expect((await verifyOva(join(dir, 'vm.ova'))).intact).toBe(true);
  });
});

describe('packOva() refuses', () => {
  const fails = async (files: TestFile[], code: string) => {
    const p = pkg(files);
    await expect(packOva(p.ovf, p.out)).rejects.toMatchObject({ code });
    expect(existsSync(p.out)).toBe(false);
  };

  test('a name longer than ustar holds (never a pax header)', () =>
    fails([{ href: `${'x'.repeat(120)}.vmdk`, data: DISK }], 'OVA_NAME_TOO_LONG'));

  test('a declared ovf:size that differs from the file', () =>
    fails([{ href: 'disk1.vmdk', data: DISK, size: '12' }], 'OVA_SIZE_MISMATCH'));

  test('a referenced file that is not there', async () => {
    const p = pkg();
    execFileSync('rm', [join(p.dir, 'config.iso')]);
    await expect(packOva(p.ovf, p.out)).rejects.toMatchObject({
      code: 'OVA_MISSING_FILE',
      member: 'config.iso',
    });
    expect(existsSync(p.out)).toBe(false);
  });

  test('an href that climbs out of the folder', async () => {
    const p = pkg();
    writeFileSync(
      p.ovf,
      readFileSync(p.ovf, 'utf8').replace('ovf:href="config.iso"', 'ovf:href="../../etc/passwd"'),
    );
    await expect(packOva(p.ovf, p.out)).rejects.toMatchObject({ code: 'OVA_UNSAFE_NAME' });
  });

  test('an output that is one of the package files, and leaves an existing output untouched on failure', async () => {
    const p = pkg();
    await expect(packOva(p.ovf, join(p.dir, 'disk1.vmdk'))).rejects.toMatchObject({ code: 'USAGE_OVA' });
    expect(readFileSync(join(p.dir, 'disk1.vmdk'))).toEqual(DISK);
    writeFileSync(p.out, 'precious');
    execFileSync('rm', [join(p.dir, 'config.iso')]);
    await expect(packOva(p.ovf, p.out)).rejects.toMatchObject({ code: 'OVA_MISSING_FILE' });
    expect(readFileSync(p.out, 'utf8')).toBe('precious');
    expect(readdirSync(p.dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  test('a descriptor that is not well-formed XML', async () => {
    const p = pkg();
    writeFileSync(p.ovf, '<Envelope><References></Envelope>');
    await expect(packOva(p.ovf, p.out)).rejects.toMatchObject({ code: 'OVF_XML_SYNTAX' });
  });
});

test('sha helper agrees with the manifest format (sanity of the test helper)', () => {
  expect(sha('sha256', Buffer.from('abc'))).toBe(
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});
