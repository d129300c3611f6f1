import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resultOf } from '../../../api/index.js';
import type { CimInstance, CimInstanceName } from '../../../cim/index.js';
import { CimClient } from '../client.js';
import { encodeInstance } from '../encode-values.js';
import { startTestHost, type TestHost } from '../test-host.js';

// DSP1057 Virtual System, after cimtest's ComputerSystem, VSSD, RASD, SettingsDefine, ElementSettingData,
// SystemDevice, EnabledLogicalElementCapabilities and VirtualSystemManagementService groups.

let host: TestHost;
let c: CimClient;
let vsms: CimInstanceName;
const vm = (name: string): CimInstanceName => ({
  className: 'Vessel_ComputerSystem',
  keys: { CreationClassName: 'Vessel_ComputerSystem', Name: name },
});
const vssd = (props: Record<string, string>): CimInstance => ({
  className: 'Vessel_VirtualSystemSettingData',
  properties: props,
});
const rasd = (props: Record<string, string | string[]>): CimInstance => ({
  className: 'Vessel_ResourceAllocationSettingData',
  properties: props,
});

beforeAll(async () => {
  host = await startTestHost({ vms: 2 });
  c = new CimClient(host.url, { user: 'admin', password: 'secret' });
  vsms = (await c.enumerateInstanceNames('CIM_VirtualSystemManagementService'))[0]!;
});
afterAll(async () => {
  c.close();
  await host.close();
});

/** DefineSystem with embedded instances sent as escaped CIM-XML (pywbem and Hyper-V clients do this). */
async function define(name: string, extra: CimInstance[] = []) {
  return c.invokeMethod(vsms, 'DefineSystem', {
    SystemSettings: { type: 'string', embedded: true, value: vssd({ ElementName: name }) },
    ResourceSettings: {
      type: 'string',
      embedded: true,
      value: [
        rasd({ ResourceType: '3', VirtualQuantity: '1' }),
        rasd({ ResourceType: '4', VirtualQuantity: '128', AllocationUnits: 'byte*2^20' }),
        ...extra,
      ],
    },
  });
}

async function state(name: string) {
  const p = (await c.getInstance(vm(name))).properties;
  return { EnabledState: p.EnabledState, RequestedState: p.RequestedState };
}

async function rsc(name: string, requested: number): Promise<number> {
  return (
    await c.invokeMethod(vm(name), 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: String(requested) },
    })
  ).returnValue;
}

