import { execFileSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition, type VesselError } from '../../model/index.js';
import { DEPLOY_MARKER } from '../deploy/staging.js';
import { Host } from '../host.js';

// The pool check on a real host (SQLite store, test driver), for any caller: the host's define, start and
// export paths are what the socket API, the CLI and CIM all go through.

const root = mkdtempSync(join(tmpdir(), 'vessel-poolcheck-'));
const pool = join(root, 'pool');
const devPool = join(root, 'devices');
const outside = join(root, 'outside');
const canary = join(outside, 'canary.raw');
let host: Host;
let socketServer: Server;

beforeAll(async () => {
  for (const d of [pool, devPool, outside]) mkdirSync(d);
  writeFileSync(canary, 'CANARY-SECRET\n');
  writeFileSync(join(pool, 'good.raw'), '');
  writeFileSync(join(pool, 'cd.iso'), '');
  symlinkSync(join(pool, 'good.raw'), join(pool, 'inner-link.raw'));
  symlinkSync('/etc/passwd', join(pool, 'evil-link.raw'));
  linkSync(canary, join(pool, 'hard.raw'));
  execFileSync('mkfifo', [join(pool, 'fifo.raw')]);
  execFileSync('mknod', [join(pool, 'null.raw'), 'c', '1', '3']);
  execFileSync('mknod', [join(pool, 'loop.raw'), 'b', '7', '0']);
  execFileSync('mknod', [join(devPool, 'loop.raw'), 'b', '7', '0']);
  mkdirSync(join(pool, 'folder.raw'));
  execFileSync('qemu-img', [
    'create',
    '-q',
    '-f',
    'qcow2',
    '-b',
    canary,
    '-F',
    'raw',
    join(pool, 'child.qcow2'),
  ]);
  socketServer = createServer();
  await new Promise<void>((r) => socketServer.listen(join(pool, 'sock.raw'), r));
  host = await Host.open({ stateDir: join(root, 'state'), driverUri: 'test:///default' });
  host.pools.add('lab', pool);
  host.pools.add('devices', devPool, { allowDevices: true });
});
afterAll(async () => {
  socketServer.close();
  await host.close();
  rmSync(root, { recursive: true, force: true });
});

const def = (name: string, disks: string[], cdroms: string[] = []) =>
  buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n, disks, cdroms });

/** What define answers: `accepted`, or the error's code and message. */
async function define(name: string, disks: string[], cdroms: string[] = []) {
  return host.define(def(name, disks, cdroms)).then(
    () => ({ code: 'accepted', message: '', hint: '' }),
    (e: VesselError) => ({ code: e.code, message: e.message, hint: e.hint ?? '' }),
  );
}

