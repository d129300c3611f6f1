import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classXml,
  errorXml,
  type FakeCimom,
  type FakeInstance,
  type FakeRequest,
  imethod,
  instanceName,
  instanceXml,
  method,
  named,
  paths,
  reply,
  startFakeCimom,
  withPath,
} from '../../../../test/helpers/fake-cimom.js';
import { ApiError } from '../../../api/index.js';
import { buildDefinition, cpuCount, memoryBytes } from '../../../model/index.js';
import { CimXmlApi } from './cimxml-api.js';

// CimXmlApi against a DMTF host that is not Vessel: a peer shaped as libvirt-cim answers (REFERENCE.md §1a, §2,
// §4: KVM_ classes in root/virt, profiles in root/interop, the UUID in a vendor property, memory in KiloBytes,
// synchronous methods, vendor properties everywhere, no TimeOfLastStateChange, StatusDescriptions or jobs, no
// DSP1047, no Firmware). The client must read what DMTF defines, ignore the rest and tolerate what is missing.

const VIRT = 'root/virt';
const INTEROP = 'root/interop';
const host: FakeInstance = {
  className: 'KVM_HostSystem',
  keys: { CreationClassName: 'KVM_HostSystem', Name: 'kvmhost.example.org' },
  props: { ElementName: 'kvmhost.example.org', EnabledState: 2, PrimaryOwnerContact: 'root@example.org' },
  namespace: VIRT,
};
const state = { vm1: { enabled: 2, requested: 2 } };
const vm = (name: 'vm1' | 'vm2'): FakeInstance => ({
  className: 'KVM_ComputerSystem',
  keys: { CreationClassName: 'KVM_ComputerSystem', Name: name },
  props:
    name === 'vm1'
      ? {
          ElementName: 'vm1',
          UUID: '6B29FC40-CA47-1067-B31D-00DD010662DA',
          EnabledState: state.vm1.enabled,
          RequestedState: state.vm1.requested,
          Caption: 'Virtual System',
          Dedicated: [0],
        }
      : { ElementName: 'vm2', EnabledState: 3, OperationalStatus: [2] },
  namespace: VIRT,
});
// libvirt-cim's management service: DSP1042's methods, no Vessel extension.
const vsms: FakeInstance = {
  className: 'KVM_VirtualSystemManagementService',
  keys: {
    CreationClassName: 'KVM_VirtualSystemManagementService',
    Name: 'Management Service',
    SystemCreationClassName: 'KVM_HostSystem',
    SystemName: 'kvmhost.example.org',
  },
  props: {},
  namespace: VIRT,
};
const profile = (id: string, name: string, version: string): FakeInstance => ({
  className: 'KVM_RegisteredProfile',
  keys: { InstanceID: id },
  props: { RegisteredOrganization: 2, RegisteredName: name, RegisteredVersion: version, AdvertiseTypes: [3] },
  namespace: INTEROP,
});
const vssd: FakeInstance = {
  className: 'KVM_VirtualSystemSettingData',
  keys: { InstanceID: 'KVM:vm1' },
  props: {
    ElementName: 'vm1',
    VirtualSystemIdentifier: 'vm1',
    VirtualSystemType: 'KVM',
    UUID: '6B29FC40-CA47-1067-B31D-00DD010662DA',
    ClockOffset: 0,
    Emulator: '/usr/bin/qemu-kvm',
    BootDevices: ['hd'],
    EnableACPI: true,
    Arch: 'x86_64',
  },
  namespace: VIRT,
};
const rasd = (cls: string, id: string, props: NonNullable<FakeInstance['props']>): FakeInstance => ({
  className: `KVM_${cls}ResourceAllocationSettingData`,
  keys: { InstanceID: id },
  props,
  namespace: VIRT,
});
const rasds = [
  rasd('Proc', 'vm1/proc', { ResourceType: 3, VirtualQuantity: 2, AllocationUnits: 'count', Weight: 1024 }),
  rasd('Mem', 'vm1/mem', { ResourceType: 4, VirtualQuantity: '524288', AllocationUnits: 'KiloBytes' }),
  rasd('Disk', 'vm1/vda', {
    ResourceType: 17,
    Address: '/var/lib/libvirt/images/vm1.img',
    VirtualDevice: 'vda',
    EmulatedType: 0,
    BusType: 'ide',
  }),
  rasd('Net', 'vm1/52:54:00:aa:bb:cc', {
    ResourceType: 10,
    Address: '52:54:00:aa:bb:cc',
    NetworkType: 'network',
    PoolID: 'NetworkPool/default',
  }),
];
const capsOf = (name: string): FakeInstance => ({
  className: 'KVM_EnabledLogicalElementCapabilities',
  keys: { InstanceID: name },
  props: { RequestedStatesSupported: [2, 3, 9, 10, 11], ElementNameEditSupported: false },
  namespace: VIRT,
});
const link = (name: 'vm1' | 'vm2'): FakeInstance => ({
  className: 'KVM_ElementCapabilities',
  keys: {},
  props: { ManagedElement: { ref: vm(name) }, Capabilities: { ref: capsOf(name) } },
  namespace: VIRT,
});
const pool = (id: string, type: number, props: NonNullable<FakeInstance['props']>): FakeInstance => ({
  className: 'KVM_ResourcePool',
  keys: { InstanceID: id },
  props: { PoolID: id, ResourceType: type, ...props },
  namespace: VIRT,
});

