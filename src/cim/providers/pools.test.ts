import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestDriver } from '../../hypervisor/index.js';
import { DEFAULT_LIMITS } from '../../model/index.js';
import { backendFromDriver, type StoragePoolInfo } from '../backend.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { hostPath, idPath } from '../naming.js';
import { newContext } from '../provider.js';
import { type CimService, createCimService } from '../service.js';

// The host's storage pools as DSP1047 resource pools, on the test driver with a backend that has pools.

const NS = VIRT_NAMESPACE;
const reader = () => newContext('rita', 'reader');
const GiB = 1024 ** 3;
let pools: StoragePoolInfo[];
let driver: TestDriver;
let cim: CimService;

beforeEach(() => {
  pools = [
    {
      name: 'default',
      allowDevices: false,
      capacityBytes: 100 * GiB,
      usedBytes: 40 * GiB,
      freeBytes: 60 * GiB,
      images: 3,
    },
    {
      name: 'gone',
      allowDevices: true,
      capacityBytes: undefined,
      usedBytes: undefined,
      freeBytes: undefined,
      images: 0,
    },
  ];
  driver = new TestDriver('test:///default', { checkFiles: false });
  cim = createCimService({
    backend: {
      ...backendFromDriver(driver, { hostName: 'host1', limits: DEFAULT_LIMITS }),
      storagePools: () => pools,
    },
  });
});
afterEach(async () => {
  cim.close();
  await driver.close();
});

const poolPath = (name: string) => idPath('Vessel_ResourcePool', `Vessel:Pool/Storage/${name}`);

describe('storage pools in CIM (DSP1047)', () => {
  it('shows each pool as a concrete Logical Disk pool sized in bytes, and one it cannot read as failed', async () => {
    const all = await cim.om.enumerateInstances(reader(), NS, 'CIM_ResourcePool');
    const storage = all.filter((i) => String(i.properties.InstanceID).startsWith('Vessel:Pool/Storage/'));
    expect(storage.map((i) => i.properties)).toEqual([
      expect.objectContaining({
        InstanceID: 'Vessel:Pool/Storage/default',
        PoolID: 'Storage/default',
        ElementName: 'default',
        Primordial: 'false',
        ResourceType: '31',
        ResourceSubType: 'Vessel:Folder',
        AllocationUnits: 'byte',
        Capacity: String(100 * GiB),
        Reserved: String(40 * GiB),
        HealthState: '5',
        OperationalStatus: ['2'],
      }),
      expect.objectContaining({
        InstanceID: 'Vessel:Pool/Storage/gone',
        ResourceSubType: 'Vessel:Folder with block devices',
        HealthState: '20',
        OperationalStatus: ['6'],
      }),
    ]);
    expect(storage[1]!.properties.Capacity).toBeUndefined();
    const got = await cim.om.getInstance(reader(), NS, poolPath('default'));
    expect(got.properties.ElementName).toBe('default');
  });

  it('ties each pool to the host, to the Logical Disk allocation capabilities and to its primordial pool', async () => {
    const fromHost = await cim.om.associatorNames(reader(), NS, hostPath('host1'), {
      assocClass: 'CIM_HostedResourcePool',
    });
    expect(fromHost.map((p) => p.keys.InstanceID)).toEqual(
      expect.arrayContaining([
        'Vessel:Pool/Storage/default',
        'Vessel:Pool/Storage/gone',
        'Vessel:Pool/LogicalDisk',
      ]),
    );
    const caps = await cim.om.associatorNames(reader(), NS, poolPath('default'), {
      assocClass: 'CIM_ElementCapabilities',
    });
    expect(caps.map((p) => p.keys.InstanceID)).toEqual(['Vessel:AllocationCapabilities/LogicalDisk']);
    const parent = await cim.om.associatorNames(reader(), NS, poolPath('default'), {
      assocClass: 'CIM_ElementAllocatedFromPool',
    });
    expect(parent.map((p) => p.keys.InstanceID)).toEqual(['Vessel:Pool/LogicalDisk']);
    const children = await cim.om.associatorNames(
      reader(),
      NS,
      idPath('Vessel_ResourcePool', 'Vessel:Pool/LogicalDisk'),
      {
        assocClass: 'CIM_ElementAllocatedFromPool',
      },
    );
    expect(children.map((p) => p.keys.InstanceID).sort()).toEqual([
      'Vessel:Pool/Storage/default',
      'Vessel:Pool/Storage/gone',
    ]);
  });

  it('follows the pools as they change, and has none on a backend without pools', async () => {
    pools = pools.slice(0, 1);
    const now = await cim.om.enumerateInstanceNames(reader(), NS, 'Vessel_ResourcePool');
    expect(now.filter((p) => String(p.keys.InstanceID).includes('/Storage/'))).toHaveLength(1);
    const plain = createCimService({
      backend: backendFromDriver(driver, { hostName: 'host1', limits: DEFAULT_LIMITS }),
    });
    const names = await plain.om.enumerateInstanceNames(reader(), NS, 'Vessel_ResourcePool');
    expect(names.some((p) => String(p.keys.InstanceID).includes('/Storage/'))).toBe(false);
    plain.close();
  });
});
