import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';

// `vessel --connect rest+http://...` against a served host for what REST carries since the metadata, statistics,
// network and pool routes: `vm metadata`, `net define|remove`, `pool add|remove`, `vm stats`; none exits 4.

let served: ServedHost | undefined;
let port: number;
let dir: string;
const rest = (user: string, password: string, args: string[]) =>
  runCli(['--connect', `rest+http://${user}@127.0.0.1:${port}`, ...args], {
    env: { VESSEL_PASSWORD: password },
  });
const admin = (...args: string[]) => rest('admin', 'secret', args);
const local = (...args: string[]) => runCli([...args, '--state', served?.state ?? '']);

beforeAll(async () => {
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'vessel-mrest-'));
  served = await serveHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
    args: ['--cim-http', '0', '--cim-https', '0', '--http', String(port), '--metrics-interval', '1'],
    ready: 'REST:',
    prefix: 'vessel-mrest-',
  });
}, 60_000);

afterAll(async () => {
  await served?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vessel --connect rest+http:// vm metadata, net, pool, vm stats', { timeout: 180_000 }, () => {
  it('vm metadata sets, lists, prints and removes keys (admins), reads for readers, says what is wrong', async () => {
    expect((await local('vm', 'define', '--name', 'm1', '--cpus', '1', '--memory', '64M')).code).toBe(0);
    const set = await admin('vm', 'metadata', 'm1', 'app.role', '--set', 'web');
    expect([set.code, set.stdout, set.stderr]).toEqual([0, 'Set "app.role" of m1\n', '']);
    const long = 'x'.repeat(100);
    expect((await admin('vm', 'metadata', 'm1', 'a/b', '--set', `${long}`)).code).toBe(0);
    expect((await admin('vm', 'metadata', 'm1', 'notes', '--set', 'line 1\nline 2')).code).toBe(0);
    const list = await rest('rita', 'r3ad', ['vm', 'metadata', 'm1']);
    expect([list.code, list.stdout]).toEqual([
      0,
      'a/b       (100 characters)\napp.role  web\nnotes     (13 characters)\n',
    ]);
    const one = await rest('rita', 'r3ad', ['vm', 'metadata', 'm1', 'notes']);
    expect([one.code, one.stdout]).toEqual([0, 'line 1\nline 2\n']);
    const json = await admin('vm', 'metadata', 'm1', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ 'a/b': long, 'app.role': 'web', notes: 'line 1\nline 2' });
    // The host's own view is the same.
    expect(JSON.parse((await local('vm', 'metadata', 'm1', '--json')).stdout)).toEqual(
      JSON.parse(json.stdout),
    );
    const reader = await rest('rita', 'r3ad', ['vm', 'metadata', 'm1', 'k', '--set', 'v']);
    expect([reader.code, reader.stderr]).toEqual([1, expect.stringContaining('admin')]);
    const unset = await admin('vm', 'metadata', 'm1', 'app.role', '--unset', '--json');
    expect([unset.code, JSON.parse(unset.stdout)]).toEqual([0, { key: 'app.role', value: null }]);
    const missing = await admin('vm', 'metadata', 'm1', 'app.role');
    expect([missing.code, missing.stderr]).toEqual([
      1,
      expect.stringContaining('m1 has no metadata "app.role"'),
    ]);
    const dots = await admin('vm', 'metadata', 'm1', '..', '--set', 'v');
    expect([dots.code, dots.stderr]).toEqual([2, expect.stringContaining('a URL path drops')]);
    expect((await admin('vm', 'metadata', 'm1', '--set', 'v')).code).toBe(2);
    expect((await admin('vm', 'metadata', 'm1', 'k', '--set', 'v', '--unset')).code).toBe(2);
    const ghost = await admin('vm', 'metadata', 'ghost');
    expect([ghost.code, ghost.stderr]).toEqual([1, expect.stringContaining('ghost')]);
  });

  it('defines a network, lists it, refuses it twice and a reader, removes it', async () => {
    const def = await admin('net', 'define', 'lan', '--mode', 'bridge', '--bridge', 'br0', '--json');
    expect([def.code, def.stderr]).toEqual([0, '']);
    expect(JSON.parse(def.stdout)).toEqual({ name: 'lan', mode: 'bridge', bridge: 'br0' });
    const list = await local('net', 'list', '--json');
    expect(JSON.parse(list.stdout).map((n: { name: string }) => n.name)).toEqual(['user', 'lan']);
    const twice = await admin('net', 'define', 'lan', '--mode', 'none');
    expect([twice.code, twice.stderr]).toEqual([1, expect.stringContaining('"lan": it exists')]);
    const reader = await rest('rita', 'r3ad', ['net', 'remove', 'lan']);
    expect([reader.code, reader.stderr]).toEqual([1, expect.stringContaining('admin')]);
    const rm = await admin('net', 'remove', 'lan');
    expect([rm.code, rm.stdout]).toEqual([0, 'Removed the network "lan"\n']);
    const gone = await admin('net', 'remove', 'lan');
    expect([gone.code, gone.stderr]).toEqual([1, expect.stringContaining('No network "lan"')]);
  });

  it('pool add is the host’s own user’s (exit 1, saying so, whatever the folder); pool remove works', async () => {
    const folder = join(dir, 'p');
    mkdirSync(folder);
    for (const path of [folder, join(dir, 'missing')]) {
      const add = await admin('pool', 'add', 'p1', path);
      expect([add.code, add.stderr]).toEqual([
        1,
        'vessel: Cannot add the storage pool "p1": a pool names a host folder, which only the host\'s own user may name\n' +
          '  hint: Add it on the host: vessel pool add NAME DIR\n',
      ]);
    }
    expect((await local('pool', 'add', 'p1', folder)).code).toBe(0);
    const reader = await rest('rita', 'r3ad', ['pool', 'remove', 'p1']);
    expect([reader.code, reader.stderr]).toEqual([1, expect.stringContaining('admin')]);
    const rm = await admin('pool', 'remove', 'p1', '--json');
    expect([rm.code, JSON.parse(rm.stdout)]).toEqual([0, { removed: 'p1' }]);
    const pools = JSON.parse((await local('pool', 'list', '--json')).stdout);
    expect(pools.map((p: { id: string }) => p.id)).toEqual(['default']);
  });

  it('vm stats prints a running system’s sample', async () => {
    for (const args of [
      ['vm', 'define', '--name', 's1', '--cpus', '1', '--memory', '64M'],
      ['vm', 'start', 's1'],
    ]) {
      const r = await local(...args);
      expect(r.code, r.stderr).toBe(0);
    }
    await expect
      .poll(async () => (await admin('vm', 'stats', 's1', '--json')).code, { timeout: 15_000 })
      .toBe(0);
    const json = JSON.parse((await rest('rita', 'r3ad', ['vm', 'stats', 's1', '--json'])).stdout);
    expect(json).toMatchObject({ name: 's1', state: 'running', vcpus: 1, memoryBytes: 64 * 2 ** 20 });
  });
});
