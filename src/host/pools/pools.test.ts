import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition, type VesselError } from '../../model/index.js';
import { Host } from '../host.js';
import { MAX_POOLS_FILE_BYTES, POOLS_FILE, parsePoolsFile } from './file.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-pools-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const open = (stateDir = join(root, `s${n++}`)) => Host.open({ stateDir, driverUri: 'test:///default' });

/** The code and message of what `fn` throws. */
function thrown(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (e) {
    return [(e as VesselError).code, (e as VesselError).message];
  }
  return ['accepted', ''];
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('storage pools of a host', () => {
  it('creates the default pool STATE/images on first start, in a pools file of mode 0600', async () => {
    const state = join(root, 'fresh');
    const host = await open(state);
    const file = join(state, POOLS_FILE);
    expect(mode(file)).toBe(0o600);
    expect(statSync(join(state, 'images')).isDirectory()).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      version: 1,
      pools: [{ name: 'default', path: join(state, 'images'), allowDevices: false }],
    });
    writeFileSync(join(state, 'images', 'a.raw'), 'x');
    writeFileSync(join(state, 'images', 'b.iso'), 'y');
    mkdirSync(join(state, 'images', 'sub'));
    const [d] = host.pools.list();
    expect(d).toMatchObject({ name: 'default', available: true, images: 2, allowDevices: false });
    expect(d!.capacityBytes).toBeGreaterThan(0);
    expect(d!.usedBytes! + d!.freeBytes!).toBeLessThanOrEqual(d!.capacityBytes!);
    await host.close();
  });

  it('adds, lists and removes pools; they persist across a restart with the file still 0600', async () => {
    const state = join(root, 'persist');
    const dir = join(root, 'iso-store');
    mkdirSync(dir);
    const host = await open(state);
    const added = host.pools.add('iso', dir);
    expect(added).toMatchObject({ name: 'iso', path: dir, allowDevices: false, images: 0, available: true });
    mkdirSync(join(root, 'devs'));
    host.pools.add('dev', `${dir}/../iso-store/./../devs`, { allowDevices: true });
    expect(mode(join(state, POOLS_FILE))).toBe(0o600);
    await host.close();
    const again = await open(state);
    expect(again.pools.all.map((p) => [p.name, p.path, p.allowDevices])).toEqual([
      ['default', join(state, 'images'), false],
      ['iso', dir, false],
      ['dev', join(root, 'devs'), true],
    ]);
    again.pools.remove('dev', []);
    again.pools.remove('default', []);
    expect(again.pools.all.map((p) => p.name)).toEqual(['iso']);
    await again.close();
    // The file exists, so a restart does not bring the default pool back.
    const third = await open(state);
    expect(third.pools.all.map((p) => p.name)).toEqual(['iso']);
    await third.close();
  });

  it('refuses malformed pool names and folders, and taken ones', async () => {
    const state = join(root, 'bad');
    const host = await open(state);
    const ok = join(root, 'ok');
    mkdirSync(ok);
    writeFileSync(join(root, 'a-file'), '');
    symlinkSync(ok, join(root, 'ok-link'));
    host.pools.add('ok', ok);
    const names = ['', 'a/b', '../x', 'x'.repeat(65), '-x', '.hidden', 'a b', 'naïve', 'a\0b', 'a:b'];
    for (const name of names)
      expect(thrown(() => host.pools.add(name, ok))[0], JSON.stringify(name)).toBe('POOL_INVALID');
    const folders: [string, string][] = [
      ['relative/dir', 'the path is relative'],
      ['/', 'it is the root of the file system'],
      ['/proc/self', 'it lies in /proc, a kernel file system'],
      ['/sys', 'it lies in /sys, a kernel file system'],
      [join(root, 'absent'), 'it cannot be resolved (ENOENT)'],
      [join(root, 'a-file'), 'it is not a folder'],
      [state, `it lies in the host's state directory ${state}`],
      [join(state, 'images', '..'), `it lies in the host's state directory ${state}`],
      [`${ok}\0`, 'it is not a usable path'],
    ];
    mkdirSync(join(state, 'vms'), { recursive: true });
    folders.push([join(state, 'vms'), `it lies in the host's state directory ${state}`]);
    for (const [path, why] of folders) {
      const [code, message] = thrown(() => host.pools.add('p', path));
      expect([path, code, message]).toEqual([
        path,
        'POOL_INVALID',
        `Cannot use ${path} as a storage pool: ${why}`,
      ]);
    }
    expect(thrown(() => host.pools.add('ok', join(root, 'iso-store')))).toEqual([
      'POOL_EXISTS',
      'A storage pool named "ok" exists already',
    ]);
    expect(thrown(() => host.pools.add('other', join(root, 'ok-link')))).toEqual([
      'POOL_EXISTS',
      `The folder ${ok} is the storage pool "ok" already`,
    ]);
    expect(thrown(() => host.pools.remove('ghost', []))).toEqual([
      'POOL_NOT_FOUND',
      'No storage pool "ghost"',
    ]);
    expect(host.pools.all.map((p) => p.name)).toEqual(['default', 'ok']);
    await host.close();
  });

  it('refuses to remove a pool while a defined system uses an image in it, naming the system', async () => {
    const host = await open();
    const dir = join(root, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'd.raw'), '');
    host.pools.add('busy', dir);
    await host.define(
      buildDefinition({ name: 'user1', cpus: 1, memoryBytes: 64n << 20n, disks: [join(dir, 'd.raw')] }),
    );
    await host.define(buildDefinition({ name: 'other', cpus: 1, memoryBytes: 64n << 20n }));
    expect(thrown(() => host.pools.remove('busy', host.store.listVms()))).toEqual([
      'POOL_IN_USE',
      'Cannot remove the storage pool "busy": "user1" (drive "4") uses an image in it',
    ]);
    // An image another pool also holds does not keep a pool in use.
    host.pools.add('outer', root);
    host.pools.remove('busy', host.store.listVms());
    expect(thrown(() => host.pools.remove('outer', host.store.listVms()))[0]).toBe('POOL_IN_USE');
    await host.undefine('user1');
    host.pools.remove('outer', host.store.listVms());
    expect(host.pools.all.map((p) => p.name)).toEqual(['default']);
    await host.close();
  });

  it('refuses to start on a damaged or hostile pools file, naming it', async () => {
    const bad: [string, string][] = [
      ['{', 'is not usable: '],
      ['[]', 'it is not a JSON object'],
      ['{"version":2,"pools":[]}', 'version 2 is not 1'],
      ['{"version":1}', '"pools" is not an array'],
      [
        '{"version":1,"pools":[{"name":"a","path":"rel","allowDevices":false}]}',
        'pools[0].path is not an absolute path',
      ],
      [
        '{"version":1,"pools":[{"name":"../a","path":"/x","allowDevices":false}]}',
        'pools[0].name is not a pool name',
      ],
      [
        '{"version":1,"pools":[{"name":"a","path":"/x","allowDevices":"yes"}]}',
        'pools[0].allowDevices is not true or false',
      ],
      [
        '{"version":1,"pools":[{"name":"a","path":"/x","allowDevices":false,"x":1}]}',
        'pools[0] has unknown fields: x',
      ],
      [
        '{"version":1,"pools":[{"name":"a","path":"/x","allowDevices":false},{"name":"a","path":"/y","allowDevices":false}]}',
        'the pool "a" appears twice',
      ],
    ];
    for (const [text, why] of bad) {
      const state = join(root, `damaged${n++}`);
      mkdirSync(state);
      writeFileSync(join(state, POOLS_FILE), text);
      const e = (await open(state).catch((x: unknown) => x)) as VesselError;
      expect([text, e.code], e.message).toEqual([text, 'POOL_INVALID']);
      expect(e.message).toContain(`The pools file ${join(state, POOLS_FILE)} is not usable`);
      expect(e.message).toContain(why);
    }
    const state = join(root, 'huge');
    mkdirSync(state);
    writeFileSync(join(state, POOLS_FILE), Buffer.alloc(MAX_POOLS_FILE_BYTES + 1, 0x20));
    const e = (await open(state).catch((x: unknown) => x)) as VesselError;
    expect([e.code, e.message]).toEqual([
      'POOL_INVALID',
      `The pools file ${join(state, POOLS_FILE)} is not usable: it holds ${MAX_POOLS_FILE_BYTES + 1} bytes`,
    ]);
    expect(thrown(() => parsePoolsFile(' '.repeat(MAX_POOLS_FILE_BYTES + 1), 'f'))[1]).toContain(
      'larger than',
    );
  });
});
