import { truncate } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wbemcli } from '../../../test/helpers/wbemcli.js';
import { resultOf } from '../../api/index.js';
import { DefinitionBuilder } from '../../model/index.js';
import { startTestHost, type TestHost } from './test-host.js';

// sblim wbemcli reads MACs, disk sizes and subtypes of a live host's devices, RASDs and pools, and kept jobs'
// TimeBeforeRemoval (issue 11).

let host: TestHost;
let base: string;

beforeAll(async () => {
  host = await startTestHost();
  base = `${host.url.replace('http://', 'http://admin:secret@')}/root/virtualization`;
  const image = await host.image('db1.img');
  await truncate(image, 8 * 2 ** 20);
  const b = new DefinitionBuilder({ ElementName: 'db1' });
  b.cpus(1);
  b.memory(64n << 20n);
  const scsi = b.controller('virtio-scsi');
  b.drive('disk', { controller: scsi, slot: 0 }, image);
  b.nic('virtio', 'user', '52:54:00:12:34:56');
  const forever = { waitMs: Number.POSITIVE_INFINITY };
  resultOf(await host.api.systems.define(b.build(), forever));
  resultOf(await host.api.systems.changeState('db1', 'start', forever));
});
afterAll(async () => {
  await host.close();
});

describe('device facts over CIM-XML (wbemcli)', () => {
  it('ei: RASDs carry ResourceSubType, the MAC and the disk size in bytes', async () => {
    const r = await wbemcli('-nl', 'ei', `${base}:CIM_ResourceAllocationSettingData`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('-ResourceSubType="virtio-scsi"');
    expect(r.out).toContain(`-VirtualQuantity=${8 * 2 ** 20}`);
    expect(r.out).toContain('-VirtualQuantityUnits="byte"');
    expect(r.out).toContain('-Address="52:54:00:12:34:56"');
  });

  it('ei: the running system’s disk and Ethernet port have sizes and the DSP1014 MAC form', async () => {
    const disk = await wbemcli('-nl', 'ei', `${base}:CIM_LogicalDisk`);
    expect(disk.code).toBe(0);
    expect(disk.out).toContain('-BlockSize=512');
    expect(disk.out).toContain(`-NumberOfBlocks=${(8 * 2 ** 20) / 512}`);
    const port = await wbemcli('-nl', 'ei', `${base}:CIM_EthernetPort`);
    expect(port.code).toBe(0);
    expect(port.out).toContain('-PermanentAddress="525400123456"');
    expect(port.out).toContain('-NetworkAddresses="525400123456"');
  });

  it('ei: the pools name their default subtype', async () => {
    const r = await wbemcli('-nl', 'ei', `${base}:CIM_ResourcePool`);
    expect(r.code).toBe(0);
    const blocks = r.out.split(/\n(?=\S*Vessel_ResourcePool\.)/);
    expect(blocks.length).toBeGreaterThan(10);
    const disk = blocks.find((b) => b.includes('-PoolID="DiskDrive"'));
    expect(disk).toContain('-ResourceSubType="disk"');
  });

  it('cm: AddResourceSettings takes a disk’s unit in Address and its size in byte*10^6', async () => {
    const image = await host.image('extra.img');
    const def = (await host.api.systems.get('db1')).definition;
    const scsi = def.resources.find((r) => r.properties.ResourceSubType === 'virtio-scsi')!;
    const vsms =
      'Vessel_VirtualSystemManagementService.CreationClassName="Vessel_VirtualSystemManagementService",Name="Management Service",SystemCreationClassName="Vessel_HostSystem",SystemName="testhost"';
    const r = await wbemcli(
      '-dx',
      'cm',
      `${base}:${vsms}`,
      'AddResourceSettings.AffectedConfiguration=Vessel_VirtualSystemSettingData.InstanceID="Vessel:db1",' +
        `ResourceSettings="instance of Vessel_StorageAllocationSettingData { ResourceType = 17; Parent = 'Vessel:db1/${scsi.properties.InstanceID}'; Address = '3'; HostResource = {'${image}'}; VirtualQuantity = 2048; AllocationUnits = 'byte*10^6'; };"`,
    );
    // The server answers 0 with a VALUE.REFARRAY of the new RASDs, which sblim wbemcli cannot read ("Bad
    // attribute list for VALUE"), so the answer is read from its -dx trace.
    expect(r.out).toMatch(
      /METHODRESPONSE NAME="AddResourceSettings"><RETURNVALUE PARAMTYPE="uint32"><VALUE>0<\/VALUE>/,
    );
    const added = (await host.api.systems.get('db1')).definition.resources.find(
      (x) => x.properties.HostResource?.[0] === image,
    )!;
    expect(added.properties).toMatchObject({ AddressOnParent: '3', AllocationUnits: 'byte*10^6' });
    expect(added.properties.Address).toBeUndefined();
    const disk = await wbemcli('-nl', 'ei', `${base}:CIM_LogicalDisk`);
    expect(disk.out).toContain('-NumberOfBlocks=4000000');
  });

  it('ei: a job kept until deleted says so in TimeBeforeRemoval', async () => {
    const r = await wbemcli('-nl', 'ei', `${base}:CIM_ConcreteJob`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('-DeleteOnCompletion=FALSE');
    expect(r.out).toContain('-TimeBeforeRemoval=99999999235959.999999:000');
    expect(r.out).not.toContain('-TimeBeforeRemoval=00000000000500.000000:000');
  });
});
