import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, resultOf } from '../../api/index.js';
import type { CimInstance, CimInstanceName } from '../../cim/index.js';
import { connectHostApi, serveHostApi } from '../../host/index.js';
import { TEST_GUEST_IGNORES_SHUTDOWN } from '../../hypervisor/index.js';
import { buildDefinition, memoryBytes } from '../../model/index.js';
import { CimClient } from './client.js';
import { RemoteHost } from './remote.js';
import { startTestHost, type TestHost } from './test-host.js';

// CIM on a real Vessel host (SQLite store, per-system locks, jobs) with the test driver, as `vessel host serve
// --cim-http PORT` runs it: the CIM providers hold an Api session per CIM user, so what the socket, the CLI and
// CIM see and do is one host's, with one job store and one role check.

let h: TestHost;
let remote: RemoteHost;
let client: CimClient;
let reader: CimClient;
const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY };
const vm = (name: string): CimInstanceName => ({
  className: 'Vessel_ComputerSystem',
  keys: { CreationClassName: 'Vessel_ComputerSystem', Name: name },
});

beforeAll(async () => {
  h = await startTestHost({
    hostName: 'h1',
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
  });
  resultOf(
    await h.api.systems.define(
      buildDefinition({ name: 'stored1', cpus: 1, memoryBytes: 64n << 20n }),
      UNTIL_DONE,
    ),
  );
  client = new CimClient(h.url, { user: 'admin', password: 'secret' });
  reader = new CimClient(h.url, { user: 'rita', password: 'r3ad' });
  remote = await RemoteHost.connect(client);
});
afterAll(async () => {
  client.close();
  reader.close();
  await h.close();
});

