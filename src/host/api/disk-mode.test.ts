import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, ApiError, type Principal, ROLES, resultOf } from '../../api/index.js';
import { buildDefinition, type DiskMode } from '../../model/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';

const WAIT = { waitMs: Number.POSITIVE_INFINITY };
const as = (role: Principal['role']): Principal => ({ user: role, role, local: true, via: 'socket' });
const def = (name: string, disk: string, diskMode?: DiskMode, uuid?: string) =>
  buildDefinition({
    name,
    cpus: 1,
    memoryBytes: 64n << 20n,
    disks: [disk],
    ...(diskMode === undefined ? {} : { diskMode }),
    ...(uuid === undefined ? {} : { uuid }),
  });
/** The code and message of a refused call. */
async function refusal(p: Promise<unknown>): Promise<[string, string]> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiError);
  return [(e as ApiError).code, (e as ApiError).message];
}

let dir: string;
let host: Host;
let api: Api;
let images: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vessel-disk-mode-'));
  host = await Host.open({ stateDir: join(dir, 'state'), driverUri: 'test:///default' });
  api = openSession(host, as('admin'));
  images = join(dir, 'state', 'images');
});
afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('systems.define with DiskMode direct, and images hot-plugged', () => {
  it('refuses an image outside every storage pool, for every role', async () => {
    const outside = join(dir, 'outside.raw');
    writeFileSync(outside, Buffer.alloc(1 << 20));
    expect(await refusal(api.systems.define(def('out', outside, 'direct'), WAIT).then(resultOf))).toEqual([
      'PATH_OUTSIDE_POOL',
      `Cannot define "out": the image of drive "4" is outside every storage pool, and a system in direct disk mode writes to the image itself: ${outside}`,
    ]);
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const [code] = await refusal(
        openSession(host, as(role)).systems.define(def('out', outside, 'direct'), WAIT),
      );
      expect(code).toBe('ACCESS_DENIED');
      const inPool = join(images, 'mine.raw');
      writeFileSync(inPool, Buffer.alloc(1 << 20));
      const [inside] = await refusal(
        openSession(host, as(role)).systems.define(def('in', inPool, 'direct'), WAIT),
      );
      expect(inside).toBe('ACCESS_DENIED');
    }
    expect(await api.systems.list()).toEqual([]);
  });

  it("refuses a deployed system's own folder, which an overlay may use", async () => {
    const uuid = '0a0b0c0d-0000-4000-8000-000000000001';
    const pooled = join(images, 'seed.raw');
    writeFileSync(pooled, Buffer.alloc(1 << 20));
    resultOf(await api.systems.define(def('dep', pooled, undefined, uuid), WAIT));
    const own = join(dir, 'state', 'vms', uuid);
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, '.vessel-deploy'), '');
    writeFileSync(join(own, 'disk1.raw'), Buffer.alloc(1 << 20));
    resultOf(await api.systems.define(def('dep', join(own, 'disk1.raw'), 'overlay', uuid), WAIT));
    const [code, message] = await refusal(
      api.systems.define(def('dep', join(own, 'disk1.raw'), 'direct', uuid), WAIT).then(resultOf),
    );
    expect([code, message]).toEqual([
      'PATH_OUTSIDE_POOL',
      `Cannot change "dep": the image of drive "4" is outside every storage pool, and a system in direct disk mode writes to the image itself: ${join(own, 'disk1.raw')}`,
    ]);
    // Its own folder goes with it, so keeping its disk copies it into the default pool, even when a pool holds it.
    await api.pools.add({ id: 'everything', path: dir });
    writeFileSync(join(own, 'disk1.raw'), Buffer.alloc(1 << 20, 9));
    const kept = resultOf(await api.systems.undefine('dep', { keepDisks: true, ...WAIT })).keptImages;
    expect(kept).toEqual([{ instanceId: '4', pool: 'default', image: 'dep-disk4.qcow2', how: 'converted' }]);
    const copy = join(images, 'dep-disk4.qcow2');
    execFileSync('qemu-img', ['check', '-q', '-f', 'qcow2', copy]);
    const raw = join(dir, 'dep.raw');
    execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', copy, raw]);
    expect(readFileSync(raw)).toEqual(Buffer.alloc(1 << 20, 9));
    await api.pools.remove('everything');
  });

  it('refuses two systems on one image when either writes it directly', async () => {
    const shared = join(images, 'shared.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', shared, '1M']);
    resultOf(await api.systems.define(def('w1', shared, 'direct'), WAIT));
    expect(await refusal(api.systems.define(def('w2', shared, 'direct'), WAIT).then(resultOf))).toEqual([
      'INVALID_STATE',
      `Cannot define "w2": the image of disk "4" is in use: "w2" would write to it directly and "w1" uses it too: ${shared}`,
    ]);
    expect(await refusal(api.systems.define(def('r1', shared), WAIT).then(resultOf))).toEqual([
      'INVALID_STATE',
      `Cannot define "r1": the image of disk "4" is in use: "w1" writes to it directly: ${shared}`,
    ]);
    resultOf(await api.systems.undefine('w1', WAIT));
    // Two overlay systems share a base image; then neither may be switched to direct.
    resultOf(await api.systems.define(def('r1', shared), WAIT));
    const r2 = resultOf(await api.systems.define(def('r2', shared), WAIT));
    const [code] = await refusal(
      api.systems.modifySettings(r2.uuid, { DiskMode: 'direct' }, WAIT).then(resultOf),
    );
    expect(code).toBe('INVALID_STATE');
    resultOf(await api.systems.undefine('r1', WAIT));
    const detail = resultOf(await api.systems.modifySettings(r2.uuid, { DiskMode: 'direct' }, WAIT));
    expect(detail.definition.system.DiskMode).toBe('direct');
    resultOf(await api.systems.undefine('r2', WAIT));
  });

  it('refuses at start an image that another system writes directly since a symlink was swapped', async () => {
    const a = join(images, 'a.raw');
    const b = join(images, 'b.raw');
    const link = join(images, 'link.raw');
    writeFileSync(a, Buffer.alloc(1 << 20));
    writeFileSync(b, Buffer.alloc(1 << 20));
    symlinkSync(b, link);
    resultOf(await api.systems.define(def('da', a, 'direct'), WAIT));
    const ol = resultOf(await api.systems.define(def('ol', link), WAIT));
    rmSync(link);
    symlinkSync(a, link);
    expect(await refusal(api.systems.changeState(ol.uuid, 'start', WAIT).then(resultOf))).toEqual([
      'INVALID_STATE',
      `Cannot start "ol": the image of disk "4" is in use: "da" writes to it directly: ${a}`,
    ]);
    resultOf(await api.systems.undefine('ol', WAIT));
    resultOf(await api.systems.undefine('da', WAIT));
  });

  it('refuses an image that names another file, and a DiskMode that is neither mode', async () => {
    const base = join(images, 'b.qcow2');
    const top = join(images, 'top.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', base, '1M']);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, top]);
    const [code] = await refusal(api.systems.define(def('ref', top, 'direct'), WAIT).then(resultOf));
    expect(code).toBe('IMAGE_UNSAFE');
    const bad = def('bad', base);
    bad.system.DiskMode = 'shared';
    const [badCode, badMessage] = await refusal(api.systems.define(bad, WAIT).then(resultOf));
    expect(badCode).toBe('DEFINITION_INVALID');
    expect(badMessage).toContain('DiskMode "shared" is neither overlay nor direct');
    expect(await api.systems.list()).toEqual([]);
  });

  it('checks a disk hot-plugged into a running system as a define does: in a pool, not written directly by another', async () => {
    const vm = resultOf(
      await api.systems.define(buildDefinition({ name: 'hp', cpus: 1, memoryBytes: 64n << 20n }), WAIT),
    );
    resultOf(await api.systems.changeState(vm.uuid, 'start', WAIT));
    /** A SCSI controller and a disk on it, with InstanceIDs the system does not use. */
    const scsiDisk = (path: string) =>
      def('x', path)
        .resources.filter((r) => r.properties.ResourceType === '6' || r.properties.ResourceType === '17')
        .map((r) => ({
          ...r,
          properties: {
            ...r.properties,
            InstanceID: String(Number(r.properties.InstanceID) + 20),
            ...(r.properties.Parent === undefined
              ? {}
              : { Parent: String(Number(r.properties.Parent) + 20) }),
          },
        }));
    const outside = join(dir, 'hot.raw');
    writeFileSync(outside, Buffer.alloc(1 << 20));
    const [code, message] = await refusal(
      api.systems.addResources(vm.uuid, scsiDisk(outside), WAIT).then(resultOf),
    );
    expect([code, message]).toEqual([
      'PATH_OUTSIDE_POOL',
      `Cannot change "hp": the image of drive "24" is outside every storage pool: ${outside}`,
    ]);
    const owned = join(images, 'owned.raw');
    writeFileSync(owned, Buffer.alloc(1 << 20));
    resultOf(await api.systems.define(def('owner', owned, 'direct'), WAIT));
    const [taken] = await refusal(api.systems.addResources(vm.uuid, scsiDisk(owned), WAIT).then(resultOf));
    expect(taken).toBe('INVALID_STATE');
    expect(
      (await api.systems.get(vm.uuid)).definition.resources.map((r) => r.properties.InstanceID),
    ).not.toContain('24');
  });
});