describe('images an admin names must lie in a storage pool', () => {
  it('defines systems whose disks and CDs lie in a pool, through symlinks that stay inside', async () => {
    const iso = join(host.pools.all[0]!.path, 'install.iso');
    writeFileSync(iso, '');
    expect(await define('ok1', [join(pool, 'good.raw')], [iso])).toMatchObject({ code: 'accepted' });
    expect(await define('ok2', [join(pool, 'inner-link.raw')])).toMatchObject({ code: 'accepted' });
    expect(await define('ok3', [join(devPool, 'loop.raw')])).toMatchObject({ code: 'accepted' });
  });

  it('refuses each hostile path with its code, naming the drive and the path', async () => {
    const cases: [string, string, string][] = [
      ['/etc/passwd', 'IMAGE_OUTSIDE_POOLS', 'is outside every storage pool: /etc/passwd'],
      ['file:///etc/shadow', 'IMAGE_OUTSIDE_POOLS', 'is outside every storage pool: /etc/shadow'],
      [canary, 'IMAGE_OUTSIDE_POOLS', `is outside every storage pool: ${canary}`],
      [`${pool}/../outside/canary.raw`, 'IMAGE_OUTSIDE_POOLS', 'is outside every storage pool'],
      [`${pool}/../../../../../../../etc/passwd`, 'IMAGE_OUTSIDE_POOLS', 'is outside every storage pool'],
      [
        join(pool, 'evil-link.raw'),
        'IMAGE_OUTSIDE_POOLS',
        `is outside every storage pool (it resolves to /etc/passwd): ${join(pool, 'evil-link.raw')}`,
      ],
      ['/dev/loop0', 'IMAGE_OUTSIDE_POOLS', 'is outside every storage pool: /dev/loop0'],
      ['/dev/null', 'IMAGE_OUTSIDE_POOLS', 'is outside every storage pool: /dev/null'],
      [join(outside, 'absent.raw'), 'IMAGE_OUTSIDE_POOLS', 'is outside every storage pool'],
      [`${pool}/bad\0name`, 'IMAGE_OUTSIDE_POOLS', 'is outside every storage pool'],
      [join(pool, 'fifo.raw'), 'IMAGE_DEVICE', `is a FIFO, not an image file: ${join(pool, 'fifo.raw')}`],
      [join(pool, 'null.raw'), 'IMAGE_DEVICE', 'is a character device, not an image file'],
      [join(pool, 'sock.raw'), 'IMAGE_DEVICE', 'is a socket, not an image file'],
      [join(pool, 'folder.raw'), 'IMAGE_DEVICE', 'is a folder, not an image file'],
      [join(pool, 'loop.raw'), 'IMAGE_DEVICE', 'is a block device, and pool "lab" does not allow devices'],
      [join(pool, 'hard.raw'), 'IMAGE_OUTSIDE_POOLS', 'has 2 names (hard links)'],
      [join(pool, 'child.qcow2'), 'IMAGE_REFERENCES', `refers to other files (a backing file "${canary}")`],
      [join(pool, 'absent.raw'), 'FILE_NOT_FOUND', `does not exist: ${join(pool, 'absent.raw')}`],
    ];
    for (const [path, code, text] of cases) {
      const r = await define('bad', [path]);
      expect([path, r.code], r.message).toEqual([path, code]);
      expect(r.message).toContain('Cannot define "bad": the image of drive "4" ');
      expect(r.message).toContain(text);
      if (code === 'IMAGE_OUTSIDE_POOLS' && !text.includes('hard links')) {
        expect(r.hint).toBe(
          `Storage pools: default (${host.pools.all[0]!.path}), lab (${pool}), devices (${devPool}). Copy the image into one, or add its folder: vessel pool add NAME DIR`,
        );
      }
    }
    const cd = await define('badcd', [join(pool, 'good.raw')], ['/etc/passwd']);
    expect([cd.code, cd.message]).toEqual([
      'IMAGE_OUTSIDE_POOLS',
      'Cannot define "badcd": the image of drive "5" is outside every storage pool: /etc/passwd',
    ]);
    expect((await host.list()).map((v) => v.name)).toEqual(['ok1', 'ok2', 'ok3']);
  });

  it('refuses at start an image whose symlink was swapped after define, and at export', async () => {
    const link = join(pool, 'swap.raw');
    symlinkSync(join(pool, 'good.raw'), link);
    expect(await define('swapped', [link])).toMatchObject({ code: 'accepted' });
    unlinkSync(link);
    symlinkSync(canary, link);
    const start = await host.change('swapped', 'start').done.catch((e: VesselError) => e);
    expect([(start as VesselError).code, (start as VesselError).message]).toEqual([
      'IMAGE_OUTSIDE_POOLS',
      `Cannot start "swapped": the image of drive "4" is outside every storage pool (it resolves to ${canary}): ${link}`,
    ]);
    expect(host.get('swapped').state).toBe('stopped');
    const exp = await host
      .exportVm('swapped', { format: 'ova', output: join(root, 'out.ova') })
      .done.catch((e: VesselError) => e);
    expect((exp as VesselError).code).toBe('IMAGE_OUTSIDE_POOLS');
    expect(existsSync(join(root, 'out.ova'))).toBe(false);
    unlinkSync(link);
    execFileSync('mkfifo', [link]);
    const fifo = await host.change('swapped', 'start').done.catch((e: VesselError) => e);
    expect((fifo as VesselError).code).toBe('IMAGE_DEVICE');
    unlinkSync(link);
    symlinkSync(join(pool, 'good.raw'), link);
    expect(await host.change('swapped', 'start').done).toMatchObject({ state: 'running' });
    await host.change('swapped', 'powerOff').done;
  });

  it('checks a redefinition (what CIM ModifyResourceSettings does) and keeps the old definition', async () => {
    const vm = host.get('ok2');
    const next = structuredClone(vm.definition);
    const disk = next.resources.find((r) => r.properties.ResourceType === '17')!;
    disk.properties.HostResource = ['/etc/shadow'];
    const r = (await host.define(next).catch((e: VesselError) => e)) as VesselError;
    expect([r.code, r.message]).toEqual([
      'IMAGE_OUTSIDE_POOLS',
      'Cannot change "ok2": the image of drive "4" is outside every storage pool: /etc/shadow',
    ]);
    expect(host.get('ok2').definition).toEqual(vm.definition);
  });

  it('lets a deployed system use its own folder, and no other system reach into it', async () => {
    const vm = await host.define(def('deployed', [join(pool, 'good.raw')]));
    const own = join(root, 'state', 'vms', vm.uuid);
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, 'disk-1.qcow2'), '');
    const redefine = structuredClone(host.get(vm.uuid).definition);
    redefine.resources.find((r) => r.properties.ResourceType === '17')!.properties.HostResource = [
      join(own, 'disk-1.qcow2'),
    ];
    // Not marked as deployed: the folder is no exception.
    expect(((await host.define(redefine).catch((e) => e)) as VesselError).code).toBe('IMAGE_OUTSIDE_POOLS');
    writeFileSync(join(own, DEPLOY_MARKER), `${process.pid}\n`);
    await host.define(redefine);
    expect(await host.change('deployed', 'start').done).toMatchObject({ state: 'running' });
    await host.change('deployed', 'powerOff').done;
    const thief = await define('thief', [join(own, 'disk-1.qcow2')]);
    expect(thief.code).toBe('IMAGE_OUTSIDE_POOLS');
    const uuidThief = def('thief2', [join(own, 'disk-1.qcow2')]);
    uuidThief.system.VirtualSystemIdentifier = '00000000-0000-4000-8000-000000000001';
    expect(((await host.define(uuidThief).catch((e) => e)) as VesselError).code).toBe('IMAGE_OUTSIDE_POOLS');
  });

  it("refuses the host's own files even when a pool holds the state directory", async () => {
    host.pools.add('wide', root);
    const state = join(root, 'state');
    const files = [
      join(state, 'vessel.db'),
      join(state, 'pools.json'),
      join(state, 'vms'),
      join(state, 'absent'),
    ];
    for (const file of files) {
      const r = await define('own', [file]);
      expect([file, r.code, r.message]).toEqual([
        file,
        'IMAGE_OUTSIDE_POOLS',
        `Cannot define "own": the image of drive "4" lies in the host's state directory: ${file}`,
      ]);
    }
    writeFileSync(join(outside, 'plain.raw'), '');
    expect(await define('wide1', [join(outside, 'plain.raw')])).toMatchObject({ code: 'accepted' });
    await host.undefine('wide1');
    host.pools.remove('wide', host.store.listVms());
  });

  it.skipIf(!canUseLoopDevices())(
    'probes a block device in a device pool by its content: a qcow2 header a guest wrote is refused',
    async () => {
      const img = join(root, 'device-content.qcow2');
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', canary, '-F', 'raw', img]);
      execFileSync('truncate', ['-s', '1M', img]);
      const loop = execFileSync('losetup', ['-f', '--show', '--read-only', img], { encoding: 'utf8' }).trim();
      try {
        const [major, minor] = execFileSync('stat', ['-c', '%t %T', loop], { encoding: 'utf8' })
          .trim()
          .split(' ')
          .map((h) => String(Number.parseInt(h, 16)));
        execFileSync('mknod', [join(devPool, 'written.raw'), 'b', major!, minor!]);
        const r = await define('devref', [join(devPool, 'written.raw')]);
        expect([r.code, r.message]).toEqual([
          'IMAGE_REFERENCES',
          `Cannot define "devref": the image of drive "4" refers to other files (a backing file "${canary}"): ${join(devPool, 'written.raw')}`,
        ]);
      } finally {
        execFileSync('losetup', ['-d', loop]);
      }
    },
  );
});

/** Whether this machine lets the test attach loop devices (root, and a free loop device). */
function canUseLoopDevices(): boolean {
  try {
    execFileSync('losetup', ['-f'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}
