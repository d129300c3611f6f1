import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makePki, openssl, type TestPki, tempDir } from '../../test/fixtures/ova/helpers.js';
import {
  certFileLength,
  loadSigner,
  parseCertFile,
  readPemCertificates,
  signManifest,
  verifyCertFile,
} from './certificate.js';

const MANIFEST = Buffer.from(
  'SHA256(vm.ovf)= 4aacc96f73bc1e0912414b80a576f62fa8d22386a2c34c489e88ee42ec71de9b\n',
);
let pki: TestPki;
let tmp: ReturnType<typeof tempDir>;
const read = (p: string) => readFileSync(p);

beforeAll(() => {
  tmp = tempDir('vessel-pki-');
  pki = makePki(tmp.dir);
});
afterAll(() => tmp.cleanup());

describe('signManifest()', () => {
  test('writes the ovftool layout: the signature line, then the PEM certificates', () => {
    const signer = loadSigner(read(pki.signerKey), read(pki.signerChain));
    const text = signManifest(MANIFEST, 'vm.mf', signer, 'sha256');
    const [line, ...rest] = text.split('\n');
    expect(line).toMatch(/^SHA256\(vm\.mf\)= [0-9a-f]{512}$/);
    expect(rest.join('\n').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(Buffer.byteLength(text)).toBe(certFileLength(signer, 'vm.mf', 'sha256'));
  });

  test('produces a signature that openssl dgst -verify accepts', () => {
    const signer = loadSigner(read(pki.signerKey), read(pki.signerCert));
    const cert = parseCertFile(signManifest(MANIFEST, 'vm.mf', signer, 'sha512'));
    const d = tmp.dir;
    writeFileSync(join(d, 'm.mf'), MANIFEST);
    writeFileSync(join(d, 'sig.bin'), cert.signature);
    openssl(d, ['x509', '-in', pki.signerCert, '-pubkey', '-noout', '-out', 'pub.pem']);
    const out = openssl(d, ['dgst', '-sha512', '-verify', 'pub.pem', '-signature', 'sig.bin', 'm.mf']);
    expect(out.trim()).toBe('Verified OK');
  });

  test('refuses a non-RSA key, a key that does not match the certificate, and a key without certificate', () => {
    expect(() => loadSigner(read(pki.ecKey), read(pki.ecCert))).toThrow(
      expect.objectContaining({ code: 'OVA_KEY' }),
    );
    expect(() => loadSigner(read(pki.signerKey), read(pki.selfCert))).toThrow(/does not belong/);
    expect(() => loadSigner(read(pki.signerKey))).toThrow(/No certificate/);
    expect(() => loadSigner(Buffer.from('not a key'))).toThrow(expect.objectContaining({ code: 'OVA_KEY' }));
  });
});

describe('verifyCertFile()', () => {
  const signed = () =>
    parseCertFile(
      signManifest(MANIFEST, 'vm.mf', loadSigner(read(pki.signerKey), read(pki.signerChain)), 'sha256'),
    );
  const ca = () => readPemCertificates(read(pki.rootCert));

  test('accepts a signature made by openssl dgst -sign, as ovftool makes it', () => {
    const d = tmp.dir;
    writeFileSync(join(d, 'm2.mf'), MANIFEST);
    openssl(d, ['dgst', '-sha1', '-sign', pki.selfKey, '-out', 'sig2.bin', 'm2.mf']);
    const hex = readFileSync(join(d, 'sig2.bin')).toString('hex');
    const cert = parseCertFile(`SHA1(m2.mf)= ${hex}\n${readFileSync(pki.selfCert, 'utf8')}`);
    const check = verifyCertFile(cert, MANIFEST);
    expect(check.signer.subject).toBe('CN=Self Signer');
    expect(check.trusted).toBeUndefined();
  });

  test('checks the chain through the intermediate to the CA bundle and reports the signer', () => {
    const check = verifyCertFile(signed(), MANIFEST, { ca: ca() });
    expect(check.trusted).toBe(true);
    expect(check.signer.subject).toBe('CN=Vessel Test Signer, O=Vessel');
    expect(check.chain.map((c) => c.subject)).toEqual([
      'CN=Vessel Test Signer, O=Vessel',
      'CN=Vessel Test Intermediate, O=Vessel',
      'CN=Vessel Test Root',
    ]);
  });

  test('refuses a signer that does not chain to the given CA (wrong CA)', () => {
    const other = readPemCertificates(read(pki.otherRootCert));
    expect(() => verifyCertFile(signed(), MANIFEST, { ca: other })).toThrow(
      expect.objectContaining({ code: 'OVA_CERT_UNTRUSTED' }),
    );
  });

  test('refuses a chain whose intermediate is missing from the .cert', () => {
    const only = parseCertFile(
      signManifest(MANIFEST, 'vm.mf', loadSigner(read(pki.signerKey), read(pki.signerCert)), 'sha256'),
    );
    expect(() => verifyCertFile(only, MANIFEST, { ca: ca() })).toThrow(
      expect.objectContaining({ code: 'OVA_CERT_UNTRUSTED' }),
    );
  });

  test('refuses an expired signer certificate when checking the chain', () => {
    const later = new Date(Date.now() + 2 * 365 * 86400_000);
    expect(() => verifyCertFile(signed(), MANIFEST, { ca: ca(), now: later })).toThrow(
      expect.objectContaining({ code: 'OVA_CERT_EXPIRED' }),
    );
  });

  test('refuses a manifest changed after signing and a forged signature', () => {
    const cert = signed();
    const tampered = Buffer.from(MANIFEST.toString().replace('4aac', '4aad'));
    expect(() => verifyCertFile(cert, tampered)).toThrow(
      expect.objectContaining({ code: 'OVA_SIGNATURE_INVALID' }),
    );
    const forged = { ...cert, signature: Buffer.from(cert.signature).fill(0x42, 0, 16) };
    expect(() => verifyCertFile(forged, MANIFEST)).toThrow(
      expect.objectContaining({ code: 'OVA_SIGNATURE_INVALID' }),
    );
  });

  test('refuses a signature made with another key under the claimed certificate', () => {
    const other = signManifest(
      MANIFEST,
      'vm.mf',
      loadSigner(read(pki.selfKey), read(pki.selfCert)),
      'sha256',
    );
    const line = other.split('\n')[0]!;
    const forged = parseCertFile(`${line}\n${readFileSync(pki.signerCert, 'utf8')}`);
    expect(() => verifyCertFile(forged, MANIFEST, { ca: ca() })).toThrow(
      expect.objectContaining({ code: 'OVA_SIGNATURE_INVALID' }),
    );
  });
});

describe('parseCertFile()', () => {
  test.each([
    ['empty', ''],
    ['no signature line', '-----BEGIN CERTIFICATE-----\n'],
    ['a signature line but no certificate', 'SHA256(vm.mf)= abcd\n'],
    ['an odd number of hex digits', 'SHA256(vm.mf)= abc\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseCertFile(text)).toThrow(expect.objectContaining({ code: 'OVA_CERT_SYNTAX' }));
  });

  test('rejects a certificate block that is not a certificate', () => {
    const text =
      'SHA256(vm.mf)= abcd\n-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n';
    expect(() => parseCertFile(text)).toThrow(expect.objectContaining({ code: 'OVA_CERT_SYNTAX' }));
  });
});
