import { describe, expect, it } from 'vitest';
import { buildDefinition, type ResourceSetting, type VirtualSystemDefinition } from '../model/index.js';
import { HypervisorError } from './errors.js';
import { checkHotplugBus } from './hotplug-bus.js';
import { libvirtDevices } from './libvirt/capabilities.js';
import { QEMU_CONTROLLER_CAPABILITIES } from './qemu/capabilities.js';

/** A running system's definition on `bus` with a disk `hot` added, whose Parent is `parent` (or none). */
function withDisk(
  bus: 'ide' | 'sata' | 'nvme' | 'scsi' | 'virtio',
  parent: 'controller' | 'none',
): VirtualSystemDefinition {
  const def = buildDefinition({
    name: 'web1',
    cpus: 1,
    memoryBytes: 64n << 20n,
    disks: ['/i/a.raw'],
    diskBus: bus,
  });
  const controller = def.resources.find((r) => ['5', '6', '20'].includes(String(r.properties.ResourceType)));
  const hot: ResourceSetting = {
    cimClass: 'CIM_ResourceAllocationSettingData',
    properties: {
      InstanceID: 'hot',
      ResourceType: '17',
      HostResource: ['/i/b.raw'],
      ...(parent === 'controller' ? { Parent: String(controller!.properties.InstanceID) } : {}),
    },
  };
  return { ...def, resources: [...def.resources, hot] };
}

function refusal(def: VirtualSystemDefinition, controllers = QEMU_CONTROLLER_CAPABILITIES): HypervisorError {
  try {
    checkHotplugBus(def, 'hot', controllers, 'QEMU');
  } catch (e) {
    expect(e).toBeInstanceOf(HypervisorError);
    return e as HypervisorError;
  }
  throw new Error('expected a refusal');
}

describe('checkHotplugBus()', () => {
  it('refuses a disk on IDE, SATA and NVMe, naming the bus and controller and what takes one', () => {
    for (const [bus, name] of [
      ['ide', 'IDE'],
      ['sata', 'SATA (AHCI)'],
      ['nvme', 'NVMe'],
    ] as const) {
      const def = withDisk(bus, 'controller');
      const id = def.resources.find((r) => r.properties.InstanceID === 'hot')!.properties.Parent;
      const e = refusal(def);
      expect([e.code, e.message]).toEqual([
        'NOT_SUPPORTED',
        `Cannot attach disk "hot" to "web1" while it runs: QEMU cannot hot-plug a disk on ${name} (controller "${id}")`,
      ]);
      expect(e.hint).toBe(
        'Put it on virtio-blk or SCSI (a Parent naming such a controller, or no Parent), or attach it while "web1" is stopped',
      );
    }
    // libvirt's table (QEMU's without BusLogic) refuses the same way.
    expect(refusal(withDisk('sata', 'controller'), libvirtDevices().controllers).message).toMatch(
      /on SATA \(AHCI\)/,
    );
  });

  it('lets a disk on SCSI or virtio-blk through, and one without a Parent (the driver places it)', () => {
    for (const def of [
      withDisk('scsi', 'controller'),
      withDisk('virtio', 'controller'),
      withDisk('ide', 'none'),
      withDisk('sata', 'none'),
    ])
      expect(() => checkHotplugBus(def, 'hot', QEMU_CONTROLLER_CAPABILITIES, 'QEMU')).not.toThrow();
    // Not a drive, or unknown: not this check's business (the drivers refuse those themselves).
    expect(() =>
      checkHotplugBus(withDisk('ide', 'controller'), '1', QEMU_CONTROLLER_CAPABILITIES, 'QEMU'),
    ).not.toThrow();
    expect(() =>
      checkHotplugBus(withDisk('ide', 'controller'), 'nope', QEMU_CONTROLLER_CAPABILITIES, 'QEMU'),
    ).not.toThrow();
  });
});