describe('DSP1057 Virtual System', () => {
  beforeEach(async () => {
    for (const v of await host.api.systems.list())
      if (v.name.startsWith('t-'))
        resultOf(
          await host.api.systems.undefine(v.uuid, { powerOff: true, waitMs: Number.POSITIVE_INFINITY }),
        );
  });

  it('VirtualSystemManagementService/01_definesystem_name: DefineSystem with CIM-XML embedded instances, then the VS is Disabled', async () => {
    const r = await define('t-define');
    expect(r.returnValue).toBe(0);
    expect(r.out.ResultingSystem).toMatchObject({
      className: 'Vessel_ComputerSystem',
      keys: { Name: 't-define' },
    });
    expect(await state('t-define')).toEqual({ EnabledState: '3', RequestedState: '12' });
    const def = await host.driver.getDefinition((await host.driver.lookup('t-define'))!.uuid);
    expect(def.resources.map((x) => x.properties.ResourceType)).toEqual(['3', '4']);
  });

  it('DefineSystem accepts MOF text (cimtest) and escaped CIM-XML strings alike', async () => {
    const mofVssd =
      'instance of Vessel_VirtualSystemSettingData {\n  ElementName = "t-mof";\n  Notes = {"from MOF"};\n};';
    const mofMem =
      'instance of CIM_ResourceAllocationSettingData { ResourceType = 4; VirtualQuantity = 256; AllocationUnits = "MegaBytes"; };';
    const xmlCpu = encodeInstance(rasd({ ResourceType: '3', VirtualQuantity: '2' }), () => undefined);
    const r = await c.invokeMethod(vsms, 'DefineSystem', {
      SystemSettings: { type: 'string', value: mofVssd },
      ResourceSettings: { type: 'string', value: [mofMem, xmlCpu] },
    });
    expect(r.returnValue).toBe(0);
    const settings = await c.associators(vm('t-mof'), { assocClass: 'CIM_SettingsDefineState' });
    expect(settings[0]!.properties.Notes).toEqual(['from MOF']);
    const rasds = await c.associators(settings[0]!.path!, {
      assocClass: 'CIM_VirtualSystemSettingDataComponent',
    });
    expect(rasds.map((x) => `${x.properties.ResourceType}:${x.properties.VirtualQuantity}`).sort()).toEqual([
      '3:2',
      '4:256',
    ]);
  });

  it('DefineSystem refuses what is wrong with CIM errors, or return values whose job says why', async () => {
    await expect(
      c.invokeMethod(vsms, 'DefineSystem', {
        SystemSettings: { type: 'string', value: 'instance of X { A = ; };' },
      }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
    });
    // A definition the host refuses raises CIM_ERR_INVALID_PARAMETER with the reason (src/api/errors-cim.ts); the
    // host's failed job, a ConcreteJob in Exception, says why too.
    await expect(define('')).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER', message: /name/ });
    const [failed] = await host.api.jobs.list({ states: ['failed'], limit: 1 });
    const job = await c.getInstance({
      className: 'Vessel_ConcreteJob',
      keys: { InstanceID: `Vessel:Job/${failed!.id}` },
    });
    expect(job.properties).toMatchObject({ Name: 'DefineSystem', JobState: '10', ErrorCode: '4' });
    expect(String(job.properties.ErrorDescription)).toMatch(/name/);
    await expect(define('vm1')).rejects.toMatchObject({ code: 'CIM_ERR_ALREADY_EXISTS' });
    await expect(c.invokeMethod(vsms, 'DefineSystem', {})).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
      message: /SystemSettings/,
    });
  });

  it('DefineSystem and AddResourceSettings create a new empty disk from a SASD with a capacity and a PoolID (DSP1047)', async () => {
    const sasd = (props: Record<string, string>): CimInstance => ({
      className: 'Vessel_StorageAllocationSettingData',
      properties: { ResourceType: '31', ...props },
    });
    const r = await define('t-newdisk', [
      sasd({ VirtualQuantity: '2', VirtualQuantityUnits: 'byte*2^20', PoolID: 'Storage/default' }),
    ]);
    expect(r.returnValue).toBe(0);
    const named = async () => {
      const d = await host.api.systems.get('t-newdisk');
      return d.definition.resources.flatMap((x) => x.properties.HostResource ?? []);
    };
    const [made] = await named();
    expect(made).toMatch(new RegExp(`^${host.imagesDir}/t-newdisk-disk[^/]+\\.qcow2$`));
    const info = (p: string) =>
      JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', p], { encoding: 'utf8' }));
    expect(info(made!)['virtual-size']).toBe(2 << 20);
    // AddResourceSettings: 1,024 blocks of 4 KiB from the primordial pool (the host's default pool).
    const added = await c.invokeMethod(vsms, 'AddResourceSettings', {
      AffectedConfiguration: {
        type: 'reference',
        value: { className: 'Vessel_VirtualSystemSettingData', keys: { InstanceID: 'Vessel:t-newdisk' } },
      },
      ResourceSettings: {
        type: 'string',
        embedded: true,
        value: [sasd({ VirtualQuantity: '1024', VirtualResourceBlockSize: '4096', PoolID: 'LogicalDisk' })],
      },
    });
    expect(added.returnValue).toBe(0);
    const both = await named();
    expect(both).toHaveLength(2);
    expect(info(both[1]!)['virtual-size']).toBe(4 << 20);
    // A pool that does not exist is refused with the reason, and nothing is made.
    await expect(
      define('t-nopool', [
        sasd({ VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^20', PoolID: 'Storage/nope' }),
      ]),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER', message: /no storage pool "nope"/ });
    expect(readdirSync(host.imagesDir).filter((f) => f.startsWith('t-nopool'))).toEqual([]);
    resultOf(await host.api.systems.undefine('t-newdisk', { waitMs: Number.POSITIVE_INFINITY }));
    expect(readdirSync(host.imagesDir).filter((f) => f.startsWith('t-newdisk'))).toEqual([]);
  });

  it('DefineSystem refuses hostile embedded instances: oversized, a backtracking MOF literal, 2,000 of them', async () => {
    const big = `instance of Vessel_VirtualSystemSettingData { ElementName = "${'x'.repeat(70_000)}"; };`;
    await expect(
      c.invokeMethod(vsms, 'DefineSystem', { SystemSettings: { type: 'string', value: big } }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER', message: /over the limit of 65536/ });
    // 60,000 digits and a letter: a backtracking pattern would take minutes over this literal.
    const redos = `instance of Vessel_VirtualSystemSettingData { ElementName = ${'1'.repeat(60_000)}x; };`;
    await expect(
      c.invokeMethod(vsms, 'DefineSystem', { SystemSettings: { type: 'string', value: redos } }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER', message: /too long for a CIM integer/ });
    const many = Array.from({ length: 2000 }, () => 'instance of X { ResourceType = 3; };');
    await expect(
      c.invokeMethod(vsms, 'DefineSystem', {
        SystemSettings: {
          type: 'string',
          value: 'instance of Vessel_VirtualSystemSettingData { ElementName = "t-many"; };',
        },
        ResourceSettings: { type: 'string', value: many },
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    expect(await host.driver.lookup('t-many')).toBeUndefined();
  });

  it('ComputerSystem/03..40: the lifecycle 2, 9, 2, 10, 11, 3 with EnabledState and RequestedState as cimtest polls them', async () => {
    await define('t-life');
    expect(await rsc('t-life', 2)).toBe(0);
    expect(await state('t-life')).toEqual({ EnabledState: '2', RequestedState: '2' });
    expect(await rsc('t-life', 9)).toBe(0);
    expect(await state('t-life')).toEqual({ EnabledState: '9', RequestedState: '9' });
    expect(await rsc('t-life', 2)).toBe(0);
    expect(await rsc('t-life', 10)).toBe(0);
    expect(await state('t-life')).toEqual({ EnabledState: '2', RequestedState: '10' });
    expect(await rsc('t-life', 11)).toBe(0);
    expect(await state('t-life')).toEqual({ EnabledState: '2', RequestedState: '11' });
    expect(await rsc('t-life', 3)).toBe(0);
    expect(await state('t-life')).toEqual({ EnabledState: '3', RequestedState: '3' });
  });

  it('ComputerSystem/27_define_pause_errs and 23_pause_pause: transitions the state does not allow answer 4097', async () => {
    await define('t-neg');
    expect(await rsc('t-neg', 9)).toBe(4097);
    expect(await rsc('t-neg', 3)).toBe(4097);
    expect(await rsc('t-neg', 2)).toBe(0);
    expect(await rsc('t-neg', 9)).toBe(0);
    expect(await rsc('t-neg', 9)).toBe(4097);
    expect(await rsc('t-neg', 99)).toBe(5);
    expect(await rsc('t-neg', 6)).toBe(1);
    const timed = await c.invokeMethod(vm('t-neg'), 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: '2' },
      TimeoutPeriod: { type: 'datetime', value: '00000000000010.000000:000' },
    });
    expect(timed.returnValue).toBe(4098);
    const zero = await c.invokeMethod(vm('t-neg'), 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: '2' },
      TimeoutPeriod: { type: 'datetime', value: '00000000000000.000000:000' },
    });
    expect(zero.returnValue).toBe(0);
    const bad = await c.invokeMethod(vm('t-neg'), 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: '4' },
      TimeoutPeriod: { type: 'datetime', value: '20240101000000.000000+000' },
    });
    expect(bad.returnValue).toBe(5); // a timestamp where an interval belongs
  });

  it('ComputerSystem/42_cs_gi_errs and VSMS/05_destroysystem_neg: unknown systems give CIM_ERR_NOT_FOUND', async () => {
    await expect(c.getInstance(vm('nope'))).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    await expect(
      c.invokeMethod(vm('nope'), 'RequestStateChange', { RequestedState: { type: 'uint16', value: '2' } }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
    await expect(
      c.invokeMethod(vsms, 'DestroySystem', { AffectedSystem: { type: 'reference', value: vm('nope') } }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
  });

  it('DefineSystem refuses a VirtualSystemType outside VirtualSystemTypesSupported, naming them (issue 11)', async () => {
    const [caps] = await c.enumerateInstances('CIM_VirtualSystemManagementCapabilities');
    const types = caps!.properties.VirtualSystemTypesSupported as string[];
    await expect(
      c.invokeMethod(vsms, 'DefineSystem', {
        SystemSettings: {
          type: 'string',
          embedded: true,
          value: vssd({ ElementName: 't-xen', VirtualSystemType: 'Xen' }),
        },
        ResourceSettings: {
          type: 'string',
          embedded: true,
          value: [rasd({ ResourceType: '3', VirtualQuantity: '1' })],
        },
      }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
      message: expect.stringContaining(types.join(', ')),
    });
    expect(await host.driver.lookup('t-xen')).toBeUndefined();
  });

  it('DestroySystem refuses an AffectedSystem with CreationClassName="Bogus" and keeps every VM (issue 11)', async () => {
    const before = (await host.api.systems.list()).length;
    await expect(
      c.invokeMethod(vsms, 'DestroySystem', {
        AffectedSystem: {
          type: 'reference',
          value: { className: 'Vessel_ComputerSystem', keys: { CreationClassName: 'Bogus', Name: 'vm1' } },
        },
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    expect(await host.api.systems.list()).toHaveLength(before);
  });

  it('AvailableRequestedStates and OperatingStatus follow the state (stopped, running, paused) (issue 11)', async () => {
    await define('t-states');
    const props = async () => (await c.getInstance(vm('t-states'))).properties;
    expect(await props()).toMatchObject({ AvailableRequestedStates: ['2'], OperatingStatus: '5' });
    await rsc('t-states', 2);
    expect(await props()).toMatchObject({
      AvailableRequestedStates: ['3', '4', '9', '10', '11'],
      OperatingStatus: '16',
    });
    await rsc('t-states', 9);
    const paused = await props();
    expect(paused.OperatingStatus).toBe('7');
    expect(paused.AvailableRequestedStates).toEqual(expect.arrayContaining(['2', '3']));
  });

  it('VSMS/02_destroysystem: DestroySystem of a running system powers it off and removes it', async () => {
    await define('t-destroy');
    await rsc('t-destroy', 2);
    const r = await c.invokeMethod(vsms, 'DestroySystem', {
      AffectedSystem: { type: 'reference', value: vm('t-destroy') },
    });
    expect(r.returnValue).toBe(0);
    await expect(c.getInstance(vm('t-destroy'))).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
    expect(await host.driver.lookup('t-destroy')).toBeUndefined();
  });

  it('VSSD/04_vssd_to_rasd and SettingsDefine/01..02: VS ↔ VSSD ↔ RASD both ways, with the values defined', async () => {
    const image = await host.image('t.qcow2');
    expect(
      (await define('t-walk', [rasd({ ResourceType: '17', HostResource: [image], ElementName: 'disk' })]))
        .returnValue,
    ).toBe(0);
    const [vs] = await c.associators(vm('t-walk'), {
      assocClass: 'CIM_ElementSettingData',
      resultClass: 'CIM_VirtualSystemSettingData',
    });
    expect(vs!.properties).toMatchObject({ InstanceID: 'Vessel:t-walk', ElementName: 't-walk' });
    expect(vs!.properties.VirtualSystemIdentifier).toBe((await host.driver.lookup('t-walk'))!.uuid);
    const rasds = await c.associators(vs!.path!, { assocClass: 'CIM_VirtualSystemSettingDataComponent' });
    const disk = rasds.find((r) => r.properties.ResourceType === '17')!;
    expect(disk.properties).toMatchObject({ HostResource: [image], PoolID: 'DiskDrive' });
    const up = await c.associatorNames(disk.path!, { assocClass: 'CIM_VirtualSystemSettingDataComponent' });
    expect(up).toEqual([vs!.path]);
    const refs = await c.references(vs!.path!, { assocClass: 'CIM_ElementSettingData' });
    expect(refs[0]!.properties).toMatchObject({ IsDefault: '1', IsCurrent: '1' });
  });

  it('SystemDevice/01_forward and 02_reverse: an active system has one device per vCPU, memory, drive and NIC', async () => {
    const image = await host.image('d.qcow2');
    const r = await define('t-dev', [
      rasd({ ResourceType: '17', HostResource: [image] }),
      rasd({ ResourceType: '10', Address: '52:54:00:aa:bb:cc' }),
    ]);
    expect(r.returnValue).toBe(0);
    expect(await c.associatorNames(vm('t-dev'), { assocClass: 'CIM_SystemDevice' })).toEqual([]);
    await rsc('t-dev', 2);
    const devices = await c.associators(vm('t-dev'), { assocClass: 'CIM_SystemDevice' });
    expect(devices.map((d) => d.className).sort()).toEqual([
      'Vessel_EthernetPort',
      'Vessel_LogicalDisk',
      'Vessel_Memory',
      'Vessel_Processor',
    ]);
    expect(devices.find((d) => d.className === 'Vessel_Memory')!.properties).toMatchObject({
      BlockSize: '1048576',
      NumberOfBlocks: '128',
    });
    expect(devices.find((d) => d.className === 'Vessel_EthernetPort')!.properties.PermanentAddress).toBe(
      '525400AABBCC',
    );
    for (const d of devices) {
      expect(await c.associatorNames(d.path!, { assocClass: 'CIM_SystemDevice' })).toEqual([
        expect.objectContaining({ keys: vm('t-dev').keys }),
      ]);
      const settings = await c.associatorNames(d.path!, { assocClass: 'CIM_SettingsDefineState' });
      expect(settings[0]!.keys.InstanceID).toMatch(/^Vessel:t-dev\//);
    }
  });

  it('EnabledLogicalElementCapabilities/01_enum: each VS has capabilities with the requested states it accepts', async () => {
    const caps = await c.associators(vm('vm1'), { assocClass: 'CIM_ElementCapabilities' });
    expect(caps[0]!.properties.RequestedStatesSupported).toEqual(['2', '3', '4', '9', '10', '11']);
  });

  it('ModifySystemSettings (15_mod_system_settings) changes a stopped system; the name and UUID cannot change', async () => {
    await define('t-mod2');
    const r = await c.invokeMethod(vsms, 'ModifySystemSettings', {
      SystemSettings: {
        type: 'string',
        embedded: true,
        value: vssd({ InstanceID: 'Vessel:t-mod2', Description: 'changed' }),
      },
    });
    expect(r.returnValue).toBe(0);
    const settings = { className: 'Vessel_VirtualSystemSettingData', keys: { InstanceID: 'Vessel:t-mod2' } };
    expect((await c.getInstance(settings)).properties.Description).toBe('changed');
    await expect(
      c.invokeMethod(vsms, 'ModifySystemSettings', {
        SystemSettings: {
          type: 'string',
          embedded: true,
          value: vssd({ InstanceID: 'Vessel:t-mod2', ElementName: 'other' }),
        },
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER', message: /cannot be changed/ });
    await expect(
      c.invokeMethod(vsms, 'ModifySystemSettings', {
        SystemSettings: {
          type: 'string',
          embedded: true,
          value: vssd({
            InstanceID: 'Vessel:t-mod2',
            VirtualSystemIdentifier: '00000000-0000-0000-0000-000000000001',
          }),
        },
      }),
    ).rejects.toMatchObject({ code: 'CIM_ERR_INVALID_PARAMETER' });
    await rsc('t-mod2', 2);
    const running = await c.invokeMethod(vsms, 'ModifySystemSettings', {
      SystemSettings: {
        type: 'string',
        embedded: true,
        value: vssd({ InstanceID: 'Vessel:t-mod2', Description: 'x' }),
      },
    });
    expect(running.returnValue).toBe(5);
  });
});
