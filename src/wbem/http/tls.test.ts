import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificate } from './tls.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vessel-tls-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ensureCertificate()', () => {
  it('makes a private key and certificate once (0600, no temporary files) and reads the same pair again', async () => {
    const first = await ensureCertificate(dir, 'host1.example');
    expect(new X509Certificate(await readFile(first.certFile)).subject).toContain('CN=host1.example');
    for (const f of [first.keyFile, first.certFile]) expect((await stat(f)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['cim-cert.pem', 'cim-key.pem']);
    expect((await ensureCertificate(dir, 'other')).fingerprint256).toBe(first.fingerprint256);
  }, 30_000);

  it('refuses an empty or damaged pair (what a power cut left before writes were durable) with a hint', async () => {
    const d = await mkdtemp(join(dir, 'damaged-'));
    await writeFile(join(d, 'cim-key.pem'), '');
    await writeFile(join(d, 'cim-cert.pem'), '');
    await expect(ensureCertificate(d, 'h')).rejects.toMatchObject({
      code: 'HTTP_TLS',
      message: expect.stringMatching(/HTTPS key .*cim-key\.pem is empty/),
      hint: expect.stringContaining('remove the key and the certificate'),
    });
    await writeFile(join(d, 'cim-key.pem'), 'k');
    await expect(ensureCertificate(d, 'h')).rejects.toThrow(/certificate .*cim-cert\.pem is empty/);
    await writeFile(
      join(d, 'cim-cert.pem'),
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    );
    await expect(ensureCertificate(d, 'h')).rejects.toThrow(/cim-cert\.pem is not a certificate/);
  }, 30_000);
});
