import { describe, expect, it } from 'vitest';
import { definitionFromJson } from '../json/decode.js';
import { definitionToJson } from '../json/encode.js';
import type { RasdProperties, ResourceSetting } from '../settings.js';
import { validateDefinition } from '../validate.js';
import { DefinitionBuilder } from './build.js';
import { newDiskOf, withNewImage } from './new-disk.js';
import { readDevices } from './view.js';

const rasd = (
  properties: RasdProperties,
  cimClass: ResourceSetting['cimClass'] = 'CIM_ResourceAllocationSettingData',
) => ({
  cimClass,
  properties: { InstanceID: '7', ...properties },
});

describe('newDiskOf() reads a DSP1047 request for a new empty disk', () => {
  it('reads the capacity exactly in every unit spelling, and the pool', () => {
    expect(
      newDiskOf(
        rasd({
          ResourceType: '17',
          VirtualQuantity: '8',
          VirtualQuantityUnits: 'byte*2^30',
          PoolID: ' fast ',
        }),
      ),
    ).toEqual({
      request: { capacityBytes: 8n << 30n, pool: 'fast', reservedBytes: undefined },
    });
    expect(
      newDiskOf(
        rasd(
          { ResourceType: '31', VirtualQuantity: '2048', VirtualResourceBlockSize: '512' },
          'CIM_StorageAllocationSettingData',
        ),
      ),
    ).toEqual({
      request: { capacityBytes: 1n << 20n, pool: undefined, reservedBytes: undefined },
    });
    expect(
      newDiskOf(
        rasd({
          ResourceType: '17',
          VirtualQuantity: '3',
          AllocationUnits: 'byte * 2^20',
          Reservation: '3',
          Limit: '4',
        }),
      ),
    ).toEqual({
      request: { capacityBytes: 3n << 20n, pool: undefined, reservedBytes: 3n << 20n },
    });
  });

  it('is no request for a disk that names an image, a CD-ROM, or a disk without a size', () => {
    expect(
      newDiskOf(rasd({ ResourceType: '17', VirtualQuantity: '1', HostResource: ['/p/a.qcow2'] })),
    ).toBeUndefined();
    expect(newDiskOf(rasd({ ResourceType: '15', VirtualQuantity: '1' }))).toBeUndefined();
    expect(newDiskOf(rasd({ ResourceType: '17' }))).toBeUndefined();
  });

  it('states what is wrong with a size or host space', () => {
    const problem = (p: RasdProperties) => {
      const r = newDiskOf(rasd({ ResourceType: '17', ...p }));
      return r !== undefined && 'problem' in r ? r.problem : r;
    };
    expect(problem({ VirtualQuantity: '0' })).toBe(
      'Disk "7": a capacity of 0 bytes cannot be created; a new disk is a multiple of 512 bytes from 1 MiB to 64 TiB',
    );
    expect(problem({ VirtualQuantity: '-1' })).toBe('Disk "7": VirtualQuantity "-1" is not a whole number');
    expect(problem({ VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^50' })).toMatch(
      /1125899906842624 bytes cannot be created/,
    );
    expect(problem({ VirtualQuantity: '2', VirtualQuantityUnits: 'count' })).toMatch(/^Disk "7": /);
    expect(problem({ VirtualQuantity: '2', VirtualQuantityUnits: 'byte*2^20', Limit: '1' })).toMatch(
      /Limit 1048576 bytes is below its capacity/,
    );
    expect(problem({ Reservation: '1' })).toMatch(/no VirtualQuantity/);
  });
});

describe('the device view and validateDefinition with a new disk', () => {
  it('accepts a new disk, names its problem on the drive, and says how to ask for one when a disk has neither', () => {
    const b = new DefinitionBuilder({ ElementName: 'n' });
    b.cpus(1);
    b.memory(64n << 20n);
    const ide = b.controller('ide', { address: 0 });
    b.newDisk({ controller: ide, slot: 0 }, 5n << 30n, 'fast');
    const def = b.build();
    const view = readDevices(def);
    expect(view.drives[0]?.newDisk).toEqual({
      request: { capacityBytes: 5n << 30n, pool: 'fast', reservedBytes: undefined },
    });
    expect(def.resources[3]?.properties).toMatchObject({
      VirtualQuantity: '5',
      VirtualQuantityUnits: 'byte*2^30',
      PoolID: 'fast',
    });
    expect(validateDefinition(def).filter((p) => p.severity === 'error')).toEqual([]);
    def.resources[3]!.properties.VirtualQuantity = '0';
    expect(validateDefinition(def).find((p) => p.instanceId === '4')?.message).toMatch(
      /a capacity of 0 bytes cannot be created/,
    );
    delete def.resources[3]!.properties.VirtualQuantity;
    expect(validateDefinition(def).find((p) => p.instanceId === '4')).toMatchObject({
      code: 'MISSING',
      hint: 'Name an image in a storage pool, or give a size (VirtualQuantity) for a new empty disk',
    });
  });

  it('withNewImage() names the image and drops the spent PoolID and Reservation', () => {
    const r = rasd({
      ResourceType: '17',
      VirtualQuantity: '1',
      VirtualQuantityUnits: 'byte*2^30',
      PoolID: 'p',
      Reservation: '1',
      HostResource: [''],
    });
    expect(withNewImage(r, '/pool/n-disk7.qcow2').properties).toEqual({
      InstanceID: '7',
      ResourceType: '17',
      VirtualQuantity: '1',
      VirtualQuantityUnits: 'byte*2^30',
      HostResource: ['/pool/n-disk7.qcow2'],
    });
  });
});

describe('a new disk in the JSON encoding (named devices)', () => {
  it('is a disk drive with no image and its size and pool in properties, read back to the same request', () => {
    const def = definitionFromJson({
      name: 'j',
      cpus: 1,
      memoryBytes: 67108864,
      devices: [
        { device: 'controller', id: 'c', kind: 'virtio-scsi' },
        {
          device: 'drive',
          id: 'd',
          kind: 'disk',
          controller: 'c',
          slot: 0,
          properties: { VirtualQuantity: '8', VirtualQuantityUnits: 'byte*2^30', PoolID: 'fast' },
        },
      ],
    });
    expect(readDevices(def).drives[0]?.newDisk).toEqual({
      request: { capacityBytes: 8n << 30n, pool: 'fast', reservedBytes: undefined },
    });
    const again = definitionFromJson(JSON.parse(JSON.stringify(definitionToJson(def))));
    expect(readDevices(again).drives[0]?.newDisk).toEqual(readDevices(def).drives[0]?.newDisk);
  });
});