async function follow(job: CimInstanceName): Promise<CimInstance> {
  for (let i = 0; i < 300; i++) {
    const j = await client.getInstance(job);
    if (['7', '8', '10'].includes(String(j.properties.JobState))) return j;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the job never ended');
}

describe('CIM-XML on a Vessel host', () => {
  it('shows the systems of the host store, and changes them through the host (store and driver agree)', async () => {
    expect((await remote.list()).map((s) => s.name)).toEqual(['stored1']);
    await remote.change('stored1', 'start');
    expect(h.host.get('stored1').state).toBe('running');
    await remote.change('stored1', 'shutdown');
    expect(h.host.get('stored1').state).toBe('stopped');
  });

  it('defines through DefineSystem into the store and changes a stopped system’s settings', async () => {
    await remote.define(buildDefinition({ name: 'viacim', cpus: 2, memoryBytes: 128n << 20n }));
    expect(
      h.host.get('viacim').definition.resources.find((r) => r.properties.ResourceType === '3')!.properties
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
      h.host.get('viacim').definition.resources.find((x) => x.properties.InstanceID === '1')!.properties
        .VirtualQuantity,
    ).toBe('3');
    await remote.destroy('viacim');
    expect((await h.host.list()).map((v) => v.name)).toEqual(['stored1']);
  });

  it('EnumerateInstances shows a system defined over the unix socket and one defined in process', async () => {
    const server = await serveHostApi(h.host);
    let socket: Api | undefined;
    try {
      socket = await connectHostApi({ stateDir: h.stateDir });
      resultOf(
        await socket.systems.define(
          buildDefinition({ name: 'via-socket', cpus: 1, memoryBytes: 64n << 20n }),
          {
            waitMs: Number.POSITIVE_INFINITY,
          },
        ),
      );
      resultOf(
        await h.api.systems.define(
          buildDefinition({ name: 'in-process', cpus: 1, memoryBytes: 64n << 20n }),
          {
            waitMs: Number.POSITIVE_INFINITY,
          },
        ),
      );
      const names = (await client.enumerateInstances('CIM_ComputerSystem')).map((i) => i.properties.Name);
      expect(names).toEqual(expect.arrayContaining(['via-socket', 'in-process', 'stored1', 'h1']));
      const vssd = await client.getInstance({
        className: 'Vessel_VirtualSystemSettingData',
        keys: { InstanceID: 'Vessel:via-socket' },
      });
      expect(vssd.properties.VirtualSystemIdentifier).toBe((await socket.systems.get('via-socket')).uuid);
      for (const name of ['via-socket', 'in-process'])
        resultOf(await socket.systems.undefine(name, UNTIL_DONE));
    } finally {
      await socket?.close();
      await server.close();
    }
  });

  it('a job started by systems.changeState is a CIM_ConcreteJob, and a CIM job is one of api.jobs', async () => {
    const started = await h.api.systems.changeState('stored1', 'start', { waitMs: 0 });
    const path: CimInstanceName = {
      className: 'Vessel_ConcreteJob',
      keys: { InstanceID: `Vessel:Job/${started.id}` },
    };
    const done = await follow(path);
    expect(done.properties).toMatchObject({
      Name: 'RequestStateChange',
      ElementName: 'RequestStateChange stored1 to 2',
      Owner: 'local',
      JobState: '7',
      PercentComplete: '100',
    });
    expect((await client.enumerateInstanceNames('CIM_ConcreteJob')).map((j) => j.keys.InstanceID)).toContain(
      `Vessel:Job/${started.id}`,
    );
    const affected = await client.associatorNames(path, { assocClass: 'CIM_AffectedJobElement' });
    expect(affected.map((a) => a.keys.Name)).toEqual(['stored1']);

    // The other way: RequestStateChange 3 over CIM runs a job of the host's, owned by the CIM user.
    const r = await client.invokeMethod(vm('stored1'), 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: '3' },
    });
    expect(r.returnValue).toBe(0);
    const [latest] = await h.api.jobs.list({ limit: 1 });
    expect(latest).toMatchObject({ operation: 'powerOff', owner: 'admin', state: 'completed' });
    expect(latest!.target).toMatchObject({ kind: 'system', name: 'stored1' });
    // A finished job is deleted over CIM (DSP1103 DeleteInstance) and is gone from the Api too.
    await client.deleteInstance(path);
    await expect(h.api.jobs.get(started.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('RequestStateChange 4 Terminate of a running CIM_ConcreteJob cancels the host job (jobs.cancel)', async () => {
    const deaf = buildDefinition({ name: 'deaf', cpus: 1, memoryBytes: 64n << 20n });
    deaf.system[TEST_GUEST_IGNORES_SHUTDOWN] = 'true';
    resultOf(await h.api.systems.define(deaf, UNTIL_DONE));
    resultOf(await h.api.systems.changeState('deaf', 'start', UNTIL_DONE));
    // The guest ignores the power button: the shutdown outlasts the method's wait and answers with its job.
    const r = await client.invokeMethod(vm('deaf'), 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: '4' },
    });
    expect(r.returnValue).toBe(4096);
    const job = r.out.Job as CimInstanceName;
    expect((await client.getInstance(job)).properties).toMatchObject({ JobState: '4', Owner: 'admin' });
    const end = await client.invokeMethod(job, 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: '4' },
    });
    expect(end.returnValue).toBe(0);
    const done = await follow(job);
    expect(done.properties.JobState).toBe('8');
    const id = String(job.keys.InstanceID).replace('Vessel:Job/', '');
    expect(await h.api.jobs.get(id)).toMatchObject({ state: 'cancelled', operation: 'shutdown' });
    expect((await h.api.systems.get('deaf')).state).toBe('running');
    // A job that has ended cannot be terminated again (4097); the system is powered off and removed.
    expect(
      (
        await client.invokeMethod(job, 'RequestStateChange', {
          RequestedState: { type: 'uint16', value: '4' },
        })
      ).returnValue,
    ).toBe(4097);
    resultOf(await h.api.systems.undefine('deaf', { powerOff: true, waitMs: Number.POSITIVE_INFINITY }));
  });

  it('DefineSystem with memory 1 in VirtualQuantityUnits byte*2^30 makes a 1 GiB system in the host store', async () => {
    const vsms = (await client.enumerateInstanceNames('CIM_VirtualSystemManagementService'))[0]!;
    const image = join(h.imagesDir, 'gig.qcow2');
    await writeFile(image, '');
    const r = await client.invokeMethod(vsms, 'DefineSystem', {
      SystemSettings: {
        type: 'string',
        value: 'instance of CIM_VirtualSystemSettingData { ElementName = "gig"; };',
      },
      ResourceSettings: {
        type: 'string',
        value: [
          'instance of CIM_ResourceAllocationSettingData { ResourceType = 3; VirtualQuantity = 1; };',
          'instance of CIM_ResourceAllocationSettingData { ResourceType = 4; VirtualQuantity = 1; VirtualQuantityUnits = "byte*2^30"; };',
          `instance of CIM_ResourceAllocationSettingData { ResourceType = 17; HostResource = {"${image}"}; };`,
        ],
      },
    });
    expect(r.returnValue).toBe(0);
    expect(memoryBytes(h.host.get('gig').definition)).toBe(1n << 30n);
    expect(memoryBytes((await h.api.systems.get('gig')).definition)).toBe(1n << 30n);
    resultOf(await h.api.systems.undefine('gig', UNTIL_DONE));
  });

  it("refuses a reader's RequestStateChange with CIM_ERR_ACCESS_DENIED from the Api's role check, and starts no job", async () => {
    const before = (await h.api.jobs.list()).length;
    await expect(
      reader.invokeMethod(vm('stored1'), 'RequestStateChange', {
        RequestedState: { type: 'uint16', value: '2' },
      }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_ACCESS_DENIED',
      message: expect.stringContaining(
        'rita (reader) may not call systems.changeState: it needs the operator role',
      ),
    });
    expect(h.host.get('stored1').state).toBe('stopped');
    expect((await h.api.jobs.list()).length).toBe(before);
    // Reads are the reader's: the system, and the jobs.
    expect((await reader.getInstance(vm('stored1'))).properties.EnabledState).toBe('3');
    expect((await reader.enumerateInstanceNames('CIM_ConcreteJob')).length).toBe(before);
  });
});
