import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import { CimClient } from './client.js';
import { RemoteHost } from './remote.js';
import { startTestHost, type TestHost } from './test-host.js';

// The SDK's remote host (a thin adapter over CimXmlApi): DMTF profiles only, discovered through root/interop,
// against a live host that answers every method with a job (as a slow host does).

let host: TestHost;
let client: CimClient;
let remote: RemoteHost;

beforeAll(async () => {
  host = await startTestHost({ vms: 2, syncMs: -1 });
  client = new CimClient(host.url, { user: 'admin', password: 'secret', namespace: 'root/nothing' });
  remote = await RemoteHost.connect(client);
});
afterAll(async () => {
  client.close();
  await host.close();
});

describe('RemoteHost (the SDK over CIM-XML)', () => {
  it('finds the implementation namespace and the host through the registered DSP1042 profile', () => {
    expect(remote.namespace).toBe('root/virtualization');
    expect(remote.host.keys).toEqual({ CreationClassName: 'Vessel_HostSystem', Name: 'testhost' });
  });

  it('lists the virtual systems by name, UUID and state, without the host', async () => {
    const list = await remote.list();
    expect(list.map((s) => [s.name, s.state]).sort()).toEqual([
      ['vm1', 'stopped'],
      ['vm2', 'stopped'],
    ]);
    expect(list[0]!.uuid).toBe((await host.driver.lookup(list[0]!.name))!.uuid);
  });

  it('defines from the one model, runs a lifecycle through jobs, reads the definition back, destroys', async () => {
    const def = buildDefinition({
      name: 'remote1',
      cpus: 2,
      memoryBytes: 96n << 20n,
      nics: [{ network: 'user' }],
    });
    await remote.define(def);
    expect((await host.driver.lookup('remote1'))?.state).toBe('stopped');
    await remote.change('remote1', 'start');
    expect((await remote.find('remote1')).state).toBe('running');
    await remote.change('remote1', 'pause');
    expect((await remote.find('remote1')).state).toBe('paused');
    await remote.change('remote1', 'resume');
    await remote.change('remote1', 'shutdown');
    expect((await remote.find('remote1')).state).toBe('stopped');
    const back = await remote.definition('remote1');
    expect(back.system.ElementName).toBe('remote1');
    expect(back.resources.map((r) => [r.properties.ResourceType, r.properties.VirtualQuantity])).toEqual(
      def.resources.map((r) => [r.properties.ResourceType, r.properties.VirtualQuantity]),
    );
    await remote.destroy('remote1');
    expect(await host.driver.lookup('remote1')).toBeUndefined();
  });

  it('says what went wrong: an unknown system, a transition the state refuses, a host that is not there', async () => {
    await expect(remote.change('nope', 'start')).rejects.toMatchObject({
      code: 'VM_NOT_FOUND',
      message: /No virtual system "nope" on 127\.0\.0\.1:\d+/,
    });
    await expect(remote.change('vm1', 'pause')).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: 'Cannot pause "vm1": it is stopped',
    });
    const gone = new CimClient('http://127.0.0.1:9', { user: 'admin', password: 'secret' });
    await expect(RemoteHost.connect(gone)).rejects.toMatchObject({ code: 'HOST_UNREACHABLE' });
    gone.close();
  });
});
