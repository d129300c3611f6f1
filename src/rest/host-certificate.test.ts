import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// GET /host names the host's HTTPS certificate: what an HTTPS connection to it presents, over either listener;
// a certificate file that is garbage, huge or full of markup does not break the host's summary.

const READER = ['reader', 'rd-pass'] as const;
let h: RestTestHost;
beforeAll(async () => {
  h = await startRestTestHost({ users: [['reader', 'reader', 'rd-pass']], https: true });
});
afterAll(async () => {
  await h?.close();
});

/** GET /api/v1/host over HTTPS: the body, and the certificate the TLS handshake presented. */
function getOverHttps(): Promise<{ body: { info: { certificate?: Record<string, string> } }; peer: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: h.rest.server.httpsPort,
        path: '/api/v1/host',
        rejectUnauthorized: false,
        headers: { Authorization: `Basic ${Buffer.from(READER.join(':')).toString('base64')}` },
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), peer }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('GET /host certificate', () => {
  it('is the certificate the HTTPS listener presents, with subject, issuer, names and validity', async () => {
    const { body, peer } = await getOverHttps();
    const c = body.info.certificate;
    expect(c?.fingerprint256).toBe(peer);
    expect(c?.fingerprint256).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    expect(c?.subject).toBe('CN=vessel-test\nO=Vessel');
    expect(c?.issuer).toBe(c?.subject);
    expect(c?.subjectAltName).toBe('DNS:vessel-test, DNS:localhost, IP Address:127.0.0.1');
    const from = Date.parse(c?.validFrom ?? '');
    const to = Date.parse(c?.validTo ?? '');
    expect(from).toBeLessThanOrEqual(Date.now());
    expect(Math.round((to - from) / 86_400_000)).toBe(3650);
    // The HTTP listener answers the same (the schema check of `call` covers the documented shape).
    const r = await call(h.restUrl, READER, 'GET', '/host');
    expect(r.json.info.certificate).toEqual(c);
  });

  it('leaves the certificate out when its file is garbage or over 1 MiB, and keeps markup as text', async () => {
    const file = join(h.stateDir, 'cim-cert.pem');
    const saved = execFileSync('cat', [file]);
    try {
      writeFileSync(file, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
      let r = await call(h.restUrl, READER, 'GET', '/host');
      expect(r.status).toBe(200);
      expect(r.json.info.certificate).toBeUndefined();
      writeFileSync(file, Buffer.concat([saved, Buffer.alloc(1 << 20, 0x41)]));
      r = await call(h.restUrl, READER, 'GET', '/host');
      expect(r.status).toBe(200);
      expect(r.json.info.certificate).toBeUndefined();
      const cn = '<img src=x onerror=alert(1)>"&';
      execFileSync('openssl', [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', join(h.stateDir, 'other-key.pem'), '-out', file, '-days', '1', '-subj', `/CN=${cn}`],
      ]);
      r = await call(h.restUrl, READER, 'GET', '/host');
      // Node's text of the name escapes RFC 4514's specials; the UI shows it as text either way.
      expect(r.json.info.certificate.subject).toBe(String.raw`CN=\<img src=x onerror=alert(1)\>\"&`);
      expect(r.json.info.certificate.subjectAltName).toBeUndefined();
    } finally {
      writeFileSync(file, saved);
    }
    const r = await call(h.restUrl, READER, 'GET', '/host');
    expect(r.json.info.certificate.subject).toBe('CN=vessel-test\nO=Vessel');
  });
});
