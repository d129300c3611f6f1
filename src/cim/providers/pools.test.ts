import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/index.js';
import { openSession } from '../../host/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { hostPath, idPath } from '../naming.js';
import { newContext } from '../provider.js';
import { createCimService } from '../service.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';

// The host's storage pools as DSP1047 resource pools, read through the Api's pools namespace of a real host.

const NS = VIRT_NAMESPACE;
const reader = () => newContext('rita', 'reader');
let s: CimSubject;
let goneDir: string;

beforeEach(async () => {
  s = await openCimSubject();
  goneDir = await mkdtemp(join(tmpdir(), 'vessel-cim-pool-'));
  s.host.pools.add('gone', goneDir, { allowDevices: true });
  await rm(goneDir, { recursive: true }); // its folder removed: the pool cannot be read
});
afterEach(async () => {
  await s.close();
});

const poolPath = (name: string) => idPath('Vessel_ResourcePool', `Vessel:Pool/Storage/${name}`);

describe('storage pools in CIM (DSP1047)', () => {
  it('shows each pool as a concrete Logical Disk pool sized in bytes, and one it cannot read as failed', async () => {
    const all = await s.cim.om.enumerateInstances(reader(), NS, 'CIM_ResourcePool');
    const sizes = await s.api.pools.get('default');
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
        Capacity: String(sizes.capacityBytes),
        Reserved: String(sizes.usedBytes),
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
    const got = await s.cim.om.getInstance(reader(), NS, poolPath('default'));
    expect(got.properties.ElementName).toBe('default');
  });

  it('ties each pool to the host, to the Logical Disk allocation capabilities and to its primordial pool', async () => {
    const fromHost = await s.cim.om.associatorNames(reader(), NS, hostPath('host1'), {
      assocClass: 'CIM_HostedResourcePool',
    });
    expect(fromHost.map((p) => p.keys.InstanceID)).toEqual(
      expect.arrayContaining([
        'Vessel:Pool/Storage/default',
        'Vessel:Pool/Storage/gone',
        'Vessel:Pool/LogicalDisk',
      ]),
    );
    const caps = await s.cim.om.associatorNames(reader(), NS, poolPath('default'), {
      assocClass: 'CIM_ElementCapabilities',
    });
    expect(caps.map((p) => p.keys.InstanceID)).toEqual(['Vessel:AllocationCapabilities/LogicalDisk']);
    const parent = await s.cim.om.associatorNames(reader(), NS, poolPath('default'), {
      assocClass: 'CIM_ElementAllocatedFromPool',
    });
    expect(parent.map((p) => p.keys.InstanceID)).toEqual(['Vessel:Pool/LogicalDisk']);
    const children = await s.cim.om.associatorNames(
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

  it('follows the pools as they change, and has none on an Api without pools', async () => {
    s.host.pools.remove('gone', []);
    const now = await s.cim.om.enumerateInstanceNames(reader(), NS, 'Vessel_ResourcePool');
    expect(now.filter((p) => String(p.keys.InstanceID).includes('/Storage/'))).toHaveLength(1);
    const noPools = async () => {
      throw new ApiError('NOT_SUPPORTED', 'This host has no storage pools');
    };
    const plain = createCimService({
      hostName: 'host1',
      api: (p) => {
        const api = openSession(s.host, p);
        return { ...api, pools: { ...api.pools, list: noPools }, close: () => api.close() };
      },
    });
    const names = await plain.om.enumerateInstanceNames(reader(), NS, 'Vessel_ResourcePool');
    expect(names.some((p) => String(p.keys.InstanceID).includes('/Storage/'))).toBe(false);
    expect(names.length).toBeGreaterThan(0);
    await plain.close();
  });
});
