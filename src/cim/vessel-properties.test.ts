import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDefinition } from '../model/index.js';
import { VIRT_NAMESPACE } from './classes/index.js';
import { newContext } from './provider.js';
import type { CimService } from './service.js';
import { type CimSubject, openCimSubject } from './subject.case.test.js';
import type { CimInstance, CimInstanceName } from './types.js';

// Vessel's VSSD extensions (Firmware, BootOrder) through the object manager. CIM-XML writes an instance with its
// class's properties only, so each check also asks the class repository that the served class declares them.

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
let s: CimSubject;
let cim: CimService;

beforeEach(async () => {
  s = await openCimSubject();
  cim = s.cim;
});
afterEach(async () => {
  await s.close();
});

const vssdPath = (name: string): CimInstanceName => ({
  className: 'Vessel_VirtualSystemSettingData',
  keys: { InstanceID: `Vessel:${name}` },
});

/** The instance's value of `property`, and whether its class declares it (what CIM-XML will write). */
function served(inst: CimInstance, property: string): { value: unknown; declared: boolean } {
  const cls = cim.om.repo.namespace(NS).require(inst.className);
  return { value: inst.properties[property], declared: cls.propertyIndex.has(property.toLowerCase()) };
}

describe("Vessel_VirtualSystemSettingData carries Vessel's Firmware and BootOrder", () => {
  it('GetInstance of the VSSD of an EFI system returns Firmware efi and its BootOrder', async () => {
    const def = buildDefinition({
      name: 'uefi1',
      cpus: 1,
      memoryBytes: 64n << 20n,
      firmware: 'efi',
      disks: [await s.image('a.qcow2')],
    });
    const disk = def.resources.find((r) => r.properties.ResourceType === '17')!;
    def.system.BootOrder = [disk.properties.InstanceID!];
    await s.define(def);
    const vssd = await cim.om.getInstance(admin(), NS, vssdPath('uefi1'));
    expect(served(vssd, 'Firmware')).toEqual({ value: 'efi', declared: true });
    expect(served(vssd, 'BootOrder')).toEqual({ value: [disk.properties.InstanceID], declared: true });
  });

  it('DefineSystem with Firmware efi and a BootOrder keeps both', async () => {
    const d1 = await s.image('d1.qcow2');
    const vsms = (await cim.om.enumerateInstanceNames(admin(), NS, 'CIM_VirtualSystemManagementService'))[0]!;
    const r = await cim.om.invokeMethod(admin(), NS, vsms, 'DefineSystem', {
      SystemSettings: {
        className: 'Vessel_VirtualSystemSettingData',
        properties: { ElementName: 'efi2', Firmware: 'efi', BootOrder: ['d1'] },
      },
      ResourceSettings: [
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: { ResourceType: '3', VirtualQuantity: '1' },
        },
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: { ResourceType: '4', VirtualQuantity: '64', AllocationUnits: 'byte*2^20' },
        },
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: { InstanceID: 'ide0', ResourceType: '5', Address: '0' },
        },
        {
          className: 'CIM_ResourceAllocationSettingData',
          properties: {
            InstanceID: 'd1',
            ResourceType: '17',
            Parent: 'ide0',
            AddressOnParent: '0',
            HostResource: [d1],
          },
        },
      ],
    });
    expect(r.returnValue).toBe(0);
    const def = (await s.api.systems.get('efi2')).definition;
    expect(def.system).toMatchObject({ Firmware: 'efi', BootOrder: ['d1'] });
    const vssd = await cim.om.getInstance(admin(), NS, vssdPath('efi2'));
    expect(served(vssd, 'Firmware')).toEqual({ value: 'efi', declared: true });
    expect(served(vssd, 'BootOrder')).toEqual({ value: ['d1'], declared: true });
  });

  it('GetClass shows Firmware with its ValueMap and BootOrder as a string array', () => {
    const cls = cim.om.repo.namespace(NS).require('Vessel_VirtualSystemSettingData');
    const fw = cls.propertyIndex.get('firmware')!;
    expect(fw).toMatchObject({
      type: 'string',
      isArray: false,
      classOrigin: 'Vessel_VirtualSystemSettingData',
    });
    expect(fw.qualifiers.find((q) => q.name === 'ValueMap')?.value).toEqual(['bios', 'efi']);
    expect(cls.propertyIndex.get('bootorder')).toMatchObject({ type: 'string', isArray: true });
  });
});