function answer(q: FakeRequest): string {
  const is = (m: string, cls?: string) => q.method === m && (cls === undefined || q.className === cls);
  if (is('EnumerateInstances', 'CIM_RegisteredProfile') && q.namespace === INTEROP)
    return imethod(
      q,
      named([
        profile('CIM:DSP1042-SystemVirtualization-1.0.0', 'System Virtualization', '1.0.0'),
        profile('CIM:DSP1057-VirtualSystem-1.0.0a', 'Virtual System Profile', '1.0.0a'),
      ]),
    );
  if (is('AssociatorNames', 'KVM_RegisteredProfile')) return imethod(q, paths([host]));
  if (is('EnumerateInstanceNames', 'CIM_VirtualSystemManagementService'))
    return imethod(q, instanceName(vsms));
  if (is('GetClass', 'KVM_VirtualSystemManagementService'))
    return imethod(
      q,
      classXml('KVM_VirtualSystemManagementService', 'CIM_VirtualSystemManagementService', {
        Name: 'string',
      }),
    );
  if (is('GetInstance', 'KVM_HostSystem')) return imethod(q, instanceXml(host));
  if (is('EnumerateInstances', 'CIM_ComputerSystem')) return imethod(q, named([host, vm('vm1'), vm('vm2')]));
  if (is('Associators', 'KVM_ComputerSystem') && q.assocClass === 'CIM_SettingsDefineState')
    return imethod(q, withPath(q.body.includes('vm1') ? [vssd] : []));
  if (is('Associators', 'KVM_VirtualSystemSettingData')) return imethod(q, withPath(rasds));
  if (is('EnumerateInstances', 'CIM_ElementCapabilities'))
    return imethod(q, named([link('vm1'), link('vm2')]));
  if (is('EnumerateInstances', 'CIM_EnabledLogicalElementCapabilities'))
    return imethod(q, named([capsOf('vm1'), capsOf('vm2')]));
  if (is('EnumerateInstances', 'CIM_VirtualSystemManagementCapabilities'))
    return imethod(
      q,
      named([
        {
          className: 'KVM_VirtualSystemManagementCapabilities',
          keys: { InstanceID: 'ManagementCapabilities' },
          props: { VirtualSystemTypesSupported: ['KVM'], SynchronousMethodsSupported: [1, 2, 3, 5, 6, 7] },
          namespace: VIRT,
        },
      ]),
    );
  if (is('EnumerateInstances', 'CIM_ResourcePool'))
    return imethod(
      q,
      named([
        pool('ProcessorPool/0', 3, { Primordial: true, Capacity: 8, AllocationUnits: 'Processors' }),
        pool('MemoryPool/0', 4, { Primordial: true, Capacity: '16777216', AllocationUnits: 'KiloBytes' }),
        pool('DiskPool/default', 17, { Primordial: false, Capacity: '1000', AllocationUnits: 'Megabytes' }),
      ]),
    );
  if (is('GetClass', 'KVM_VirtualSystemSettingData'))
    return imethod(
      q,
      classXml('KVM_VirtualSystemSettingData', 'CIM_VirtualSystemSettingData', {
        InstanceID: 'string',
        ElementName: 'string',
        VirtualSystemIdentifier: 'string',
        VirtualSystemType: 'string',
        UUID: 'string',
        ClockOffset: 'uint16',
        BootDevices: 'string[]',
      }),
    );
  if (is('RequestStateChange')) {
    const requested = Number(/<VALUE>(\d+)<\/VALUE>/.exec(q.body)?.[1]);
    state.vm1 = { enabled: requested === 9 ? 9 : requested === 3 ? 3 : 2, requested };
    return method(q, 0);
  }
  if (is('EnumerateInstances', 'CIM_ConcreteJob')) return imethod(q, '');
  return imethod(q, errorXml(7, `CIM_ERR_NOT_SUPPORTED: ${q.method} ${q.className ?? ''}`));
}

let peer: FakeCimom;
let api: CimXmlApi;
beforeAll(async () => {
  peer = await startFakeCimom((q, res) => reply(res, answer(q)));
  api = await CimXmlApi.connect({ url: peer.url, user: 'root', password: 'x', timeoutMs: 5000 });
});
afterAll(async () => {
  await api?.close();
  await peer?.close();
});

