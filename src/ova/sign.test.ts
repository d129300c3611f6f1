import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  flipBit,
  makePki,
  rawTar,
  seededBytes,
  type TestPki,
  tempDir,
  writePackage,
} from '../../test/fixtures/ova/helpers.js';
import { loadSigner, readPemCertificates, signManifest } from './certificate.js';
import { packOva } from './pack.js';
import { signOva } from './sign.js';
import { verifyOva } from './verify.js';

const tmp = tempDir('vessel-sign-');
let pki: TestPki;
let n = 0;
const DISK = seededBytes(120_000, 5);
beforeAll(() => {
  const d = join(tmp.dir, 'pki');
  mkdirSync(d);
  pki = makePki(d);
});
afterAll(() => tmp.cleanup());

const signer = () => loadSigner(readFileSync(pki.signerKey), readFileSync(pki.signerChain));
const rootCa = () => readPemCertificates(readFileSync(pki.rootCert));
const tarList = (p: string) => execFileSync('tar', ['tf', p], { encoding: 'utf8' }).trim().split('\n');

async function unsigned(options: Parameters<typeof packOva>[2] = {}): Promise<string> {
  const dir = join(tmp.dir, `s${n++}`);
  mkdirSync(dir);
  const out = join(dir, 'vm.ova');
  await packOva(writePackage(dir, [{ href: 'disk1.vmdk', data: DISK }]), out, options);
  return out;
}

describe('signOva()', () => {
  test('signs in place as ovftool does; verify reports the signer and the chain to the CA', async () => {
    const ova = await unsigned({ algorithm: 'sha1' });
    await signOva(ova, signer());
    expect(tarList(ova)).toEqual(['vm.ovf', 'vm.mf', 'vm.cert', 'disk1.vmdk']);
    const r = await verifyOva(ova, { ca: rootCa(), requireSignature: true });
    expect(r.problems).toEqual([]);
    expect(r.signature).toMatchObject({ valid: true, trusted: true, algorithm: 'sha1', name: 'vm.cert' });
    expect(r.signature?.signer?.subject).toBe('CN=Vessel Test Signer, O=Vessel');
    expect(r.signature?.chain.at(-1)?.subject).toBe('CN=Vessel Test Root');
  });

  test('signs a package that has no manifest into a new file, adding the manifest', async () => {
    const ova = await unsigned({ algorithm: 'none' });
    const out = join(tmp.dir, `signed${n++}.ova`);
    await signOva(ova, signer(), { output: out, algorithm: 'sha512' });
    expect(tarList(ova)).toEqual(['vm.ovf', 'disk1.vmdk']);
    expect(tarList(out)).toEqual(['vm.ovf', 'vm.mf', 'vm.cert', 'disk1.vmdk']);
    expect((await verifyOva(out, { requireSignature: true })).intact).toBe(true);
  });

  test('refuses to sign a package that does not verify, and leaves it as it was', async () => {
    const ova = await unsigned();
    const bytes = readFileSync(ova);
    flipBit(bytes, bytes.indexOf(DISK.subarray(0, 64)) + 99);
    writeFileSync(ova, bytes);
    await expect(signOva(ova, signer())).rejects.toMatchObject({
      code: 'OVA_DIGEST_MISMATCH',
      member: 'disk1.vmdk',
    });
    expect(readFileSync(ova)).toEqual(bytes);
  });
});

