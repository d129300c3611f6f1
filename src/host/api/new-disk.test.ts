import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, ApiError, type Principal, resultOf } from '../../api/index.js';
import {
  buildDefinition,
  type RasdProperties,
  type ResourceSetting,
  readDevices,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';

const WAIT = { waitMs: Number.POSITIVE_INFINITY };
const ADMIN: Principal = { user: 'root', role: 'admin', local: true, via: 'socket' };

/** A system with one disk RASD of these properties (no HostResource: a new disk) and a CD-ROM drive. */
function withDisk(name: string, disk: RasdProperties, cimClass?: ResourceSetting['cimClass']) {
  const def = buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n });
  def.resources.push({
    cimClass: cimClass ?? 'CIM_ResourceAllocationSettingData',
    properties: { InstanceID: '9', ElementName: 'New disk', ...disk },
  });
  return def;
}

/** The code, message and field pointers of a refused define. */
async function refusal(api: Api, def: VirtualSystemDefinition) {
  const e = await api.systems
    .define(def, WAIT)
    .then(resultOf)
    .then(
      () => undefined,
      (x: unknown) => x,
    );
  expect(e).toBeInstanceOf(ApiError);
  const a = e as ApiError;
  return { code: a.code, message: a.message, pointers: (a.errors ?? []).map((x) => x.pointer) };
}

/** qemu-img's facts of an image: format and virtual size. */
function info(path: string): { format: string; 'virtual-size': number } {
  return JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', path], { encoding: 'utf8' }));
}

const visible = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith('.'));

