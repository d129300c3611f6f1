import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, resultOf, transitionRefusal } from '../../../api/index.js';
import { VESSEL_PLATFORM_VERSION } from '../../../host/index.js';
import { buildDefinition, DEFAULT_LIMITS, memoryBytes, ResourceType } from '../../../model/index.js';
import { startTestHost, startVesselHostServer, type TestHost, type VesselHostServer } from '../test-host.js';
import { CimXmlApi } from './cimxml-api.js';
import { jobPathOf } from './job-ids.js';

// CimXmlApi against a real Vessel CIM-XML server on loopback (a Host on test:///default): what issue 10 asks of
// the remote client beyond the conformance cases. The host's own store is read to see what reached it.

const DONE = { waitMs: Number.POSITIVE_INFINITY } as const;
const small = (name: string) => buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n });

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a refusal');
}

describe('CimXmlApi on a Vessel host whose methods answer at once', () => {
  let server: VesselHostServer;
  let api: CimXmlApi;
  beforeAll(async () => {
    server = await startVesselHostServer({
      users: [
        ['admin', 'admin', 'secret'],
        ['viewer', 'reader', 'look'],
      ],
    });
    api = await CimXmlApi.connect({ url: server.url, user: 'admin', password: 'secret' });
  });
  afterAll(async () => {
    await api?.close();
    await server?.close();
  });

  it('finds the implementation namespace and the host through DSP1033', () => {
    expect(api.session.namespace).toBe('root/virtualization');
    expect(api.session.found.host.keys).toEqual({ CreationClassName: 'Vessel_HostSystem', Name: 'testhost' });
    expect(api.session.prefix).toBe('Vessel_');
  });

  it('keeps EFI: define with firmware efi gives the host an EFI system', async () => {
    const def = buildDefinition({ name: 'efi1', cpus: 1, memoryBytes: 64n << 20n, firmware: 'efi' });
    const s = resultOf(await api.systems.define(def, DONE));
    expect(server.host.get('efi1').definition.system.Firmware).toBe('efi');
    expect((await api.systems.get(s.uuid)).definition.system.Firmware).toBe('efi');
  });

  it('honours VirtualQuantityUnits: a memory of 1 in byte*2^30 is 1 GiB on the host and read back', async () => {
    const def = small('units1');
    const mem = def.resources.find((r) => r.properties.ResourceType === String(ResourceType.Memory))!;
    mem.properties = {
      InstanceID: mem.properties.InstanceID ?? '2',
      ResourceType: '4',
      VirtualQuantity: '1',
      VirtualQuantityUnits: 'byte*2^30',
    };
    await api.systems.define(def, DONE);
    expect(memoryBytes(server.host.get('units1').definition)).toBe(1n << 30n);
    expect(memoryBytes((await api.systems.get('units1')).definition)).toBe(1n << 30n);
  });

  it('describes the host: operations of DSP1057, firmware from the VSSD class, limits from the pools, DSP1047 pools', async () => {
    await api.systems.define(small('caps1'), DONE);
    const caps = await api.host.capabilities();
    expect(caps.operations).toEqual(['start', 'resume', 'shutdown', 'powerOff', 'reboot', 'reset', 'pause']);
    expect(caps.firmware).toEqual(['bios', 'efi']);
    expect(caps.limits.cpus).toBe(DEFAULT_LIMITS.cpus);
    expect(caps.limits.memoryBytes).toBe(DEFAULT_LIMITS.memoryBytes);
    expect(caps.features.pools).toBe('read');
    const info = await api.host.info();
    expect(info).toMatchObject({
      name: 'testhost',
      vesselVersion: VESSEL_PLATFORM_VERSION,
      transport: 'cimxml',
      driver: { name: 'vessel-qemu, vessel-q35' },
      // From Vessel_SoftwareIdentity (DSP1023): the package version outside a host image, no digest.
      software: { version: VESSEL_PLATFORM_VERSION, image: false },
    });
    expect(info.software?.digest).toBeUndefined();
    const [pool] = await api.pools.list();
    expect(pool).toMatchObject({ id: 'default', available: true });
    expect(pool!.capacityBytes).toBeGreaterThan(0n);
  });

  it('refuses as NOT_SUPPORTED what CIM-XML cannot carry, before anything reaches the host', async () => {
    const def = small('odd1');
    def.system.VesselNoSuchKnob = 'yes';
    const e = await refusal(api.systems.define(def, DONE));
    expect(e.code).toBe('NOT_SUPPORTED');
    expect(e.message).toMatch(/Vessel_VirtualSystemSettingData has no property VesselNoSuchKnob/);
    expect((await server.host.list()).map((v) => v.name)).not.toContain('odd1');
    await api.systems.define(small('odd2'), DONE);
    await api.systems.changeState('odd2', 'start', DONE);
    // A power-off after the guest's time is this client's to send: it must stay (forced-shutdown.ts).
    const late = await refusal(api.systems.changeState('odd2', 'shutdown', { timeoutMs: 1000 }));
    expect([late.code, late.hint]).toEqual([
      'NOT_SUPPORTED',
      'Wait for the job (leave out --no-wait, or give waitMs), or shut down without a timeout',
    ]);
    const running = await refusal(api.systems.undefine('odd2', { keepDisks: true }));
    expect([running.code, running.message]).toEqual([
      'INVALID_STATE',
      transitionRefusal('odd2', 'running', 'undefine'),
    ]);
    expect((await refusal(api.pools.add({ id: 'p2', path: '/srv/p2' }))).code).toBe('NOT_SUPPORTED');
    expect((await refusal(api.events.list())).code).toBe('NOT_SUPPORTED');
    expect(server.host.get('odd2').state).toBe('running');
    const gone = await api.systems.undefine('odd2', { ...DONE, powerOff: true });
    expect(gone.state).toBe('completed');
  });

  it('gives a shutdown its guest time as TimeoutPeriod: a guest that ignores it is a failed job, TIMEOUT (3), running on', async () => {
    await api.systems.define(small('deaf1'), DONE);
    server.driver.ignoreShutdownOf('deaf1');
    await api.systems.changeState('deaf1', 'start', DONE);
    const late = await api.systems.changeState('deaf1', 'shutdown', {
      ...DONE,
      timeoutMs: 300,
      forceAfterTimeout: false,
    });
    expect(late.state).toBe('failed');
    expect(late.error?.code).toBe('TIMEOUT');
    expect(late.error?.message).toMatch(/within 300 ms \(RequestStateChange answered 3, Timeout,/);
    expect(server.host.get('deaf1').state).toBe('running');
    const off = await api.systems.changeState('deaf1', 'powerOff', DONE);
    expect(off.state).toBe('completed');
    // The reason's code travels in Vessel_ComputerSystem.StateReason, its words in StatusDescriptions.
    const { reason } = await api.systems.get('deaf1');
    expect(reason.code).toBe('powered-off');
    expect(reason.text).toBe(server.host.get('deaf1').reason);
  });

  it('says who is refused: a reader cannot define (ACCESS_DENIED), a wrong password is AUTH_FAILED', async () => {
    const reader = await CimXmlApi.connect({ url: server.url, user: 'viewer', password: 'look' });
    try {
      const e = await refusal(reader.systems.define(small('nope1'), DONE));
      expect(e.code).toBe('ACCESS_DENIED');
      expect(e.message).toContain('127.0.0.1');
    } finally {
      await reader.close();
    }
    const wrong = await refusal(CimXmlApi.connect({ url: server.url, user: 'admin', password: 'wrong' }));
    expect(wrong.code).toBe('AUTH_FAILED');
    expect(wrong.message).toMatch(/refused the credentials of "admin"/);
  });
});

describe('CimXmlApi on a Vessel host whose methods all answer with a job', () => {
  let server: VesselHostServer;
  let api: CimXmlApi;
  beforeAll(async () => {
    server = await startVesselHostServer({ syncMs: -1 });
    api = await CimXmlApi.connect({ url: server.url, user: 'admin', password: 'secret' });
  });
  afterAll(async () => {
    await api?.close();
    await server?.close();
  });

  it("answers with the host's CIM_ConcreteJob and follows it to its result", async () => {
    const job = await api.systems.define(small('job1'), { waitMs: 0 });
    expect(job.id).toMatch(/^cim\./);
    expect(jobPathOf(job.id, 'root/virtualization')?.className).toBe('Vessel_ConcreteJob');
    const done = await api.jobs.wait(job.id);
    expect(done.state).toBe('completed');
    expect((done.result as { name: string }).name).toBe('job1');
    expect((await api.jobs.list({ states: ['completed'] })).map((j) => j.id)).toContain(job.id);
  });

  it("reads a failed job's error with GetError, coded as the Api codes it", async () => {
    const job = await api.systems.define(small('job1'), DONE);
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('VM_EXISTS');
    expect(job.error?.message).toMatch(/job1/);
    // The host's job store is one: a finished job is deleted with DSP1103 DeleteInstance, and is gone.
    await api.jobs.delete(job.id);
    expect((await refusal(api.jobs.get(job.id))).code).toBe('NOT_FOUND');
  });

  it('waits no longer than asked for a job that has not ended', async () => {
    await api.systems.define(small('job2'), DONE);
    const start = Date.now();
    const job = await api.systems.changeState('job2', 'start', { waitMs: 1 });
    expect(Date.now() - start).toBeLessThan(5000);
    expect((await api.jobs.wait(job.id)).state).toBe('completed');
  });
});

describe('CimXmlApi when the host is not there', () => {
  it('is HOST_UNREACHABLE naming the host, at once', async () => {
    const start = Date.now();
    const e = await refusal(CimXmlApi.connect({ url: 'http://127.0.0.1:9', user: 'admin', password: 'x' }));
    expect(e.code).toBe('HOST_UNREACHABLE');
    expect(e.message).toContain('127.0.0.1:9');
    expect(Date.now() - start).toBeLessThan(5000);
  });
});

describe('CimXmlApi over HTTPS', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ https: true, vms: 1 });
  });
  afterAll(async () => {
    await host?.close();
  });

  it("works with the host's CA and is HOST_UNREACHABLE, with a hint, without it", async () => {
    const ca = await readFile(`${host.stateDir}/cim-cert.pem`);
    const api = await CimXmlApi.connect({ url: host.httpsUrl!, user: 'admin', password: 'secret', ca });
    try {
      expect((await api.systems.list()).map((s) => s.name)).toEqual(['vm1']);
    } finally {
      await api.close();
    }
    const e = await refusal(CimXmlApi.connect({ url: host.httpsUrl!, user: 'admin', password: 'secret' }));
    expect(e.code).toBe('HOST_UNREACHABLE');
    expect(e.hint).toMatch(/ca=FILE/);
  });
});