describe('CimXmlApi on a libvirt-cim-shaped host', () => {
  it('discovers root/virt through the DSP1042 registration in root/interop', () => {
    expect(api.session.namespace).toBe(VIRT);
    expect(api.session.prefix).toBe('KVM_');
    expect(api.session.found.host.keys.Name).toBe('kvmhost.example.org');
  });

  it('lists the systems with what DSP1057 gives: the vendor UUID, states, no dates or reasons', async () => {
    expect(await api.systems.list()).toEqual([
      {
        uuid: '6b29fc40-ca47-1067-b31d-00dd010662da',
        name: 'vm1',
        state: 'running',
        reason: { code: 'unknown', text: 'EnabledState 2' },
        changedAt: '1970-01-01T00:00:00.000Z',
        requested: 'start',
      },
      {
        uuid: 'vm2',
        name: 'vm2',
        state: 'stopped',
        reason: { code: 'unknown', text: 'EnabledState 3' },
        changedAt: '1970-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('reads the definition as the model has it: DMTF properties kept, vendor ones left out, units honoured', async () => {
    const d = await api.systems.get('6B29FC40-CA47-1067-B31D-00DD010662DA');
    expect(d.definition.system).toEqual({
      ElementName: 'vm1',
      VirtualSystemIdentifier: 'vm1',
      VirtualSystemType: 'KVM',
    });
    expect(d.definition.resources.map((r) => r.properties.InstanceID)).toEqual([
      'vm1/proc',
      'vm1/mem',
      'vm1/vda',
      'vm1/52:54:00:aa:bb:cc',
    ]);
    expect(d.definition.resources[2]!.properties).toEqual({
      InstanceID: 'vm1/vda',
      ResourceType: '17',
      Address: '/var/lib/libvirt/images/vm1.img',
    });
    expect(memoryBytes(d.definition)).toBe(512n << 20n);
    expect(cpuCount(d.definition)).toBe(2);
    expect(d.consoles).toEqual([]);
  });

  it('describes the host from DMTF classes only', async () => {
    const caps = await api.host.capabilities();
    expect(caps.operations).toEqual(['start', 'resume', 'powerOff', 'reboot', 'reset', 'pause']);
    expect(caps.firmware).toEqual([]);
    expect(caps.limits).toEqual({ cpus: 8, memoryBytes: 16n << 30n, nics: 0, disks: 0 });
    expect(caps.features.pools).toBe('none');
    expect(caps.driver.name).toBe('KVM');
    expect((await api.host.info()).name).toBe('kvmhost.example.org');
    expect((await refusal(api.pools.list())).code).toBe('NOT_SUPPORTED');
    expect(caps.features.keepDisks).toBe(false);
  });

  it("refuses an undefine that keeps the disks: the host's service has no DestroySystemKeepingDisks", async () => {
    const e = await refusal(api.systems.undefine('vm2', { keepDisks: true }));
    expect(e.code).toBe('NOT_SUPPORTED');
    expect(e.message).toMatch(/has no DestroySystemKeepingDisks \(a Vessel extension/);
    expect(peer.requests.some((r) => /DestroySystem/.test(r.method ?? ''))).toBe(false);
  });

  it('changes states with RequestStateChange, synchronous jobs recorded by the client', async () => {
    const paused = await api.systems.changeState('vm1', 'pause', { waitMs: Number.POSITIVE_INFINITY });
    expect(paused).toMatchObject({
      state: 'completed',
      operation: 'pause',
      result: { state: 'paused', requested: 'pause' },
    });
    const resumed = await api.systems.changeState('vm1', 'resume', { waitMs: 0 });
    expect(resumed.result).toMatchObject({ state: 'running', requested: 'resume' });
    expect((await api.jobs.list()).map((j) => j.id).sort()).toEqual([paused.id, resumed.id].sort());
  });

  it('refuses, before sending anything, what this host does not offer or cannot carry', async () => {
    const before = peer.requests.filter(
      (r) => r.method === 'RequestStateChange' || r.method === 'DefineSystem',
    ).length;
    const shut = await refusal(api.systems.changeState('vm2', 'shutdown'));
    expect(shut.code).toBe('NOT_SUPPORTED');
    expect(shut.message).toMatch(/does not offer RequestedState 4/);
    expect((await refusal(api.systems.changeState('vm2', 'pause'))).message).toBe(
      'Cannot pause "vm2": it is stopped',
    );
    const efi = await refusal(
      api.systems.define(buildDefinition({ name: 'vm3', cpus: 1, memoryBytes: 64n << 20n, firmware: 'efi' })),
    );
    expect(efi.code).toBe('NOT_SUPPORTED');
    expect(efi.message).toMatch(/KVM_VirtualSystemSettingData has no property Firmware/);
    expect(
      peer.requests.filter((r) => r.method === 'RequestStateChange' || r.method === 'DefineSystem').length,
    ).toBe(before);
  });

  it('refuses the serial console: a libvirt-cim host has no Vessel_TextConsoleService', async () => {
    expect((await api.host.capabilities()).features.consoles).toBe(false);
    for (const p of [api.consoles.log('vm1'), api.consoles.open('vm1', 'serial')]) {
      const e = await refusal(p);
      expect(e.code).toBe('NOT_SUPPORTED');
      expect(e.message).toContain('has no Vessel_TextConsoleService');
    }
    expect(peer.requests.some((r) => r.method === 'OpenSession' || r.method === 'ReadLog')).toBe(false);
  });
});

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a refusal');
}
