import { truncate } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultOf } from '../api/index.js';
import { DefinitionBuilder } from '../model/index.js';
import { VIRT_NAMESPACE } from './classes/index.js';
import { newContext } from './provider.js';
import { type CimSubject, openCimSubject } from './subject.case.test.js';
import type { CimInstance } from './types.js';

// MACs, sizes and subtypes on devices, RASDs and pools, from the model's device view (issue 11).

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
let s: CimSubject;

beforeEach(async () => {
  s = await openCimSubject();
  const image = await s.image('web1.img');
  await truncate(image, 3 * 2 ** 20);
  const b = new DefinitionBuilder({ ElementName: 'web1' });
  b.cpus(1);
  b.memory(64n << 20n);
  const ide = b.controller('ide', { address: 0 });
  b.drive('disk', { controller: ide, slot: 0 }, image);
  // A SASD whose size is its own (2 × byte*2^30), which wins over its image's.
  b.add(
    {
      ResourceType: '31',
      ElementName: 'Scratch',
      HostResource: [await s.image('scratch.img')],
      VirtualQuantity: '2',
      VirtualQuantityUnits: 'byte*2^30',
    },
    'CIM_StorageAllocationSettingData',
  );
  b.nic('e1000', 'user', '52-54-00-AB-CD-EF');
  b.nic(undefined, 'user', '52:54:00:00:00:01');
  await s.define(b.build());
});
afterEach(async () => {
  await s.close();
});

const all = (cls: string) => s.cim.om.enumerateInstances(admin(), NS, cls);
const byName = (list: CimInstance[], name: string) => list.find((i) => i.properties.ElementName === name)!;

describe('device facts on CIM instances', () => {
  it('RASDs show ResourceSubType, MAC and size from the device view, and keep what the model wrote', async () => {
    const rasds = await all('CIM_ResourceAllocationSettingData');
    const of = (type: string) => rasds.filter((r) => r.properties.ResourceType === type);
    expect(of('5')[0]!.properties.ResourceSubType).toBe('PIIX4');
    const disk = of('17')[0]!.properties;
    expect(disk).toMatchObject({ ResourceSubType: 'disk', VirtualQuantity: String(3 * 2 ** 20) });
    expect(disk.VirtualQuantityUnits).toBe('byte');
    const sasd = of('31')[0]!;
    expect(sasd.className).toBe('Vessel_StorageAllocationSettingData');
    expect(sasd.properties).toMatchObject({
      ResourceSubType: 'disk',
      VirtualQuantity: '2',
      VirtualQuantityUnits: 'byte*2^30',
    });
    const nics = of('10');
    expect(nics[0]!.properties).toMatchObject({ ResourceSubType: 'E1000', Address: '52-54-00-AB-CD-EF' });
    // A NIC the model names no model for has no subtype: the driver picks, CIM does not guess.
    expect(nics[1]!.properties.ResourceSubType).toBeUndefined();
    const one = await s.cim.om.getInstance(admin(), NS, {
      className: 'Vessel_ResourceAllocationSettingData',
      keys: { InstanceID: String(of('17')[0]!.properties.InstanceID) },
    });
    expect(one.properties.VirtualQuantity).toBe(String(3 * 2 ** 20));
    // The stored definition is unchanged: the facts are shown, not written.
    const stored = (await s.api.systems.get('web1')).definition.resources;
    expect(
      stored.find((r) => r.properties.ResourceType === '17')!.properties.VirtualQuantity,
    ).toBeUndefined();
  });

  it('a running system’s disks have BlockSize × NumberOfBlocks and its ports the MAC as 12 hex digits', async () => {
    resultOf(await s.api.systems.changeState('web1', 'start', { waitMs: Number.POSITIVE_INFINITY }));
    const disks = await all('CIM_LogicalDisk');
    expect(disks.map((d) => [d.properties.BlockSize, d.properties.NumberOfBlocks])).toEqual([
      ['512', String((3 * 2 ** 20) / 512)],
      ['512', String((2 * 2 ** 30) / 512)],
    ]);
    expect(byName(disks, 'Scratch').properties.Access).toBe('3');
    const ports = await all('CIM_EthernetPort');
    expect(ports.map((p) => [p.properties.PermanentAddress, p.properties.NetworkAddresses])).toEqual([
      ['525400ABCDEF', ['525400ABCDEF']],
      ['525400000001', ['525400000001']],
    ]);
    const got = await s.cim.om.getInstance(admin(), NS, disks[0]!.path!);
    expect(got.properties.NumberOfBlocks).toBe(String((3 * 2 ** 20) / 512));
  });

  it('pools show the ResourceSubType of what they allocate by default', async () => {
    const pools = await all('CIM_ResourcePool');
    const sub = (id: string) => pools.find((p) => p.properties.PoolID === id)?.properties.ResourceSubType;
    expect([sub('IDEController'), sub('DiskDrive'), sub('CDDrive'), sub('EthernetAdapter')]).toEqual([
      'PIIX4',
      'disk',
      'cdrom',
      'virtio',
    ]);
  });
});
