import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { type Api, ApiError, resultOf } from '../../api/index.js';
import { Host, openSession } from '../../host/index.js';
import { buildDefinition, type ResourceSetting } from '../../model/index.js';
import { ensureTestGuest, type TestGuest } from '../guest.js';

/**
 * Hot-plug through the Api on a host whose driver is libvirt's QEMU driver (a private libvirtd, TCG, the real test
 * guest running): a disk and a NIC added to the running system reach the live domain and its definition
 * (virDomainAttachDeviceFlags live+config), keep their InstanceIDs, and are removed again the same way.
 */
const WAIT = { waitMs: 120_000 };
let guest: TestGuest;
let d: PrivateLibvirtd;
let dir: string;
let host: Host;
let api: Api;
let images: string;
let uri: string;

beforeAll(async () => {
  guest = await ensureTestGuest();
  d = await startLibvirtd();
  uri = `qemu+unix:///session?socket=${d.socket}`;
  dir = mkdtempSync(join(tmpdir(), 'vessel-libvirt-hotplug-'));
  chmodSync(dir, 0o755);
  host = await Host.open({
    stateDir: join(dir, 'state'),
    driverUri: `libvirt:qemu:///session?socket=${d.socket}`,
  });
  api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
  images = join(dir, 'state', 'images');
  const owner = statSync(d.dir);
  for (const p of [join(dir, 'state'), images]) chmodSync(p, 0o755);
  copyFileSync(guest.stayDisk, join(images, 'guest.raw'));
  writeFileSync(join(images, 'hot.raw'), Buffer.alloc(1 << 20));
  for (const f of ['guest.raw', 'hot.raw']) chownSync(join(images, f), owner.uid, owner.gid);
}, 180_000);
afterAll(async () => {
  await api?.close();
  await host?.close({ stopVms: true });
  await d?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The resources of a system by InstanceID: type, image and parent. */
async function byId(ref: string): Promise<Map<string, string>> {
  const { definition } = await api.systems.get(ref);
  return new Map(
    definition.resources.map((r) => [
      String(r.properties.InstanceID),
      `${r.properties.ResourceType}:${r.properties.HostResource?.[0] ?? ''}`,
    ]),
  );
}

async function until(what: string, fn: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe.skipIf(!HAVE_LIBVIRTD)('hot-plug on libvirt (qemu:///session, TCG, real guest)', () => {
  it('adds a disk and a NIC to the running guest and removes them, live and in the definition', async () => {
    const def = buildDefinition({
      name: 'hp',
      cpus: 1,
      memoryBytes: 128n << 20n,
      disks: [join(images, 'guest.raw')],
      nics: [{ network: 'user' }],
    });
    const s = resultOf(await api.systems.define(def, WAIT));
    resultOf(await api.systems.changeState(s.uuid, 'start', WAIT));
    await until(
      'the guest to be ready',
      async () => (await (await host.console('hp')).readLog()).includes(guest.markers.ready),
      90_000,
    );
    const before = await byId(s.uuid);
    const disk: ResourceSetting = {
      cimClass: 'CIM_StorageAllocationSettingData',
      properties: { ResourceType: '17', HostResource: [join(images, 'hot.raw')] },
    };
    const nic: ResourceSetting = {
      cimClass: 'CIM_EthernetPortAllocationSettingData',
      properties: { ResourceType: '10', ResourceSubType: 'e1000', Connection: ['user'] },
    };
    const added = resultOf(await api.systems.addResources(s.uuid, [disk, nic], WAIT));
    expect(added.applied).toBe('live');
    const [diskId, nicId] = added.instanceIds as [string, string];
    // libvirt has them live (the running QEMU) and in the persistent definition.
    expect(await d.virsh(uri, 'domblklist', 'hp')).toContain(join(images, 'hot.raw'));
    expect(await d.virsh(uri, 'dumpxml', '--inactive', 'hp')).toContain(join(images, 'hot.raw'));
    expect((await d.virsh(uri, 'domiflist', 'hp')).trim().split('\n')).toHaveLength(2);
    const after = await byId(s.uuid);
    for (const [id, v] of before) expect(after.get(id)).toBe(v);
    expect(after.get(diskId)).toBe(`17:${join(images, 'hot.raw')}`);
    expect(after.get(nicId)).toMatch(/^10:/);
    // A disk without a Parent, which the writer would put on IDE (cold), went on virtio-blk: its controller is the
    // one resource more. One whose Parent names the IDE controller is refused (below).
    const extra = [...after].filter(([id]) => !before.has(id) && id !== diskId && id !== nicId);
    expect(extra.map(([id, v]) => `${id}=${v.split(':')[0]}`)).toEqual([`virtio-blk-${diskId}=20`]);
    expect((await api.systems.get(s.uuid)).state).toBe('running');
    // Removed again: gone from the running guest and from the definition, the rest as it was.
    resultOf(await api.systems.removeResources(s.uuid, [nicId, diskId], WAIT));
    expect(await d.virsh(uri, 'domblklist', 'hp')).not.toContain('hot.raw');
    expect((await d.virsh(uri, 'domiflist', 'hp')).trim().split('\n')).toHaveLength(1);
    const last = await byId(s.uuid);
    for (const [id, v] of before) expect(last.get(id)).toBe(v);
    expect(last.has(diskId) || last.has(nicId)).toBe(false);
    // Refused, nothing changed: a CD-ROM (not hot-pluggable here), an image outside every pool, an unknown id.
    const cd: ResourceSetting = {
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { ResourceType: '16', HostResource: [join(images, 'hot.raw')] },
    };
    const refused = async (p: Promise<unknown>) => {
      const e = await p.then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(ApiError);
      return (e as ApiError).code;
    };
    expect(await refused(api.systems.addResources(s.uuid, [cd], WAIT).then(resultOf))).toBe('NOT_SUPPORTED');
    // A disk asked for on the IDE controller: QEMU cannot hot-plug IDE, refused naming the bus (not moved).
    const ide = (await api.systems.get(s.uuid)).definition.resources.find(
      (r) => r.properties.ResourceType === '5',
    );
    const onIde = api.systems.addResources(
      s.uuid,
      [{ ...disk, properties: { ...disk.properties, Parent: String(ide!.properties.InstanceID) } }],
      WAIT,
    );
    const e = await onIde.then(resultOf).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('NOT_SUPPORTED');
    expect((e as ApiError).message).toMatch(
      new RegExp(
        `^Cannot attach disk "\\d+" to "hp" while it runs: QEMU cannot hot-plug a disk on IDE \\(controller "${ide!.properties.InstanceID}"\\)`,
      ),
    );
    expect(await d.virsh(uri, 'domblklist', 'hp')).not.toContain('hot.raw');
    const outside = join(dir, 'outside.raw');
    writeFileSync(outside, Buffer.alloc(1 << 20));
    expect(
      await refused(
        api.systems
          .addResources(
            s.uuid,
            [{ ...disk, properties: { ...disk.properties, HostResource: [outside] } }],
            WAIT,
          )
          .then(resultOf),
      ),
    ).toBe('PATH_OUTSIDE_POOL');
    expect(await refused(api.systems.removeResources(s.uuid, ['no-such-id'], WAIT).then(resultOf))).toMatch(
      /NOT_FOUND|INVALID/,
    );
    expect(await d.virsh(uri, 'domblklist', 'hp')).not.toContain('outside.raw');
    const end = await byId(s.uuid);
    expect([...end.keys()].sort()).toEqual([...last.keys()].sort());
  }, 300_000);
});
