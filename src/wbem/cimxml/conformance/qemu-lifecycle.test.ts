import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host, USERS_FILE, UserStore } from '../../../host/index.js';
import { ensureTestGuest, requireOperation, type TestGuest } from '../../../hypervisor/index.js';
import { buildDefinition } from '../../../model/index.js';
import { CimClient } from '../client.js';
import { hostApiFactory } from '../host-api.js';
import { RemoteHost } from '../remote.js';
import { type CimXmlEndpoint, serveCimXml } from '../serve.js';

// The lifecycle subset against a Vessel host on real QEMU (TCG) and the tiny test guest: DefineSystem,
// RequestStateChange 2 / 9 / 2 / 4 (the guest powers off on the ACPI button) and DestroySystem, over CIM-XML.
// One boot, ~15 s.

let state: string;
let guest: TestGuest;
let host: Host;
let ep: CimXmlEndpoint;
let client: CimClient;
let remote: RemoteHost;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-cim-qemu-'));
  guest = await ensureTestGuest();
  host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
  host.pools.add('guest', dirname(guest.stayDisk));
  await new UserStore(join(state, USERS_FILE)).add('admin', 'admin', 'secret');
  ep = await serveCimXml({
    api: hostApiFactory(host),
    hostName: 'qemuhost',
    stateDir: state,
    http: { port: 0 },
    shutdownTimeoutMs: 60_000,
  });
  client = new CimClient(`http://127.0.0.1:${ep.server.httpPort}`, {
    user: 'admin',
    password: 'secret',
    timeoutMs: 120_000,
  });
  remote = await RemoteHost.connect(client);
}, 180_000);

afterAll(async () => {
  client?.close();
  await ep?.close();
  await host?.close({ stopVms: true });
  await rm(state, { recursive: true, force: true });
});

async function until(what: string, fn: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('CIM-XML lifecycle on QEMU (TCG, real guest)', () => {
  it('defines, starts, pauses, resumes, shuts down through ACPI and destroys a real guest', async () => {
    await remote.define(
      buildDefinition({
        name: 'cimguest',
        cpus: 1,
        memoryBytes: 128n << 20n,
        disks: [guest.stayDisk],
        nics: [{ network: 'user' }],
      }),
    );
    const uuid = host.get('cimguest').uuid;
    await remote.change('cimguest', 'start');
    const con = await requireOperation(host.driver, 'console')(uuid);
    await until(
      'the guest to be ready',
      async () => (await con.readLog()).includes(guest.markers.ready),
      90_000,
    );
    expect((await remote.find('cimguest')).state).toBe('running');
    await remote.change('cimguest', 'pause');
    expect((await remote.find('cimguest')).state).toBe('paused');
    await remote.change('cimguest', 'resume');
    expect((await remote.find('cimguest')).state).toBe('running');
    await remote.change('cimguest', 'shutdown', 90_000);
    expect((await remote.find('cimguest')).state).toBe('stopped');
    expect((await host.driver.getState(uuid)).state).toBe('stopped');
    expect(host.get(uuid).state).toBe('stopped');
    await remote.destroy('cimguest');
    expect(await host.driver.lookup('cimguest')).toBeUndefined();
    expect((await host.list()).map((v) => v.name)).toEqual([]);
  }, 180_000);
});
