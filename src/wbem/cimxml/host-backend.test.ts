import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host, USERS_FILE, UserStore } from '../../host/index.js';
import { buildDefinition } from '../../model/index.js';
import { CimClient } from './client.js';
import { backendFromHost } from './host-backend.js';
import { RemoteHost } from './remote.js';
import { type CimXmlEndpoint, serveCimXml } from './serve.js';

// CIM on a real Vessel host (SQLite store, per-system locks, jobs) with the test driver: what
// `vessel host serve --cim-http PORT` runs.

let dir: string;
let host: Host;
let ep: CimXmlEndpoint;
let remote: RemoteHost;
let client: CimClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vessel-cimhost-'));
  host = await Host.open({ stateDir: dir, driverUri: 'test:///default' });
  await host.define(buildDefinition({ name: 'stored1', cpus: 1, memoryBytes: 64n << 20n }));
  await new UserStore(join(dir, USERS_FILE)).add('admin', 'admin', 'secret');
  ep = await serveCimXml({
    backend: backendFromHost(host, { hostName: 'h1' }),
    stateDir: dir,
    http: { port: 0 },
  });
  client = new CimClient(`http://127.0.0.1:${ep.server.httpPort}`, { user: 'admin', password: 'secret' });
  remote = await RemoteHost.connect(client);
});
afterAll(async () => {
  client.close();
  await ep.close();
  await host.close({ stopVms: true });
  await rm(dir, { recursive: true, force: true });
});

describe('CIM-XML on a Vessel host', () => {
  it('shows the systems of the host store, and changes them through the host (store and driver agree)', async () => {
    expect((await remote.list()).map((s) => s.name)).toEqual(['stored1']);
    await remote.change('stored1', 'start');
    expect(host.get('stored1').state).toBe('running');
    await remote.change('stored1', 'shutdown');
    expect(host.get('stored1').state).toBe('stopped');
  });

  it('defines through DefineSystem into the store and changes a stopped system’s settings', async () => {
    await remote.define(buildDefinition({ name: 'viacim', cpus: 2, memoryBytes: 128n << 20n }));
    expect(
      host.get('viacim').definition.resources.find((r) => r.properties.ResourceType === '3')!.properties
        .VirtualQuantity,
    ).toBe('2');
    const vsms = (await client.enumerateInstanceNames('CIM_VirtualSystemManagementService'))[0]!;
    const r = await client.invokeMethod(vsms, 'ModifyResourceSettings', {
      ResourceSettings: {
        type: 'string',
        value: [
          'instance of CIM_ResourceAllocationSettingData { InstanceID = "Vessel:viacim/1"; VirtualQuantity = 3; };',
        ],
      },
    });
    expect(r.returnValue).toBe(0);
    expect(
      host.get('viacim').definition.resources.find((x) => x.properties.InstanceID === '1')!.properties
        .VirtualQuantity,
    ).toBe('3');
    await remote.destroy('viacim');
    expect((await host.list()).map((v) => v.name)).toEqual(['stored1']);
  });
});
