import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LibvirtPki, makeLibvirtPki } from '../../test/helpers/libvirt-pki.js';
import {
  connectLibvirt,
  connectTls,
  encodePacket,
  LibvirtError,
  PacketFramer,
  pkiFiles,
  SYSTEM_PKI,
  splitLibvirtUri,
} from './index.js';

/**
 * The TLS transport against peers the test scripts (node's TLS server with certificates openssl made): the
 * daemon's verdict byte, a peer that never gives it, a wrong one; and where the certificates are looked for.
 */
const dir = mkdtempSync(join(tmpdir(), 'vessel-libvirt-tlsu-'));
let pki: LibvirtPki;
const servers: Server[] = [];

beforeAll(() => {
  pki = makeLibvirtPki(dir);
}, 60_000);
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A TLS server with the daemon's certificate that asks for ours; `onSecure` scripts what it does then. */
async function peer(onSecure: (s: TLSSocket) => void, maxVersion?: 'TLSv1.2'): Promise<number> {
  const s = createServer(
    {
      ...(maxVersion === undefined ? {} : { maxVersion }),
      cert: readFileSync(pki.server.cert),
      key: readFileSync(pki.server.key),
      ca: readFileSync(pki.server.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    onSecure,
  );
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

async function failure(p: Promise<unknown>): Promise<LibvirtError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof LibvirtError)) throw new Error(`expected a LibvirtError, got ${String(e)}`);
  return e;
}

describe('libvirt URIs over TLS', () => {
  it('take TLS for +tls and for a host without a transport, on 16514, with pkipath and no_verify', () => {
    expect(splitLibvirtUri('qemu+tls://h/system')).toEqual({
      name: 'qemu:///system',
      host: 'h',
      port: 16514,
      tls: { noVerify: false },
    });
    expect(splitLibvirtUri('qemu://root@[::1]:1234/system?pkipath=/p&no_verify=1&x=1')).toEqual({
      name: 'qemu:///system?x=1',
      host: '::1',
      port: 1234,
      tls: { pkipath: '/p', noVerify: true },
    });
  });

  it('refuses a bad no_verify, a relative pkipath, no host and a port out of range', () => {
    for (const [uri, message] of [
      ['qemu+tls://h/system?no_verify=yes', /no_verify is 0 or 1, not "yes"/],
      ['qemu+tls://h/system?pkipath=pki', /pkipath must be an absolute directory/],
      ['qemu+tls:///system', /names no host \(and port\) to reach over TLS/],
      ['qemu://h:99999/system', /names no host \(and port\) to reach over TLS/],
    ] as const) {
      expect(() => splitLibvirtUri(uri), uri).toThrow(message);
    }
  });
});

describe("where the certificates are looked for (libvirt's places)", () => {
  it('takes pkipath, the system places for root, and ~/.pki/libvirt for a user when the files are there', () => {
    expect(pkiFiles('/p')).toEqual({
      ca: '/p/cacert.pem',
      cert: '/p/clientcert.pem',
      key: '/p/clientkey.pem',
    });
    expect(pkiFiles(undefined, { uid: 0, home: dir })).toEqual(SYSTEM_PKI);
    const home = join(dir, 'home');
    expect(pkiFiles(undefined, { uid: 1000, home })).toEqual(SYSTEM_PKI);
    mkdirSync(join(home, '.pki', 'libvirt'), { recursive: true });
    writeFileSync(join(home, '.pki', 'libvirt', 'clientcert.pem'), '');
    // A certificate without its key: both from the system's places.
    expect(pkiFiles(undefined, { uid: 1000, home })).toEqual(SYSTEM_PKI);
    writeFileSync(join(home, '.pki', 'libvirt', 'clientkey.pem'), '');
    expect(pkiFiles(undefined, { uid: 1000, home })).toEqual({
      ...SYSTEM_PKI,
      cert: join(home, '.pki/libvirt/clientcert.pem'),
      key: join(home, '.pki/libvirt/clientkey.pem'),
    });
  });
});

