import { describe, expect, it } from 'vitest';
import { buildDefinition } from './build.js';
import { imagePath } from './devices/addresses.js';
import { CONTROLLERS } from './devices/kinds.js';
import { readDevices } from './devices/view.js';
import { cpuCount, memoryBytes } from './resources.js';

describe('buildDefinition()', () => {
  it('turns --cpus 1 --memory 256M --disk F --cdrom ISO --nic user into DMTF RASDs', () => {
    const def = buildDefinition({
      name: 'web1',
      cpus: 1,
      memoryBytes: 256n << 20n,
      disks: ['/d/web1.raw'],
      cdroms: ['/d/env.iso'],
      nics: [{ network: 'user' }],
    });
    expect(def.system).toEqual({ ElementName: 'web1', VirtualSystemType: 'vessel-qemu' });
    expect(cpuCount(def)).toBe(1);
    expect(memoryBytes(def)).toBe(268435456n);
    expect(def.resources.map((r) => [r.properties.InstanceID, r.properties.ResourceType])).toEqual([
      ['1', '3'],
      ['2', '4'],
      ['3', '5'],
      ['4', '17'],
      ['5', '15'],
      ['6', '10'],
      ['7', '21'],
    ]);
    const hw = readDevices(def);
    expect(
      hw.drives.map((d) => [
        d.instanceId,
        d.kind,
        d.hostResource,
        d.controller?.instanceId,
        d.slot,
        d.slotText,
      ]),
    ).toEqual([
      ['4', 'disk', '/d/web1.raw', '3', 0, '0'],
      ['5', 'cdrom', '/d/env.iso', '3', 1, '1'],
    ]);
    expect(hw.nics.map((n) => [n.instanceId, n.subType, n.model, n.macText, n.network])).toEqual([
      ['6', 'virtio', 'virtio', undefined, 'user'],
    ]);
  });

  it('puts disks on their own controller and CDs on IDE when another bus is asked', () => {
    const def = buildDefinition({
      name: 'n',
      cpus: 2,
      memoryBytes: 1536n << 20n,
      disks: ['/a', '/b'],
      diskBus: 'nvme',
      cdroms: ['/c'],
    });
    const hw = readDevices(def);
    expect(hw.controllers.map((c) => [CONTROLLERS[c.kind].bus, c.subType])).toEqual([
      ['ide', 'PIIX4'],
      ['nvme', 'NVMe'],
    ]);
    expect(hw.drives.map((d) => [d.kind, d.parentText, d.slot])).toEqual([
      ['disk', '4', 0],
      ['disk', '4', 1],
      ['cdrom', '3', 0],
    ]);
  });

  it('writes memory in the largest binary unit that holds it exactly (quantityProperties)', () => {
    const units = (bytes: bigint) => {
      const def = buildDefinition({ name: 'm', cpus: 1, memoryBytes: bytes });
      expect(memoryBytes(def)).toBe(bytes);
      const mem = def.resources[1]!.properties;
      return [mem.VirtualQuantity, mem.AllocationUnits];
    };
    expect(units((256n << 20n) + 4096n)).toEqual(['262148', 'byte * 2^10']);
    expect(units(1536n << 20n)).toEqual(['1536', 'byte * 2^20']);
    expect(units(2n << 30n)).toEqual(['2', 'byte * 2^30']);
    expect(units((1n << 20n) + 1n)).toEqual(['1048577', 'byte']);
  });

  it('uses the secondary IDE channel for CDs when disks fill the first', () => {
    const def = buildDefinition({
      name: 'x',
      cpus: 1,
      memoryBytes: 1n << 28n,
      disks: ['/a', '/b'],
      cdroms: ['/c'],
    });
    const hw = readDevices(def);
    expect(hw.controllers.map((c) => c.address)).toEqual([0, 1]);
    expect(hw.drives.map((d) => `${d.parentText}:${d.slot}`)).toEqual(['3:0', '3:1', '4:0']);
  });
});

describe('imagePath()', () => {
  it('accepts absolute paths and local file URLs only', () => {
    expect(imagePath('/a/b.raw')).toBe('/a/b.raw');
    expect(imagePath('file:///a/b%20c.raw')).toBe('/a/b c.raw');
    expect(imagePath('file://otherhost/a')).toBeUndefined();
    expect(imagePath('ovf:/disk/vmdisk1')).toBeUndefined();
    expect(imagePath('b.raw')).toBeUndefined();
  });
});
