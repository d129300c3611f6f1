import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { freePort } from '../../../test/helpers/ports.js';
import { splitLibvirtUri } from '../../libvirt/index.js';
import { buildDefinition } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { openDriver } from '../registry.js';
import type { HypervisorDriver } from '../types.js';

/**
 * The libvirt driver over TCP (`libvirt:test+tcp://127.0.0.1:PORT/default`): a private libvirtd listening on
 * loopback (listen_tcp, auth_tcp none), the same daemon virsh reaches over its unix socket.
 */
let d: PrivateLibvirtd;
let driver: HypervisorDriver;
let port: number;

beforeAll(async () => {
  port = await freePort();
  d = await startLibvirtd({ tcpPort: port });
  await import('../index.js');
  driver = await openDriver(`libvirt:test+tcp://127.0.0.1:${port}/default`);
}, 60_000);
afterAll(async () => {
  await driver?.close();
  await d?.stop();
});

async function refusal(p: Promise<unknown>): Promise<[string, string]> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HypervisorError);
  return [(e as HypervisorError).code, (e as HypervisorError).message];
}

describe('libvirt URIs with a host', () => {
  it('split into the name libvirt opens and the TCP endpoint', () => {
    expect(splitLibvirtUri('qemu+tcp://10.0.0.2/system')).toEqual({
      name: 'qemu:///system',
      host: '10.0.0.2',
      port: 16509,
    });
    expect(splitLibvirtUri('test+tcp://user@[::1]:1234/default?x=1')).toEqual({
      name: 'test:///default?x=1',
      host: '::1',
      port: 1234,
    });
  });

  it('refuses ssh, a missing host and a port out of range', () => {
    for (const [uri, message] of [
      ['qemu+ssh://h/system', /the ssh transport is not supported/],
      ['qemu+libssh2://h/system', /the libssh2 transport is not supported/],
      ['qemu+tcp:///system', /names no host/],
      ['qemu+tcp://h:70000/system', /names no host/],
      ['qemu+tcp://h:0/system', /names no host/],
      ['qemu+tcp://a b/system', /names no host/],
    ] as const) {
      expect(() => splitLibvirtUri(uri), uri).toThrow(message);
    }
  });
});

describe.skipIf(!HAVE_LIBVIRTD)('libvirt driver over TCP (private libvirtd on loopback)', () => {
  it("lists, defines and follows the daemon's events over TCP; virsh on the unix socket sees the same", async () => {
    expect((await driver.list()).map((x) => x.name)).toEqual(['test']);
    const { uuid } = await driver.define(buildDefinition({ name: 'tcp1', cpus: 1, memoryBytes: 64n << 20n }));
    expect((await d.virsh(d.testUri, 'domuuid', 'tcp1')).trim()).toBe(uuid);
    const seen = new Promise<string>((resolve) => {
      const off = driver.subscribe((e) => {
        if (e.uuid === uuid && e.kind === 'state' && e.state === 'running') {
          off();
          resolve(e.cause);
        }
      });
    });
    await d.virsh(d.testUri, 'start', 'tcp1');
    expect(await seen).toBe('host'); // libvirt's event, over TCP: started by someone else than this driver
    expect((await driver.getState(uuid)).state).toBe('running');
    await driver.powerOff!(uuid);
    await driver.undefine!(uuid);
    expect((await d.virsh(d.testUri, 'list', '--all', '--name')).trim()).toBe('test');
  });

  it('fails to open a port nothing listens on, naming it', async () => {
    const closed = await freePort();
    const [code, message] = await refusal(openDriver(`libvirt:test+tcp://127.0.0.1:${closed}/default`));
    expect(code).toBe('LIBVIRT_FAILED');
    expect(message).toContain(`Cannot connect to libvirtd at 127.0.0.1:${closed}`);
  });
});