describe('verifyOva() of signed packages', () => {
  test('a disk changed after signing is named', async () => {
    const ova = await unsigned();
    await signOva(ova, signer());
    const bytes = readFileSync(ova);
    flipBit(bytes, bytes.indexOf(DISK.subarray(0, 64)) + 7);
    writeFileSync(ova, bytes);
    const r = await verifyOva(ova, { ca: rootCa(), requireSignature: true });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'OVA_DIGEST_MISMATCH', member: 'disk1.vmdk' }),
    ]);
    expect(r.signature?.valid).toBe(true);
  });

  test('a manifest rewritten to match a changed disk breaks the signature', async () => {
    const ova = await unsigned();
    await signOva(ova, signer());
    const x = join(tmp.dir, `x${n++}`);
    mkdirSync(x);
    execFileSync('tar', ['xf', ova, '-C', x]);
    const evil = Buffer.from(DISK);
    flipBit(evil, 0);
    writeFileSync(join(x, 'disk1.vmdk'), evil);
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-r', join(x, 'disk1.vmdk')], {
      encoding: 'utf8',
    }).split(' ')[0];
    const mf = readFileSync(join(x, 'vm.mf'), 'utf8').replace(
      /SHA256\(disk1\.vmdk\)= [0-9a-f]+/,
      `SHA256(disk1.vmdk)= ${digest}`,
    );
    writeFileSync(join(x, 'vm.mf'), mf);
    const forged = join(x, 'forged.ova');
    execFileSync('tar', [
      'cf',
      forged,
      '--format=ustar',
      '-C',
      x,
      'vm.ovf',
      'vm.mf',
      'vm.cert',
      'disk1.vmdk',
    ]);
    const r = await verifyOva(forged, { ca: rootCa() });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'OVA_SIGNATURE_INVALID', member: 'vm.cert' }),
    ]);
  });

  test('a certificate re-signed by a key that is not the certificate holder (forged) is invalid', async () => {
    const ova = await unsigned();
    await signOva(ova, signer());
    const x = join(tmp.dir, `x${n++}`);
    mkdirSync(x);
    execFileSync('tar', ['xf', ova, '-C', x]);
    const mallory = loadSigner(readFileSync(pki.selfKey), readFileSync(pki.selfCert));
    const line = signManifest(readFileSync(join(x, 'vm.mf')), 'vm.mf', mallory, 'sha256').split('\n')[0];
    writeFileSync(join(x, 'vm.cert'), `${line}\n${readFileSync(pki.signerChain, 'utf8')}`);
    const forged = join(x, 'forged.ova');
    execFileSync('tar', [
      'cf',
      forged,
      '--format=ustar',
      '-C',
      x,
      'vm.ovf',
      'vm.mf',
      'vm.cert',
      'disk1.vmdk',
    ]);
    expect((await verifyOva(forged, { ca: rootCa() })).problems).toEqual([
      expect.objectContaining({ code: 'OVA_SIGNATURE_INVALID' }),
    ]);
  });

  test('a signer from another CA is untrusted; the signature itself is still reported valid', async () => {
    const ova = await unsigned();
    await signOva(ova, signer());
    const r = await verifyOva(ova, { ca: readPemCertificates(readFileSync(pki.otherRootCert)) });
    expect(r.problems).toEqual([expect.objectContaining({ code: 'OVA_CERT_UNTRUSTED' })]);
    expect(r.signature).toMatchObject({ valid: true, trusted: false });
  });

  test('--require-signature: an unsigned package is not intact', async () => {
    const r = await verifyOva(await unsigned(), { requireSignature: true });
    expect(r.problems).toEqual([expect.objectContaining({ code: 'OVA_SIGNATURE_REQUIRED' })]);
  });

  test('a certificate without a manifest is refused', async () => {
    const ovf = readFileSync(join(tmp.dir, 's0', 'vm.ovf'));
    const tar = await rawTar([
      { header: { name: 'vm.ovf' }, data: ovf },
      { header: { name: 'vm.cert' }, data: `SHA256(vm.mf)= abcd\n${readFileSync(pki.signerCert, 'utf8')}` },
      { header: { name: 'disk1.vmdk' }, data: DISK },
    ]);
    const p = join(tmp.dir, `c${n++}.ova`);
    writeFileSync(p, tar);
    expect((await verifyOva(p)).problems).toEqual([
      expect.objectContaining({ code: 'OVA_SIGNATURE_INVALID' }),
    ]);
  });
});