describe('the TLS transport against a scripted peer', () => {
  it("reads the daemon's verdict byte and loses none of what follows it in the same record", async () => {
    const port = await peer((s) => {
      // The verdict and a keepalive PING in one write.
      s.write(
        Buffer.concat([
          Buffer.from([1]),
          encodePacket({
            prog: 0x6b656570,
            vers: 1,
            proc: 1,
            type: 2,
            serial: 0,
            status: 0,
            payload: Buffer.alloc(0),
          }),
        ]),
      );
    });
    const sock = await connectTls('127.0.0.1', port, { pkipath: pki.good, noVerify: false });
    // Flowing again once read (connectLibvirt resumes it): the PING behind the verdict byte arrives whole.
    const ping = new Promise<number>((resolve) => {
      const framer = new PacketFramer();
      sock.on('data', (b: Buffer) => {
        for (const p of framer.push(b)) resolve(p.proc);
      });
    });
    sock.resume();
    expect(await ping).toBe(1);
    sock.destroy();
  });

  it('refuses a peer whose verdict is not 1, and one that closes instead', async () => {
    const zero = await peer((s) => s.end(Buffer.from([0])));
    const e = await failure(connectTls('127.0.0.1', zero, { pkipath: pki.good, noVerify: false }));
    expect([e.code, e.message]).toEqual([
      'PROTOCOL',
      `libvirtd at 127.0.0.1:${zero} answered the TLS handshake with byte 0, not 1`,
    ]);
    const closes = await peer((s) => s.end());
    const c = await failure(connectTls('127.0.0.1', closes, { pkipath: pki.good, noVerify: false }));
    expect(c.code).toBe('TLS');
    expect(c.message).toContain(
      `libvirtd at 127.0.0.1:${closes} refused this client (it closed the connection)`,
    );
  });

  it('says the peer refused our certificate, on TLS 1.3 (after our handshake) and 1.2 (during it)', async () => {
    for (const version of [undefined, 'TLSv1.2'] as const) {
      const port = await peer((s) => s.write(Buffer.from([1])), version);
      const e = await failure(connectTls('127.0.0.1', port, { pkipath: pki.foreignClient, noVerify: false }));
      expect(e.code, version).toBe('TLS');
      expect(e.message, version).toContain(`libvirtd at 127.0.0.1:${port} refused this client`);
    }
  });

  it('refuses files that are not usable PEM before connecting, naming them', async () => {
    const bad = join(dir, 'bad-pem');
    mkdirSync(bad);
    writeFileSync(join(bad, 'cacert.pem'), readFileSync(pki.server.ca));
    writeFileSync(join(bad, 'clientcert.pem'), readFileSync(join(pki.good, 'clientcert.pem')));
    writeFileSync(
      join(bad, 'clientkey.pem'),
      '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n',
    );
    const e = await failure(connectTls('127.0.0.1', 1, { pkipath: bad, noVerify: false }));
    expect(e.code).toBe('TLS');
    expect(e.message).toContain(
      `Cannot use the certificates ${bad}/cacert.pem, ${bad}/clientcert.pem and key ${bad}/clientkey.pem`,
    );
    // The key of another certificate.
    writeFileSync(join(bad, 'clientkey.pem'), readFileSync(pki.server.key));
    const m = await failure(connectTls('127.0.0.1', 1, { pkipath: bad, noVerify: false }));
    expect(m.message).toMatch(/Cannot use the certificates .*key values mismatch/);
  });

  it('gives up on a peer that never sends its verdict, and on one that never answers a call', async () => {
    const silent = await peer(() => undefined);
    const e = await failure(connectTls('127.0.0.1', silent, { pkipath: pki.good, noVerify: false }, 300));
    expect([e.code, e.message]).toEqual([
      'TIMEOUT',
      `libvirtd at 127.0.0.1:${silent} did not finish the TLS handshake within 300 ms`,
    ]);
    const mute = await peer((s) => s.write(Buffer.from([1])));
    const m = await failure(
      connectLibvirt(`test+tls://127.0.0.1:${mute}/default?pkipath=${pki.good}`, { timeoutMs: 300 }),
    );
    expect(m.code).toBe('TIMEOUT');
    expect(m.message).toMatch(/did not answer AUTH_LIST/);
  });

  it('drops a peer that sends a packet past the limit right after its verdict', async () => {
    const port = await peer((s) => s.write(Buffer.from('01ffffffff', 'hex')));
    const e = await failure(connectLibvirt(`test+tls://127.0.0.1:${port}/default?pkipath=${pki.good}`));
    expect(e.code).toBe('PACKET_TOO_LARGE');
  });
});
