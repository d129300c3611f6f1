import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { type Api, resultOf } from '../../api/index.js';
import { buildGuestPackage, Host, openSession } from '../../host/index.js';
import { ensureTestGuest, type TestGuest } from '../guest.js';

/**
 * Deploy and export through libvirt's QEMU driver (qemu:///session of a private libvirtd, TCG): the deploy's
 * images become volumes of libvirt's `vessel` dir pool (uploaded over the connection), the domain is defined and
 * the test guest boots from them and prints its markers; the export downloads the volumes and writes an OVA that
 * `vessel ova verify` accepts.
 */
let work: string;
let guest: TestGuest;
let d: PrivateLibvirtd;
let poolDir: string;
let ova: string;

beforeAll(async () => {
  guest = await ensureTestGuest();
  work = mkdtempSync(join(tmpdir(), 'vessel-libvirt-deploy-'));
  chmodSync(work, 0o755);
  ova = await buildGuestPackage({ disk: guest.disk, out: join(work, 'guest.ova'), name: 'lvguest' });
  d = await startLibvirtd();
  poolDir = join(work, 'pool');
  mkdirSync(poolDir);
  const owner = statSync(d.dir);
  chownSync(poolDir, owner.uid, owner.gid);
  const uri = `qemu+unix:///session?socket=${d.socket}`;
  await d.virsh(uri, 'pool-define-as', 'vessel', 'dir', '--target', poolDir);
  await d.virsh(uri, 'pool-start', 'vessel');
}, 180_000);

afterAll(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe.skipIf(!HAVE_LIBVIRTD)('deploy and export through libvirt (qemu:///session, TCG)', () => {
  it('deploys the test OVA into the libvirt pool, boots it to its marker, exports an OVA ova verify accepts', async () => {
    const state = join(work, 'state');
    const host = await Host.open({
      stateDir: state,
      driverUri: `libvirt:qemu:///session?socket=${d.socket}`,
    });
    const api: Api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
    try {
      // The admin names libvirt's pool folder as a Vessel pool too, so the host's image checks take its volumes.
      host.pools.add('libvirt', poolDir);
      const job = await api.packages.deploy(
        { kind: 'hostPath', path: ova },
        {
          name: 'lv1',
          networks: { 'VM Network': 'user' },
          powerOn: true,
          acceptEula: true,
          waitMs: 90_000,
        },
      );
      expect(job.error).toBeUndefined();
      expect(job.state).toBe('completed');
      const uuid = job.result!.systems[0]!.uuid;
      // The images are libvirt volumes now, not files of the host's folder.
      const vols = readdirSync(poolDir);
      expect(vols.some((v) => v.startsWith(`${uuid}-image-`) && v.endsWith('.qcow2'))).toBe(true);
      const xml = await d.virsh(`qemu+unix:///session?socket=${d.socket}`, 'dumpxml', 'lv1');
      expect(xml).toContain(`<source file='${join(poolDir, `${uuid}-image-`)}`);
      expect(xml).toMatch(/<driver name='qemu' type='qcow2'\/>/);
      expect(readdirSync(join(state, 'vms', uuid)).filter((f) => f.endsWith('.qcow2'))).toEqual([]);
      // The guest boots from the volume, reads its OVF environment CD and prints `done`, then powers off.
      const log = await until(
        'the guest marker',
        async () => {
          const c = await host.console('lv1');
          const text = await c.readLog();
          return text.includes(guest.markers.done) ? text : undefined;
        },
        120_000,
      );
      expect(log).toContain(guest.markers.up);
      await until(
        'the guest to power off',
        async () => ((await api.systems.get('lv1')).state === 'stopped' ? true : undefined),
        60_000,
      );
      const out = join(work, 'lv1-export.ova');
      const ex = await api.packages.export('lv1', {
        destination: { kind: 'hostPath', path: out },
        format: 'ova',
        waitMs: 60_000,
      });
      expect(ex.error).toBeUndefined();
      expect(existsSync(out)).toBe(true);
      // The downloaded copies are gone again.
      expect(readdirSync(join(state, 'vms', uuid)).filter((f) => f.startsWith('export-'))).toEqual([]);
      const v = await runCli(['ova', 'verify', out, '--json']);
      expect(v.stderr).toBe('');
      expect(v.code).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({ intact: true });
      // Undefining the deployed system deletes the volumes its deploy uploaded (libvirt forgets them too).
      const volumes = readdirSync(poolDir).filter((f) => f.startsWith(`${uuid}-`));
      expect(volumes.length).toBeGreaterThan(0);
      resultOf(await api.systems.undefine('lv1', { waitMs: 60_000 }));
      expect(readdirSync(poolDir).filter((f) => f.startsWith(`${uuid}-`))).toEqual([]);
      const listed = await d.virsh(`qemu+unix:///session?socket=${d.socket}`, 'vol-list', 'vessel');
      for (const v of volumes) expect(listed).not.toContain(v);
    } finally {
      await api.close();
      await host.close({ stopVms: true });
    }
  }, 300_000);

  it('a deploy whose define fails leaves no volume in the pool', async () => {
    const state = join(work, 'state-fail');
    const host = await Host.open({
      stateDir: state,
      driverUri: `libvirt:qemu:///session?socket=${d.socket}`,
    });
    const api: Api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
    try {
      host.pools.add('libvirt', poolDir);
      // virsh takes the name first, behind the host's back: the deploy's checks pass, libvirt's define refuses.
      const uri = `qemu+unix:///session?socket=${d.socket}`;
      const xml = join(work, 'taken.xml');
      writeFileSync(
        xml,
        "<domain type='qemu'><name>lvtaken</name><memory unit='MiB'>32</memory><os><type>hvm</type></os></domain>",
      );
      await d.virsh(uri, 'define', xml);
      const before = readdirSync(poolDir).sort();
      const listedBefore = await d.virsh(uri, 'vol-list', 'vessel');
      const job = await api.packages.deploy(
        { kind: 'hostPath', path: ova },
        { name: 'lvtaken', networks: { 'VM Network': 'user' }, acceptEula: true, waitMs: 90_000 },
      );
      expect(job.state).toBe('failed');
      // Refused by libvirt's define (after the upload), not by the host's own name check (before it).
      expect(job.error?.message).toBe('Cannot define "lvtaken": a virtual system with that name exists');
      expect(readdirSync(poolDir).sort()).toEqual(before);
      expect(await d.virsh(uri, 'vol-list', 'vessel')).toBe(listedBefore);
      await d.virsh(uri, 'undefine', 'lvtaken');
    } finally {
      await api.close();
      await host.close();
    }
  }, 180_000);
});
