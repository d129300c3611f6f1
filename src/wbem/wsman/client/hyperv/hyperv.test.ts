import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SyntheticHyperv, startSyntheticHyperv, synthVm } from '../../../../../test/helpers/hyperv.js';
import { ApiError, resultOf } from '../../../../api/index.js';
import { buildDefinition, cpuCount, memoryBytes, readDevices } from '../../../../model/index.js';
import { connectWsmanHost } from '../api.js';
import { HypervApi } from './api.js';

// SYNTHETIC: test/helpers/hyperv.ts answers as WinRM answers for Hyper-V's WMI v2, built from published shapes
// (libvirt's src/hyperv, MSDN's Msvm_* pages), not from a real Hyper-V, which no test can reach.

let hv: SyntheticHyperv;
const USER = 'Administrator';
const PASSWORD = 'synthetic-pw';

beforeAll(async () => {
  hv = await startSyntheticHyperv({ user: USER, password: PASSWORD, vms: [synthVm('old1')] });
});
afterAll(() => hv.close());

const open = (jobTimeoutMs?: number) =>
  HypervApi.connect({
    url: hv.url,
    user: USER,
    password: PASSWORD,
    ...(jobTimeoutMs ? { jobTimeoutMs } : {}),
  });

const WAIT = { waitMs: Number.POSITIVE_INFINITY };

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('HypervApi against a SYNTHETIC Hyper-V (WMI v2 over WinRM)', () => {
  it('is chosen by Identify (ProductVendor Microsoft Corporation) and lists the VMs by WQL in the WMI URI form', async () => {
    const api = await connectWsmanHost({ url: hv.url, user: USER, password: PASSWORD });
    expect(api).toBeInstanceOf(HypervApi);
    const vms = await api.systems.list();
    await api.close();
    expect(vms.map((v) => [v.name, v.state])).toEqual([['old1', 'stopped']]);
    expect(vms[0]!.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const enumerate = hv.requests.find((r) => r.includes('SELECT * FROM Msvm_ComputerSystem'))!;
    expect(enumerate).toContain(
      '<wsman:ResourceURI s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/*</wsman:ResourceURI>',
    );
    expect(enumerate).toContain('WHERE Description = "Microsoft Virtual Machine"</wsman:Filter>');
    expect(enumerate).not.toContain('__cimnamespace');
  });

  it('defines a VM: DefineSystem, then ModifyResourceSettings (CPU, memory), then AddResourceSettings (disk, DVD, NIC)', async () => {
    const api = open();
    const def = buildDefinition({
      name: 'web1',
      cpus: 2,
      memoryBytes: 512n * 1048576n,
      disks: ['C:\\VMs\\web1.vhdx'],
      cdroms: ['C:\\ISO\\install.iso'],
      diskBus: 'scsi',
      nics: [{ network: 'Default Switch', mac: '00:15:5d:01:02:03' }],
      graphics: 'none',
      firmware: 'efi',
    });
    const before = hv.actions.length;
    const vm = resultOf(await api.systems.define(def, WAIT));
    const calls = hv.actions
      .slice(before)
      .filter((a) => !a.endsWith('/Enumerate') && !a.endsWith('/Get'))
      .map((a) => a.slice(a.lastIndexOf('/') + 1));
    expect(calls).toEqual([
      'DefineSystem',
      'ModifyResourceSettings',
      'AddResourceSettings', // SCSI controller
      'AddResourceSettings', // disk drive
      'AddResourceSettings', // its VHDX
      'AddResourceSettings', // DVD drive
      'AddResourceSettings', // its ISO
      'AddResourceSettings', // NIC
      'AddResourceSettings', // its switch connection
    ]);
    expect(vm).toMatchObject({ name: 'web1', state: 'stopped' });
    const kept = [...hv.vms.values()].find((v) => v.name === 'web1')!;
    expect(kept.subType).toBe('Microsoft:Hyper-V:SubType:2');
    const props = (cls: string) => kept.settings.filter((s) => s.className === cls).map((s) => s.props);
    expect(props('Msvm_ProcessorSettingData')[0]!.VirtualQuantity).toBe('2');
    expect(props('Msvm_MemorySettingData')[0]!.VirtualQuantity).toBe('512');
    expect(props('Msvm_StorageAllocationSettingData').map((p) => p.HostResource)).toEqual([
      ['C:\\VMs\\web1.vhdx'],
      ['C:\\ISO\\install.iso'],
    ]);
    expect(props('Msvm_SyntheticEthernetPortSettingData')[0]).toMatchObject({
      Address: '00155D010203',
      StaticMacAddress: 'true',
    });
    expect(props('Msvm_EthernetPortAllocationSettingData')[0]!.HostResource).toEqual([
      expect.stringContaining(
        'Msvm_VirtualEthernetSwitch.CreationClassName="Msvm_VirtualEthernetSwitch",Name="C08CB7B8',
      ),
    ]);
    // Read back through the model: one definition whatever the platform.
    const detail = await api.systems.get('web1');
    await api.close();
    expect(cpuCount(detail.definition)).toBe(2);
    expect(memoryBytes(detail.definition)).toBe(512n * 1048576n);
    expect(detail.definition.system.Firmware).toBe('efi');
    const view = readDevices(detail.definition);
    expect(view.controllers.map((c) => c.kind)).toEqual(['hyperv-scsi']);
    expect(view.drives.map((d) => [d.kind, d.controller?.kind])).toEqual([
      ['disk', 'hyperv-scsi'],
      ['cdrom', 'hyperv-scsi'],
    ]);
    expect(view.nics.map((n) => [n.model, n.network, n.mac])).toEqual([
      ['hyperv-synthetic', 'Default Switch', '00:15:5d:01:02:03'],
    ]);
  });

  it('starts, pauses, resumes, reboots and shuts down by RequestStateChange and InitiateShutdown, polling each job', async () => {
    const api = open();
    const seen: string[] = [];
    for (const op of ['start', 'pause', 'resume', 'reboot', 'shutdown'] as const)
      seen.push(resultOf(await api.systems.changeState('web1', op, WAIT)).state);
    await api.close();
    expect(seen).toEqual(['running', 'paused', 'running', 'running', 'stopped']);
    const rsc = hv.requests.filter((r) => r.includes('RequestStateChange_INPUT'));
    expect(rsc.map((r) => /<p:RequestedState>(\d+)</.exec(r)?.[1])).toEqual(['2', '9', '2', '10']);
    const shutdown = hv.requests.find((r) => r.includes('InitiateShutdown_INPUT'))!;
    expect(shutdown).toContain('<p:Force>true</p:Force>');
    // Each job answered Running (4) at its first Get and Completed (7) at the second.
    expect(
      hv.requests.filter((r) => r.includes('Msvm_ConcreteJob</wsman:ResourceURI>')).length,
    ).toBeGreaterThanOrEqual(2 * 5);
  });

  it('refuses what the state forbids before asking Hyper-V, and names a VM by GUID in any case', async () => {
    const api = open();
    const e = await failure(api.systems.changeState('web1', 'pause', WAIT));
    expect(e.code).toBe('INVALID_STATE');
    expect(e.message).toBe('Cannot pause "web1": it is stopped');
    const guid = [...hv.vms.values()].find((v) => v.name === 'web1')!.guid;
    expect((await api.systems.get(guid.toLowerCase())).name).toBe('web1');
    expect((await api.systems.get(`{${guid}}`)).name).toBe('web1');
    expect((await failure(api.systems.get('nope'))).code).toBe('VM_NOT_FOUND');
    expect(
      (
        await failure(
          api.systems.define(
            buildDefinition({
              name: 'web1',
              cpus: 1,
              memoryBytes: 1n << 28n,
              disks: [],
              cdroms: [],
              nics: [],
              graphics: 'none',
            }),
            WAIT,
          ),
        )
      ).code,
    ).toBe('VM_EXISTS');
    await api.close();
  });

  it('escapes hostile names in WQL: quotes and backslashes find the VM and only it', async () => {
    const api = open();
    const name = `we"b'1\\ OR Name = "x`;
    const def = buildDefinition({
      name,
      cpus: 1,
      memoryBytes: 1n << 28n,
      disks: [],
      cdroms: [],
      nics: [],
      graphics: 'none',
    });
    resultOf(await api.systems.define(def, WAIT));
    expect((await api.systems.get(name)).name).toBe(name);
    resultOf(await api.systems.undefine(name, WAIT));
    expect((await api.systems.list()).map((v) => v.name)).not.toContain(name);
    await api.close();
  });

  it('maps return values 32768-32778 with their meaning; a value Hyper-V does not define is PROTOCOL', async () => {
    const api = open();
    const cases: Array<[number, string, string]> = [
      [32768, 'HYPERVISOR_FAILED', 'Failed'],
      [32769, 'ACCESS_DENIED', 'Access denied'],
      [32774, 'BUSY', 'System is in use'],
      [32775, 'INVALID_STATE', 'Invalid state for this operation'],
      [32778, 'LIMIT_EXCEEDED', 'Out of memory'],
    ];
    for (const [value, code, meaning] of cases) {
      hv.inject({ method: 'RequestStateChange', kind: 'returnValue', value });
      const e = await failure(api.systems.changeState('web1', 'start', WAIT));
      expect([e.code, e.message]).toEqual([
        code,
        `Cannot start "web1" on Hyper-V at 127.0.0.1:${hv.port}: RequestStateChange answered ${value} (${meaning})`,
      ]);
    }
    hv.inject({ method: 'RequestStateChange', kind: 'returnValue', value: 40000 });
    const e = await failure(api.systems.changeState('web1', 'start', WAIT));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('RequestStateChange answered 40000, a return value Hyper-V does not define');
    await api.close();
  });

  it('a fault, a failed job and a huge answer are errors that say so; the VM stays as it was', async () => {
    const api = open();
    hv.inject({ method: 'RequestStateChange', kind: 'fault' });
    const fault = await failure(api.systems.changeState('web1', 'start', WAIT));
    expect(fault.code).toBe('HYPERVISOR_FAILED');
    expect(fault.message).toContain('Generic failure');
    hv.inject({ method: 'RequestStateChange', kind: 'jobFails' });
    const job = await failure(api.systems.changeState('web1', 'start', WAIT));
    expect(job.code).toBe('HYPERVISOR_FAILED');
    expect(job.message).toMatch(
      /RequestStateChange's job ended Exception \(error 32768\): 'web' failed to change state/,
    );
    hv.inject({ method: 'Enumerate', kind: 'huge', bytes: 17 * 1024 * 1024 });
    const huge = await failure(api.systems.list());
    expect(huge.code).toBe('PROTOCOL');
    expect(huge.message).toMatch(/16777216|larger|exceeds|too/i);
    expect((await api.systems.get('web1')).state).toBe('stopped');
    await api.close();
  });

  it('4096 without a job, a JobState CIM does not define and a job that never ends are PROTOCOL, PROTOCOL, TIMEOUT', async () => {
    const api = open(400);
    hv.inject({ method: 'RequestStateChange', kind: 'noJob' });
    const noJob = await failure(api.systems.changeState('web1', 'start', WAIT));
    expect([noJob.code, noJob.message]).toEqual([
      'PROTOCOL',
      `Cannot start "web1" on Hyper-V at 127.0.0.1:${hv.port}: RequestStateChange answered 4096 (job started) without a Job reference`,
    ]);
    hv.inject({ method: 'RequestStateChange', kind: 'jobBadState' });
    const bad = await failure(api.systems.changeState('web1', 'start', WAIT));
    expect(bad.code).toBe('PROTOCOL');
    expect(bad.message).toContain('JobState "99", which CIM_ConcreteJob does not define');
    hv.inject({ method: 'RequestStateChange', kind: 'jobHangs' });
    const started = Date.now();
    const hangs = await failure(api.systems.changeState('web1', 'start', WAIT));
    expect(hangs.code).toBe('TIMEOUT');
    expect(hangs.message).toContain("RequestStateChange's job has not ended after 0.4 s");
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await api.systems.get('web1')).state).toBe('stopped');
    await api.close();
  });

  it('a VM whose EnabledState is garbage or missing is unknown, and its name is kept within bounds', async () => {
    const odd = synthVm('x'.repeat(300));
    hv.vms.set(odd.guid, odd);
    (odd as { enabled: unknown }).enabled = 'garbage<&>';
    const api = open();
    const row = (await api.systems.list()).find((v) => v.uuid === odd.guid.toLowerCase())!;
    hv.vms.delete(odd.guid);
    await api.close();
    expect(row.state).toBe('unknown');
    expect(row.name).toHaveLength(128);
    expect(row.reason.text).toBe('Hyper-V EnabledState garbage<&>');
  });

  it('a define whose AddResourceSettings fails destroys the half-made VM', async () => {
    const api = open();
    const count = hv.vms.size;
    hv.inject({ method: 'AddResourceSettings', kind: 'returnValue', value: 32773 });
    const def = buildDefinition({
      name: 'half',
      cpus: 1,
      memoryBytes: 1n << 28n,
      disks: ['C:\\x.vhdx'],
      cdroms: [],
      nics: [],
      graphics: 'none',
    });
    const e = await failure(api.systems.define(def, WAIT));
    await api.close();
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain('AddResourceSettings answered 32773 (Invalid parameter)');
    expect(hv.vms.size).toBe(count);
  });

  it('wrong credentials are AUTH_FAILED', async () => {
    const bad = HypervApi.connect({ url: hv.url, user: USER, password: 'wrong' });
    expect((await failure(bad.systems.list())).code).toBe('AUTH_FAILED');
    await bad.close();
  });
});
