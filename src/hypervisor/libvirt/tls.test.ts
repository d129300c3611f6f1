import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LibvirtPki, makeLibvirtPki } from '../../../test/helpers/libvirt-pki.js';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { freePort } from '../../../test/helpers/ports.js';
import { buildDefinition } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { openDriver } from '../registry.js';
import type { LibvirtDriver } from './driver.js';

/**
 * The libvirt driver over TLS (`libvirt:test+tls://127.0.0.1:PORT/default?pkipath=DIR`): a private libvirtd with
 * listen_tls on loopback, its certificate (for IP 127.0.0.1) and the clients' made by openssl for the test. The
 * daemon checks our certificate, we check its chain and name; each refusal says which check failed.
 */
let d: PrivateLibvirtd;
let pki: LibvirtPki;
let port: number;
const dir = mkdtempSync(join(tmpdir(), 'vessel-libvirt-tls-'));

beforeAll(async () => {
  if (!HAVE_LIBVIRTD) return;
  pki = makeLibvirtPki(dir);
  port = await freePort();
  d = await startLibvirtd({ tls: { port, ...pki.server } });
  await import('../index.js');
}, 60_000);
afterAll(async () => {
  await d?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<HypervisorError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HypervisorError);
  return e as HypervisorError;
}

const uri = (host: string, pkipath: string, extra = '') =>
  `libvirt:test+tls://${host}:${port}/default?pkipath=${pkipath}${extra}`;

describe.skipIf(!HAVE_LIBVIRTD)('libvirt driver over TLS (private libvirtd, x509 on loopback)', () => {
  it('opens with a good chain: lists, defines and follows events; virsh on the unix socket sees the same', async () => {
    const driver = await openDriver(uri('127.0.0.1', pki.good));
    try {
      expect((await driver.list()).map((x) => x.name)).toEqual(['test']);
      const { uuid } = await driver.define(
        buildDefinition({ name: 'tls1', cpus: 1, memoryBytes: 64n << 20n }),
      );
      expect((await d.virsh(d.testUri, 'domuuid', 'tls1')).trim()).toBe(uuid);
      const seen = new Promise<string>((resolve) => {
        const off = driver.subscribe((e) => {
          if (e.uuid === uuid && e.kind === 'state' && e.state === 'running') {
            off();
            resolve(e.cause);
          }
        });
      });
      await d.virsh(d.testUri, 'start', 'tls1');
      expect(await seen).toBe('host');
      await driver.powerOff!(uuid);
      await driver.undefine!(uuid);
      expect((await d.virsh(d.testUri, 'list', '--all', '--name')).trim()).toBe('test');
    } finally {
      await driver.close();
    }
  });

  it('refuses a daemon whose certificate another CA signed, naming the CA file; no_verify=1 lets it in', async () => {
    const e = await refusal(openDriver(uri('127.0.0.1', pki.wrongCa)));
    expect(e.code).toBe('LIBVIRT_FAILED');
    expect(e.message).toContain(
      `Cannot verify libvirtd's certificate at 127.0.0.1:${port} against the CA in ${pki.wrongCa}/cacert.pem`,
    );
    expect(e.hint).toMatch(/CA that signed/);
    const driver = await openDriver(uri('127.0.0.1', pki.wrongCa, '&no_verify=1'));
    try {
      expect((await driver.list()).map((x) => x.name)).toEqual(['test']);
    } finally {
      await driver.close();
    }
  });

  it('refuses a daemon whose certificate is for another name (localhost: the certificate names 127.0.0.1)', async () => {
    const e = await refusal(openDriver(uri('localhost', pki.good)));
    expect(e.code).toBe('LIBVIRT_FAILED');
    expect(e.message).toContain(`libvirtd at localhost:${port} presented a certificate for another name`);
    expect(e.message).toContain('Host: localhost.');
    expect(e.hint).toMatch(/no_verify=1/);
  });

  it('refuses to connect without a client certificate, naming the file; the daemon refuses a foreign one', async () => {
    const missing = await refusal(openDriver(uri('127.0.0.1', pki.noClientCert)));
    expect(missing.code).toBe('LIBVIRT_FAILED');
    expect(missing.message).toContain(
      `Cannot read the client certificate ${pki.noClientCert}/clientcert.pem`,
    );
    expect(missing.hint).toMatch(/pkipath=DIR/);
    const foreign = await refusal(openDriver(uri('127.0.0.1', pki.foreignClient)));
    expect(foreign.code).toBe('LIBVIRT_FAILED');
    expect(foreign.message).toContain(`libvirtd at 127.0.0.1:${port} refused this client`);
    expect(foreign.message).toContain(`${pki.foreignClient}/clientcert.pem`);
    // The daemon is unharmed: a good client still gets in.
    const driver = await openDriver(uri('127.0.0.1', pki.good));
    await driver.close();
  });

  it('reconnects over TLS after libvirtd is killed and started again (handshake and verdict again)', async () => {
    const driver = (await openDriver(uri('127.0.0.1', pki.good))) as LibvirtDriver;
    try {
      await d.kill('SIGKILL');
      await d.restart();
      const end = Date.now() + 30_000;
      while (driver.connectionStatus().reconnects < 1) {
        if (Date.now() > end) throw new Error('no reconnect over TLS within 30 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await driver.list()).map((x) => x.name)).toEqual(['test']);
    } finally {
      await driver.close();
    }
  });
});
