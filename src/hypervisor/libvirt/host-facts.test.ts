import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { type Api, resultOf } from '../../api/index.js';
import { Host, openSession } from '../../host/index.js';
import { buildDefinition, type ResourceSetting } from '../../model/index.js';

/**
 * What libvirt has no element for is kept in Vessel's `<metadata>`: the disk mode, and each resource's InstanceID
 * (so a definition read back, after a disk is added or removed, has the resources it had plus or minus those, by
 * InstanceID). Through a host on a private libvirtd's test driver; virsh sees the same domain.
 */
const WAIT = { waitMs: Number.POSITIVE_INFINITY };
let d: PrivateLibvirtd;
let dir: string;
let host: Host;
let api: Api;
let images: string;

beforeAll(async () => {
  d = await startLibvirtd();
  dir = mkdtempSync(join(tmpdir(), 'vessel-libvirt-facts-'));
  host = await Host.open({
    stateDir: join(dir, 'state'),
    driverUri: `libvirt:test:///default?socket=${d.socket}`,
  });
  api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
  images = join(dir, 'state', 'images');
  for (const f of ['a.raw', 'b.raw', 'c.raw']) writeFileSync(join(images, f), Buffer.alloc(1 << 20));
}, 60_000);
afterAll(async () => {
  await api?.close();
  await host?.close();
  await d?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The resources of a system by InstanceID: type and image. */
async function byId(ref: string): Promise<Map<string, string>> {
  const { definition } = await api.systems.get(ref);
  const ids = definition.resources.map((r) => String(r.properties.InstanceID));
  expect(new Set(ids).size).toBe(ids.length); // no InstanceID twice
  return new Map(
    definition.resources.map((r) => [
      String(r.properties.InstanceID),
      `${r.properties.ResourceType}:${r.properties.HostResource?.[0] ?? ''}:${r.properties.Parent ?? ''}`,
    ]),
  );
}

describe.skipIf(!HAVE_LIBVIRTD)('host facts in the domain XML (libvirt test driver)', () => {
  it('keeps the disk mode through define and get, and virsh shows it in the metadata', async () => {
    const def = buildDefinition({
      name: 'dm',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: [join(images, 'a.raw')],
      diskMode: 'direct',
    });
    const s = resultOf(await api.systems.define(def, WAIT));
    expect((await api.systems.get(s.uuid)).definition.system.DiskMode).toBe('direct');
    expect(await d.virsh(d.testUri, 'dumpxml', 'dm')).toMatch(/<vessel:disk-mode value=["']direct["']\/>/);
    // The default mode is no fact: a redefine without it leaves none behind.
    const { definition } = await api.systems.get(s.uuid);
    delete definition.system.DiskMode;
    resultOf(await api.systems.define(definition, WAIT));
    expect((await api.systems.get(s.uuid)).definition.system.DiskMode).toBeUndefined();
    expect(await d.virsh(d.testUri, 'dumpxml', 'dm')).not.toContain('disk-mode');
  });

  it('a disk and a NIC added, then a disk removed: the resources before plus or minus those, by InstanceID', async () => {
    const def = buildDefinition({
      name: 'ids',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: [join(images, 'b.raw')],
      diskBus: 'scsi',
      nics: [{ network: 'user' }],
    });
    const s = resultOf(await api.systems.define(def, WAIT));
    const before = await byId(s.uuid);
    const scsi = [...before].find(([, v]) => v.startsWith('6:'))![0];
    const disk: ResourceSetting = {
      cimClass: 'CIM_StorageAllocationSettingData',
      properties: { ResourceType: '17', HostResource: [join(images, 'c.raw')], Parent: scsi },
    };
    const nic: ResourceSetting = {
      cimClass: 'CIM_EthernetPortAllocationSettingData',
      properties: { ResourceType: '10', ResourceSubType: 'e1000', Connection: ['user'] },
    };
    const added = resultOf(await api.systems.addResources(s.uuid, [disk, nic], WAIT));
    expect(added.instanceIds).toHaveLength(2);
    const after = await byId(s.uuid);
    expect([...after.keys()].sort()).toEqual([...before.keys(), ...added.instanceIds].sort());
    for (const [id, v] of before) expect(after.get(id)).toBe(v);
    expect(after.get(added.instanceIds[0]!)).toBe(`17:${join(images, 'c.raw')}:${scsi}`);
    expect(after.get(added.instanceIds[1]!)).toMatch(/^10:/);
    // The first disk goes; the one added keeps its InstanceID although its target name moves up (sdb -> sda).
    const first = [...before].find(([, v]) => v.startsWith('17:'))![0];
    resultOf(await api.systems.removeResources(s.uuid, [first], WAIT));
    const last = await byId(s.uuid);
    expect([...last.keys()].sort()).toEqual([...after.keys()].filter((k) => k !== first).sort());
    for (const [id, v] of last) expect(v).toBe(after.get(id));
  });

  it('reads hostile or stale metadata from another tool without giving two resources one InstanceID', async () => {
    const file = join(dir, 'hostile.xml');
    const ids = [
      '<vessel:id key="cpu" instance="7"/>',
      '<vessel:id key="memory" instance="7"/>', // the same InstanceID twice
      '<vessel:id key="disk:vda" instance="1"/>', // a number the reader gave another resource
      '<vessel:id key="disk:vdz" instance="99"/>', // no such device
      `<vessel:id key="nic:0" instance="${'x'.repeat(300)}"/>`, // too long: ignored
      '<vessel:disk-mode value="sideways"/>', // not a mode: kept, and refused when used
      ...Array.from({ length: 5000 }, (_, i) => `<vessel:id key="k${i}" instance="${i}"/>`),
    ];
    writeFileSync(
      file,
      `<domain type='test'><name>hostile</name><metadata><vessel:system xmlns:vessel="urn:x-vessel:libvirt:1">${ids.join('')}</vessel:system></metadata><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices><disk type='file' device='disk'><source file='${join(images, 'a.raw')}'/><target dev='vda' bus='virtio'/></disk><interface type='user'><model type='virtio'/></interface></devices></domain>`,
    );
    await d.virsh(d.testUri, 'define', file);
    const got = await api.systems.get('hostile');
    const all = got.definition.resources.map((r) => String(r.properties.InstanceID));
    expect(new Set(all).size).toBe(all.length);
    const type = (t: string) =>
      got.definition.resources.find((r) => r.properties.ResourceType === t)?.properties.InstanceID;
    expect(type('3')).toBe('7');
    expect(type('17')).toBe('1');
    expect(type('10')?.length).toBeLessThan(300);
    expect(got.definition.system.DiskMode).toBe('sideways');
    // The disk's Parent follows its controller's InstanceID.
    const disk = got.definition.resources.find((r) => r.properties.ResourceType === '17')!;
    expect(all).toContain(disk.properties.Parent);
  });
});
