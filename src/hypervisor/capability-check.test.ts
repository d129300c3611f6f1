import { describe, expect, it } from 'vitest';
import { buildDefinition, type ResourceSetting, type VirtualSystemDefinition } from '../model/index.js';
import type { DriverCapabilities } from './capabilities.js';
import { capabilityProblems } from './capability-check.js';

const caps: Pick<DriverCapabilities, 'driver' | 'firmware' | 'devices'> = {
  driver: { uri: 'test:///x', name: 'test', version: undefined, ownsInventory: false },
  firmware: ['bios'],
  devices: {
    controllers: [{ kind: 'lsilogic', maxSlots: 8, hotplug: true }],
    nicModels: ['e1000', 'virtio'],
    driveKinds: ['disk'],
    consoles: ['serial'],
  },
};

const rasd = (properties: ResourceSetting['properties']): ResourceSetting => ({
  cimClass: 'CIM_ResourceAllocationSettingData',
  properties,
});

function withItems(...items: ResourceSetting['properties'][]): VirtualSystemDefinition {
  const def = buildDefinition({ name: 'c', cpus: 1, memoryBytes: 64n << 20n });
  def.resources.push(...items.map(rasd));
  return def;
}

const problems = (def: VirtualSystemDefinition) =>
  capabilityProblems(def, caps).map((p) => `${p.location}: ${p.message}`);

describe('capabilityProblems(), in the model words of the capabilities', () => {
  it('takes any spelling of a listed kind or model, and a list of alternatives when one of them is listed', () => {
    const def = withItems(
      { InstanceID: 'a', ResourceType: '6', ResourceSubType: 'virtio lsilogic' },
      { InstanceID: 'b', ResourceType: '6' }, // no subtype: LSI Logic
      { InstanceID: 'n1', ResourceType: '10', ResourceSubType: 'VirtualE1000' },
      { InstanceID: 'n2', ResourceType: '10', ResourceSubType: 'VmxNet3 virtio' },
      { InstanceID: 'n3', ResourceType: '10' }, // no subtype: the driver's default
      { InstanceID: 'u', ResourceType: '23', ResourceSubType: 'xhci' }, // USB holds no drives: not storage
    );
    def.system.Firmware = 'BIOS';
    expect(problems(def)).toEqual([]);
  });

  it('refuses kinds, models, drives and firmware not listed, and subtypes the model cannot name', () => {
    const def = withItems(
      { InstanceID: 'a', ResourceType: '20', ResourceSubType: 'NVMe' },
      { InstanceID: 'b', ResourceType: '6', ResourceSubType: 'ncr5380' },
      { InstanceID: 'n1', ResourceType: '10', ResourceSubType: 'VmxNet3' },
      { InstanceID: 'n2', ResourceType: '10', ResourceSubType: 'SriovEthernetCard' },
      { InstanceID: 'cd', ResourceType: '15' },
    );
    def.system.Firmware = 'uefi';
    expect(problems(def)).toEqual([
      '"c": Firmware "efi" is not available with test:///x',
      '"c" item "a": Controller "a": NVMe controllers is not available',
      '"c" item "b": Controller "b": subtype "ncr5380" is not available',
      '"c" item "n1": NIC "n1": model "VmxNet3" is not available',
      '"c" item "n2": NIC "n2": model "SriovEthernetCard" is not available',
      '"c" item "cd": Drive "cd": cdrom drives are not available',
    ]);
    def.system.Firmware = 'coreboot';
    expect(problems(def)[0]).toBe('"c": Firmware "coreboot" is neither bios nor efi');
  });
});
