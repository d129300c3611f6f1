import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { buildDefinition } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { openDriver } from '../index.js';
import { type LibvirtDriver, PENDING_VOLUMES_FILE } from './driver.js';

/**
 * A volume upload cut by the loss of libvirtd (SIGSTOP while the bytes flow, then SIGKILL): the volume was
 * recorded in the host's journal before it was created, so the driver deletes it once libvirtd is back; and the
 * journal of a run that ended mid-upload is swept when the next driver opens. A tampered journal cannot steer
 * a delete outside Vessel's pools, and a volume a domain uses is kept.
 */
let d: PrivateLibvirtd;
let work: string;
let state: string;
let pool: string;
let other: string;
let uri: string;

beforeAll(async () => {
  if (!HAVE_LIBVIRTD) return;
  d = await startLibvirtd();
  uri = `qemu+unix:///session?socket=${d.socket}`;
  work = mkdtempSync(join(tmpdir(), 'vessel-libvirt-loss-'));
  chmodSync(work, 0o755);
  state = join(work, 'state');
  pool = join(work, 'pool');
  other = join(work, 'other');
  const owner = statSync(d.dir);
  for (const p of [state, pool, other]) {
    mkdirSync(p);
    chownSync(p, owner.uid, owner.gid);
  }
  for (const [name, dir] of [
    ['vessel', pool],
    ['other', other],
  ] as const) {
    await d.virsh(uri, 'pool-define-as', name, 'dir', '--target', dir);
    await d.virsh(uri, 'pool-start', name);
    await d.virsh(uri, 'pool-autostart', name);
  }
}, 60_000);
afterAll(async () => {
  await d?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const journal = () => JSON.parse(readFileSync(join(state, PENDING_VOLUMES_FILE), 'utf8')) as unknown[];
const volumes = async (p = 'vessel') =>
  (await d.virsh(uri, 'vol-list', p))
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n): n is string => n !== undefined && n !== '');

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.skipIf(!HAVE_LIBVIRTD)('a volume upload cut by the loss of libvirtd', () => {
  it('is recorded before its volume exists and deleted once libvirtd is back', async () => {
    const driver = (await openDriver(`libvirt:${uri}`, { stateDir: state })) as LibvirtDriver;
    try {
      const big = join(work, 'disk1.raw');
      const fd = openSync(big, 'w');
      ftruncateSync(fd, 512 << 20); // sparse: the upload reads 512 MiB of zeros
      closeSync(fd);
      const uuid = '6f1c4e0a-8d0b-4a53-9a43-0c1f1e2d3c4b';
      const name = `${uuid}-disk1.raw`;
      const upload = driver.importImages(uuid, [big]).then(
        () => undefined,
        (e: unknown) => e,
      );
      // The volume exists (created, bytes flowing): the daemon freezes, then dies.
      await until('the volume to be created', () => existsSync(join(pool, name)));
      process.kill(d.pid, 'SIGSTOP');
      expect(journal()).toEqual([{ pool: 'vessel', name }]);
      await d.kill('SIGKILL');
      const e = await upload;
      expect(e).toBeInstanceOf(HypervisorError);
      expect((e as HypervisorError).code).toBe('LIBVIRT_DISCONNECTED');
      expect(existsSync(join(pool, name))).toBe(true); // what the cut left
      await d.restart();
      await until('the reconnect', () => driver.connectionStatus().reconnects >= 1);
      await until('the sweep', async () => !(await volumes()).includes(name));
      expect(existsSync(join(pool, name))).toBe(false);
      await until('the journal to be empty', () => journal().length === 0);
    } finally {
      await driver.close();
    }
  }, 120_000);

  it('is deleted when only the connection is cut (libvirtd alive, still closing the stream)', async () => {
    // A unix-socket proxy in front of the daemon: the test cuts every connection through it mid-upload.
    const proxied = join(work, 'proxy.sock');
    const open = new Set<Socket>();
    const proxy = createServer((c) => {
      const up = createConnection(d.socket);
      for (const s of [c, up]) {
        open.add(s);
        s.on('close', () => open.delete(s));
        s.on('error', () => undefined);
      }
      c.pipe(up).pipe(c);
    });
    await new Promise<void>((resolve) => proxy.listen(proxied, resolve));
    const driver = (await openDriver(`libvirt:qemu+unix:///session?socket=${proxied}`, {
      stateDir: state,
    })) as LibvirtDriver;
    try {
      const big = join(work, 'disk2.raw');
      const fd = openSync(big, 'w');
      ftruncateSync(fd, 512 << 20);
      closeSync(fd);
      const uuid = '6f1c4e0a-8d0b-4a53-9a43-0c1f1e2d3c4c';
      const name = `${uuid}-disk2.raw`;
      const upload = driver.importImages(uuid, [big]).then(
        () => undefined,
        (e: unknown) => e,
      );
      await until('the volume to be created', () => existsSync(join(pool, name)));
      for (const s of open) s.destroy();
      const e = await upload;
      expect((e as HypervisorError).code).toBe('LIBVIRT_DISCONNECTED');
      await until('the reconnect', () => driver.connectionStatus().reconnects >= 1);
      await until('the sweep', async () => !(await volumes()).includes(name));
      await until('the journal to be empty', () => journal().length === 0);
    } finally {
      await driver.close();
      proxy.close();
    }
  }, 120_000);

  it("sweeps a previous run's journal at open, keeping a volume its domain uses and ignoring tampered entries", async () => {
    const left = 'a0b1c2d3-0000-4000-8000-000000000001-left.raw';
    const used = 'a0b1c2d3-0000-4000-8000-000000000002-used.raw';
    for (const v of [left, used]) await d.virsh(uri, 'vol-create-as', 'vessel', v, '1M');
    await d.virsh(uri, 'vol-create-as', 'other', 'victim.raw', '1M');
    await d.virsh(uri, 'vol-create-as', 'vessel', 'kept.raw', '1M');
    // A system whose upload had finished when the run ended: its domain names the volume.
    const first = (await openDriver(`libvirt:${uri}`, { stateDir: state })) as LibvirtDriver;
    const def = buildDefinition({
      name: 'keeper',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: [join(pool, used)],
    });
    def.system.VirtualSystemIdentifier = 'a0b1c2d3-0000-4000-8000-000000000002';
    await first.define(def);
    await first.close();
    writeFileSync(
      join(state, PENDING_VOLUMES_FILE),
      JSON.stringify([
        { pool: 'vessel', name: left },
        { pool: 'vessel', name: used },
        { pool: 'other', name: 'victim.raw' }, // not one of Vessel's pools
        { pool: 'vessel', name: '../kept.raw' }, // not a volume name
        { pool: 'vessel' },
        'kept.raw',
      ]),
    );
    const driver = (await openDriver(`libvirt:${uri}`, { stateDir: state })) as LibvirtDriver;
    try {
      const now = await volumes();
      expect(now).not.toContain(left);
      expect(now).toEqual(expect.arrayContaining([used, 'kept.raw']));
      expect(await volumes('other')).toEqual(['victim.raw']);
      expect(journal()).toEqual([]);
      // A journal that is not JSON opens too (nothing to sweep from it).
      writeFileSync(join(state, PENDING_VOLUMES_FILE), '{"pool":');
      const again = (await openDriver(`libvirt:${uri}`, { stateDir: state })) as LibvirtDriver;
      expect(await again.sweepVolumes()).toBe(0);
      await again.close();
    } finally {
      await driver.close();
    }
  }, 60_000);
});
