import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../../api/index.js';
import type { CimInstance, CimInstanceName } from '../../../cim/index.js';
import { TEST_GUEST_IGNORES_SHUTDOWN } from '../../../hypervisor/index.js';
import { buildDefinition } from '../../../model/index.js';
import { CimClient } from '../client.js';
import { startTestHost, type TestHost } from '../test-host.js';

// DSP1103 Job Control: methods that take longer than the service's sync window answer 4096 with a ConcreteJob
// that a client follows until Completed or Exception (the Hyper-V client algorithm of REFERENCE.md §4d). This host
// answers every method with a job (syncMs < 0), as a slow QEMU host does.

let host: TestHost;
let c: CimClient;
const vm = (name: string): CimInstanceName => ({
  className: 'Vessel_ComputerSystem',
  keys: { CreationClassName: 'Vessel_ComputerSystem', Name: name },
});

beforeAll(async () => {
  host = await startTestHost({ vms: 2, syncMs: -1 });
  c = new CimClient(host.url, { user: 'admin', password: 'secret' });
});
afterAll(async () => {
  c.close();
  await host.close();
});

async function follow(job: CimInstanceName): Promise<CimInstance> {
  for (let i = 0; i < 200; i++) {
    const j = await c.getInstance(job);
    if (['7', '8', '9', '10'].includes(String(j.properties.JobState))) return j;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the job never ended');
}

describe('DSP1103 Job Control', () => {
  it('a hard power-off queued behind shutdowns the guest ignores succeeds at once; the shutdown jobs end Terminated (issue 11)', async () => {
    const def = buildDefinition({ name: 'deaf', cpus: 1, memoryBytes: 64n << 20n });
    def.system[TEST_GUEST_IGNORES_SHUTDOWN] = 'true';
    resultOf(await host.api.systems.define(def, { waitMs: Number.POSITIVE_INFINITY }));
    resultOf(await host.api.systems.changeState('deaf', 'start', { waitMs: Number.POSITIVE_INFINITY }));
    const rsc = (v: string) =>
      c.invokeMethod(vm('deaf'), 'RequestStateChange', { RequestedState: { type: 'uint16', value: v } });
    const down = await rsc('4');
    expect(down.returnValue).toBe(4096);
    const queued = await rsc('4');
    expect(queued.returnValue).toBe(4096);
    const off = await rsc('3');
    expect(off.returnValue).toBe(4096);
    expect((await follow(off.out.Job as CimInstanceName)).properties).toMatchObject({ JobState: '7' });
    // Not behind the guest's shutdown time of either shutdown: both end Terminated (cancelled by the power-off),
    // where a power-off that waited for them would find them ended in Exception (the guest's time ran out).
    for (const j of [down, queued])
      expect((await follow(j.out.Job as CimInstanceName)).properties).toMatchObject({
        JobState: '8',
        JobStatus: 'Terminated',
      });
    expect((await c.getInstance(vm('deaf'))).properties).toMatchObject({
      EnabledState: '3',
      RequestedState: '3',
    });
  });

  it('RequestStateChange 4 answers 4096 and a job that ends Completed with the system Disabled', async () => {
    expect(
      (
        await c.invokeMethod(vm('vm1'), 'RequestStateChange', {
          RequestedState: { type: 'uint16', value: '2' },
        })
      ).returnValue,
    ).toBe(4096);
    await new Promise((r) => setTimeout(r, 20));
    const r = await c.invokeMethod(vm('vm1'), 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: '4' },
    });
    expect(r.returnValue).toBe(4096);
    const job = r.out.Job as CimInstanceName;
    expect(job.className).toBe('Vessel_ConcreteJob');
    const done = await follow(job);
    expect(done.properties).toMatchObject({
      JobState: '7',
      PercentComplete: '100',
      Name: 'RequestStateChange',
    });
    expect((await c.getInstance(vm('vm1'))).properties).toMatchObject({
      EnabledState: '3',
      RequestedState: '4',
    });
    const affected = await c.associatorNames(job, { assocClass: 'CIM_AffectedJobElement' });
    expect(affected.map((a) => a.keys.Name)).toEqual(['vm1']);
    const owner = await c.associators(job, { assocClass: 'CIM_OwningJobElement' });
    expect(owner.map((o) => o.className)).toEqual(['Vessel_VirtualSystemManagementService']);
    const err = await c.invokeMethod(job, 'GetError');
    expect(err.returnValue).toBe(0);
    expect(err.out.Error).toBeUndefined();
  });

  it('a job that fails ends Exception, and GetError returns a CIM_Error that says why', async () => {
    const vsms = (await c.enumerateInstanceNames('CIM_VirtualSystemManagementService'))[0]!;
    const r = await c.invokeMethod(vsms, 'DefineSystem', {
      SystemSettings: {
        type: 'string',
        embedded: true,
        value: { className: 'CIM_VirtualSystemSettingData', properties: { ElementName: 'vm2' } },
      },
      ResourceSettings: {
        type: 'string',
        embedded: true,
        value: [
          {
            className: 'CIM_ResourceAllocationSettingData',
            properties: { ResourceType: '3', VirtualQuantity: '1' },
          },
          {
            className: 'CIM_ResourceAllocationSettingData',
            properties: { ResourceType: '4', VirtualQuantity: '64' },
          },
        ],
      },
    });
    expect(r.returnValue).toBe(4096);
    const done = await follow(r.out.Job as CimInstanceName);
    expect(done.properties).toMatchObject({ JobState: '10', ErrorCode: '11' });
    expect(done.properties.ErrorDescription).toMatch(/vm2/);
    const e = await c.invokeMethod(r.out.Job as CimInstanceName, 'GetError');
    expect(e.out.Error).toMatchObject({
      className: 'CIM_Error',
      properties: { CIMStatusCode: '11', MessageID: 'CIM_ERR_ALREADY_EXISTS' },
    });
  });

  it('DefineSystem as a job: the new system is reachable from the job with ElementEffects 5 (Create)', async () => {
    const vsms = (await c.enumerateInstanceNames('CIM_VirtualSystemManagementService'))[0]!;
    const r = await c.invokeMethod(vsms, 'DefineSystem', {
      SystemSettings: {
        type: 'string',
        value: 'instance of CIM_VirtualSystemSettingData { ElementName = "jobbed"; };',
      },
      ResourceSettings: {
        type: 'string',
        value:
          'instance of CIM_ResourceAllocationSettingData { ResourceType = 3; VirtualQuantity = 1; }; instance of CIM_ResourceAllocationSettingData { ResourceType = 4; VirtualQuantity = 64; };',
      },
    });
    const job = r.out.Job as CimInstanceName;
    expect((await follow(job)).properties.JobState).toBe('7');
    const refs = await c.references(job, { assocClass: 'CIM_AffectedJobElement' });
    expect(refs[0]!.properties.ElementEffects).toEqual(['5']);
    expect((refs[0]!.properties.AffectedElement as CimInstanceName).keys.Name).toBe('jobbed');
  });
});