let dir: string;
let host: Host;
let api: Api;
let images: string;
let fast: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vessel-new-disk-'));
  host = await Host.open({ stateDir: join(dir, 'state'), driverUri: 'test:///default' });
  api = openSession(host, ADMIN);
  images = join(dir, 'state', 'images');
  fast = join(dir, 'fast');
  mkdirSync(fast);
  await api.pools.add({ id: 'fast', path: fast });
});
afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('systems.define with a new empty disk (DSP1047: a capacity, a PoolID, no HostResource)', () => {
  it('creates an image of exactly the capacity in the named pool, owned by the system, in every unit spelling', async () => {
    const cases: [string, RasdProperties, ResourceSetting['cimClass'] | undefined, number][] = [
      [
        'gib',
        { ResourceType: '17', VirtualQuantity: '3', VirtualQuantityUnits: 'byte*2^30' },
        undefined,
        3 * 2 ** 30,
      ],
      [
        'ovf',
        { ResourceType: '17', VirtualQuantity: '5', AllocationUnits: 'byte * 2^20' },
        undefined,
        5 << 20,
      ],
      [
        'blocks',
        {
          ResourceType: '31',
          VirtualQuantity: '4096',
          VirtualQuantityUnits: 'count(fixed size block)',
          VirtualResourceBlockSize: '4096',
        },
        'CIM_StorageAllocationSettingData',
        16 << 20,
      ],
      [
        'bytes',
        { ResourceType: '17', VirtualQuantity: '1049088', VirtualQuantityUnits: 'byte' },
        undefined,
        1049088,
      ],
    ];
    for (const [name, props, cls, bytes] of cases) {
      const s = resultOf(await api.systems.define(withDisk(name, { ...props, PoolID: 'fast' }, cls), WAIT));
      const disk = (await api.systems.get(s.uuid)).definition.resources.find(
        (r) => r.properties.InstanceID === '9',
      )!;
      const path = disk.properties.HostResource?.[0] ?? '';
      expect(path).toBe(join(fast, `${name}-disk9.qcow2`));
      expect(disk.properties.PoolID).toBeUndefined();
      expect(info(path)).toMatchObject({ format: 'qcow2', 'virtual-size': bytes });
      expect(host.store.ownedImages.of(s.uuid)).toEqual([path]);
    }
    // The default pool when PoolID names none; the pool lists it as used by the system.
    resultOf(
      await api.systems.define(
        withDisk('dflt', { ResourceType: '17', VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^20' }),
        WAIT,
      ),
    );
    expect(visible(images)).toEqual(['dflt-disk9.qcow2']);
    const listed = (await api.pools.images('default')).find((i) => i.name === 'dflt-disk9.qcow2');
    expect(listed).toMatchObject({ format: 'qcow2', virtualSizeBytes: 1n << 20n, usedBy: ['dflt'] });
    for (const n of ['gib', 'ovf', 'blocks', 'bytes', 'dflt']) resultOf(await api.systems.undefine(n, WAIT));
    expect(visible(fast)).toEqual([]);
    expect(visible(images)).toEqual([]);
    expect(host.store.ownedImages.all()).toEqual([]);
  });

  it('refuses a missing pool and bad sizes on the disk field, creating nothing', async () => {
    const vq = (VirtualQuantity: string, VirtualQuantityUnits = 'byte*2^20', more: RasdProperties = {}) =>
      withDisk('bad', { ResourceType: '17', VirtualQuantity, VirtualQuantityUnits, ...more });
    const missing = await refusal(
      api,
      withDisk('bad', {
        ResourceType: '17',
        VirtualQuantity: '8',
        VirtualQuantityUnits: 'byte*2^20',
        PoolID: 'nope',
      }),
    );
    expect(missing).toMatchObject({
      code: 'DEFINITION_INVALID',
      message: 'Cannot define "bad": New disk "9": no storage pool "nope"',
      pointers: ['/resources/3/properties/PoolID'],
    });
    const sizes: [VirtualSystemDefinition, RegExp][] = [
      [
        vq('0'),
        /Disk "9": a capacity of 0 bytes cannot be created; a new disk is a multiple of 512 bytes from 1 MiB to 64 TiB/,
      ],
      [vq('65', 'byte*2^40'), /a capacity of 71468255805440 bytes cannot be created/],
      [vq('99999999999999999999999999999999999'), /cannot be created/],
      [vq('-5'), /Disk "9": VirtualQuantity "-5" is not a whole number/],
      [vq('1.5', 'byte*2^30'), /Disk "9": VirtualQuantity "1.5" is not a whole number/],
      [vq('1048577', 'byte'), /a capacity of 1048577 bytes cannot be created/],
      [vq('8', 'hertz'), /Disk "9":/],
      [
        vq('8', 'byte*2^20', { Limit: '4' }),
        /Disk "9": Limit 4194304 bytes is below its capacity of 8388608 bytes/,
      ],
      [vq('8', 'byte*2^20', { Reservation: '2' }), /Reservation 2097152 bytes is neither 0 nor its capacity/],
      [
        withDisk('bad', { ResourceType: '17', Limit: '8' }),
        /gives Limit or Reservation but no VirtualQuantity/,
      ],
    ];
    for (const [def, message] of sizes) {
      const r = await refusal(api, def);
      expect(r.code).toBe('DEFINITION_INVALID');
      expect(r.message).toMatch(message);
      expect(r.pointers).toEqual(['/resources/3/properties/VirtualQuantity']);
    }
    expect(visible(fast)).toEqual([]);
    expect(visible(images)).toEqual([]);
    expect(await api.systems.list()).toEqual([]);
    // A driver given a new disk directly (not through the host) refuses it: drivers get paths only.
    await expect(host.driver.define(vq('8'))).rejects.toThrow(
      'Cannot define "bad": disk "9" asks for a new disk, which the host creates; this driver needs its image',
    );
  });

  it('refuses a reservation the pool cannot hold, and preallocates one it can', async () => {
    const full = await refusal(
      api,
      withDisk('thick', {
        ResourceType: '17',
        VirtualQuantity: '60',
        VirtualQuantityUnits: 'byte*2^40',
        Reservation: '60',
        PoolID: 'fast',
      }),
    );
    expect(full.code).toBe('LIMIT_EXCEEDED');
    expect(full.message).toMatch(
      /^Cannot define "thick": New disk "9": the storage pool "fast" has \d+ bytes free, less than the 65970697666560 bytes its new disks reserve$/,
    );
    expect(full.pointers).toEqual(['/resources/3/properties/PoolID']);
    expect(visible(fast)).toEqual([]);
    const s = resultOf(
      await api.systems.define(
        withDisk('thick', {
          ResourceType: '17',
          VirtualQuantity: '4',
          VirtualQuantityUnits: 'byte*2^20',
          Reservation: '4',
          PoolID: 'fast',
        }),
        WAIT,
      ),
    );
    const path = join(fast, 'thick-disk9.qcow2');
    expect(statSync(path).blocks * 512).toBeGreaterThanOrEqual(4 << 20); // the space is taken now
    const disk = (await api.systems.get(s.uuid)).definition.resources.at(-1)!.properties;
    expect(disk.Reservation).toBeUndefined();
    resultOf(await api.systems.undefine('thick', WAIT));
    expect(visible(fast)).toEqual([]);
  });

  it('deletes the new image again when the define fails after it was made', async () => {
    const def = withDisk('half', {
      ResourceType: '17',
      VirtualQuantity: '2',
      VirtualQuantityUnits: 'byte*2^20',
    });
    const outside = join(dir, 'outside.raw');
    writeFileSync(outside, Buffer.alloc(1 << 20));
    def.resources.push({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: '10', ResourceType: '17', HostResource: [outside] },
    });
    const r = await refusal(api, def);
    expect(r.code).toBe('PATH_OUTSIDE_POOL');
    expect(visible(images)).toEqual([]);
    expect(host.store.ownedImages.all()).toEqual([]);
    // A name taken by a file of someone else's: the next free name, the file untouched.
    writeFileSync(join(images, 'taken-disk9.qcow2'), 'not ours');
    const s = resultOf(
      await api.systems.define(
        withDisk('taken', { ResourceType: '17', VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^20' }),
        WAIT,
      ),
    );
    expect(host.store.ownedImages.of(s.uuid)).toEqual([join(images, 'taken-disk9-2.qcow2')]);
    resultOf(await api.systems.undefine('taken', WAIT));
    expect(visible(images)).toEqual(['taken-disk9.qcow2']);
    rmSync(join(images, 'taken-disk9.qcow2'));
  });

  it('adds a new disk to a stopped system, deletes it when removed, and keeps a direct one on undefine --keep-disks', async () => {
    const s = resultOf(
      await api.systems.define(buildDefinition({ name: 'grow', cpus: 1, memoryBytes: 64n << 20n }), WAIT),
    );
    const added = resultOf(
      await api.systems.addResources(
        'grow',
        [
          {
            cimClass: 'CIM_ResourceAllocationSettingData',
            properties: {
              ResourceType: '17',
              VirtualQuantity: '2',
              VirtualQuantityUnits: 'byte*2^20',
              PoolID: 'fast',
            },
          },
        ],
        WAIT,
      ),
    );
    const [id] = added.instanceIds;
    const path = join(fast, `grow-disk${id}.qcow2`);
    expect(info(path)['virtual-size']).toBe(2 << 20);
    expect(host.store.ownedImages.of(s.uuid)).toEqual([path]);
    resultOf(await api.systems.removeResources('grow', [id!], WAIT));
    expect(visible(fast)).toEqual([]);
    expect(host.store.ownedImages.of(s.uuid)).toEqual([]);
    resultOf(await api.systems.undefine('grow', WAIT));

    const d = withDisk('keep', {
      ResourceType: '17',
      VirtualQuantity: '1',
      VirtualQuantityUnits: 'byte*2^20',
      PoolID: 'fast',
    });
    d.system.DiskMode = 'direct';
    resultOf(await api.systems.define(d, WAIT));
    const kept = resultOf(await api.systems.undefine('keep', { ...WAIT, keepDisks: true }));
    expect(kept.keptImages).toEqual([
      { instanceId: '9', pool: 'fast', image: 'keep-disk9.qcow2', how: 'in-place' },
    ]);
    expect(visible(fast)).toEqual(['keep-disk9.qcow2']); // kept, no longer the host's to delete
    expect(host.store.ownedImages.all()).toEqual([]);
    rmSync(join(fast, 'keep-disk9.qcow2'));
  });

  it('deletes at the next start what a crash left: an owned image of no system', async () => {
    const orphan = join(fast, 'crashed-disk9.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', orphan, '1M']);
    host.store.ownedImages.add('0b4f5d1e-5a6b-4c7d-8e9f-0a1b2c3d4e5f', orphan);
    await host.close();
    host = await Host.open({ stateDir: join(dir, 'state'), driverUri: 'test:///default' });
    api = openSession(host, ADMIN);
    expect(visible(fast)).toEqual([]);
    expect(host.store.ownedImages.all()).toEqual([]);
  });
});

describe('new disks on QEMU (TCG): the driver gets a path, at define and at hot-plug', () => {
  it('starts a system whose disk the host made, hot-plugs a second new disk, and removes both images with it', async () => {
    const state = join(dir, 'qemu');
    const q = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
    try {
      const qa = openSession(q, ADMIN);
      const def = buildDefinition({
        name: 'q1',
        cpus: 1,
        memoryBytes: 64n << 20n,
        disks: [{ capacityBytes: 16n << 20n }],
        diskBus: 'scsi',
        graphics: 'none',
      });
      const s = resultOf(await qa.systems.define(def, WAIT));
      resultOf(await qa.systems.changeState(s.uuid, 'start', WAIT));
      const images = join(state, 'images');
      const added = resultOf(
        await qa.systems.addResources(
          'q1',
          [
            {
              cimClass: 'CIM_ResourceAllocationSettingData',
              properties: {
                ResourceType: '17',
                VirtualQuantity: '8',
                VirtualQuantityUnits: 'byte*2^20',
                Parent: '3',
                AddressOnParent: '1',
              },
            },
          ],
          WAIT,
        ),
      );
      expect(added.applied).toBe('live');
      const named = readDevices((await qa.systems.get('q1')).definition).drives.map((d) => d.hostResource);
      expect(named).toEqual([
        join(images, 'q1-disk4.qcow2'),
        join(images, `q1-disk${added.instanceIds[0]}.qcow2`),
      ]);
      expect(named.map((p) => info(p!)['virtual-size'])).toEqual([16 << 20, 8 << 20]);
      // A hot-plug that fails (the slot is taken) leaves no image behind.
      const taken = await qa.systems.addResources(
        'q1',
        [
          {
            cimClass: 'CIM_ResourceAllocationSettingData',
            properties: {
              ResourceType: '17',
              VirtualQuantity: '8',
              VirtualQuantityUnits: 'byte*2^20',
              Parent: '3',
              AddressOnParent: '1',
            },
          },
        ],
        WAIT,
      );
      expect(taken.error?.message).toMatch(/address 1|slot|both sit/);
      expect(visible(images).sort()).toEqual(named.map((p) => p!.slice(images.length + 1)).sort());
      // The running QEMU has both open (overlay mode: over the new images, which stay as made).
      const disks = await q.driver.diskImages!(s.uuid);
      expect(disks.filter((d) => d.kind === 'disk')).toHaveLength(2);
      resultOf(await qa.systems.undefine('q1', { ...WAIT, powerOff: true }));
      expect(visible(images)).toEqual([]);
    } finally {
      await q.close({ stopVms: true });
    }
  }, 120_000);
});
