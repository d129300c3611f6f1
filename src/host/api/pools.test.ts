import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Principal } from '../../api/index.js';
import { buildDefinition, type VesselError } from '../../model/index.js';
import { Host } from '../host.js';
import { poolsApi } from './pools.js';
import { openSession } from './session.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-api-pools-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const LOCAL: Principal = { user: 'local', role: 'admin', local: true, via: 'in-process' };
const REMOTE: Principal = { user: 'alice', role: 'admin', local: false, via: 'cimxml' };
const HOSTILE = join(import.meta.dirname, '../../../test/fixtures/hostile/images');

let n = 0;
let host: Host;
let dir: string;
beforeEach(async () => {
  dir = join(root, `case${n++}`);
  mkdirSync(dir);
  host = await Host.open({ stateDir: join(dir, 'state'), driverUri: 'test:///default' });
});
afterEach(() => host.close());

async function* streamOf(bytes: Uint8Array, size = 4096): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of s) parts.push(p);
  return Buffer.concat(parts);
}

/** The code a call is refused with. */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (e) {
    return (e as VesselError).code;
  }
  return 'accepted';
}

/** The ApiError a call fails with; a call that succeeds fails the test. */
const unexpected = (v: unknown): never => {
  throw new Error(`expected a failure, got ${String(v)}`);
};
const asApiError = (e: unknown): ApiError => e as ApiError;

describe('poolsApi()', () => {
  it('lists the default pool with the exact bytes of its file system, the folder for a local principal only', async () => {
    const [local] = await poolsApi({ host, principal: LOCAL }).list();
    const s = statfsSync(join(dir, 'state', 'images'), { bigint: true });
    expect(local).toEqual({
      id: 'default',
      isDefault: true,
      available: true,
      capacityBytes: s.blocks * s.bsize,
      usedBytes: expect.any(BigInt),
      allowDevices: false,
      path: join(dir, 'state', 'images'),
    });
    expect(local!.usedBytes).toBeLessThanOrEqual(local!.capacityBytes);
    const [remote] = await poolsApi({ host, principal: REMOTE }).list();
    expect(remote).not.toHaveProperty('path');
    expect(remote).toEqual({ ...local, path: undefined, usedBytes: remote!.usedBytes });
  });

  it('adds a pool for a local admin, reads it by id, removes it; an unknown pool is POOL_NOT_FOUND', async () => {
    const api = poolsApi({ host, principal: LOCAL });
    mkdirSync(join(dir, 'iso'));
    const added = await api.add({ id: 'iso', path: join(dir, 'iso'), allowDevices: false });
    expect(added).toMatchObject({ id: 'iso', isDefault: false, available: true, path: join(dir, 'iso') });
    expect(await api.get('iso')).toEqual({ ...added, usedBytes: (await api.get('iso')).usedBytes });
    expect((await api.list()).map((p) => p.id)).toEqual(['default', 'iso']);
    expect(await codeOf(api.add({ id: 'iso', path: join(dir, 'iso') }))).toBe('POOL_EXISTS');
    await api.remove('iso');
    expect(await codeOf(api.get('iso'))).toBe('POOL_NOT_FOUND');
    expect(await codeOf(api.remove('iso'))).toBe('POOL_NOT_FOUND');
  });

  it('refuses a remote admin a pool of /etc, so that /etc/passwd never becomes an image', async () => {
    const api = poolsApi({ host, principal: REMOTE });
    const e = await api.add({ id: 'etc', path: '/etc' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('ACCESS_DENIED');
    expect(host.pools.all.map((p) => p.name)).toEqual(['default']);
  });

  it('uploads an image, lists it with its format and users, downloads it intact and deletes it once unused', async () => {
    const api = poolsApi({ host, principal: LOCAL });
    const bytes = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const up = await api.upload('default', 'disk.raw', streamOf(bytes), { sha256, sizeBytes: 1n << 20n });
    expect(up).toEqual({
      name: 'disk.raw',
      sizeBytes: 1n << 20n,
      format: 'raw',
      virtualSizeBytes: 1n << 20n,
      usedBy: [],
      modifiedAt: statSync(join(dir, 'state', 'images', 'disk.raw')).mtime.toISOString(),
    });
    const path = join(dir, 'state', 'images', 'disk.raw');
    await host.define(buildDefinition({ name: 'web1', cpus: 1, memoryBytes: 64n << 20n, disks: [path] }));
    expect(await api.images('default')).toEqual([{ ...up, usedBy: ['web1'] }]);
    const got = await readAll(await api.download('default', 'disk.raw'));
    expect(got.equals(bytes)).toBe(true);
    const inUse = await api.deleteImage('default', 'disk.raw').catch((x: unknown) => x as ApiError);
    expect(inUse).toMatchObject({ code: 'INVALID_STATE' });
    expect((inUse as ApiError).message).toContain('"web1" uses it');
    await host.undefine('web1');
    await api.deleteImage('default', 'disk.raw');
    expect(await api.images('default')).toEqual([]);
    expect(await codeOf(api.deleteImage('default', 'disk.raw'))).toBe('NOT_FOUND');
  });

  it('refuses an upload that is not what was announced, leaving nothing in the pool', async () => {
    const api = poolsApi({ host, principal: LOCAL });
    const bytes = new Uint8Array(10_000);
    expect(await codeOf(api.upload('default', 'a.raw', streamOf(bytes), { sha256: '0'.repeat(64) }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(api.upload('default', 'b.raw', streamOf(bytes), { sizeBytes: 9_999n }))).toBe(
      'LIMIT_EXCEEDED',
    );
    expect(await codeOf(api.upload('default', 'c.raw', streamOf(bytes), { sizeBytes: 10_001n }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(readdirSync(join(dir, 'state', 'images'))).toEqual([]);
  });

  it('refuses hostile uploads: images that name other files, names that leave the pool, names taken', async () => {
    const api = poolsApi({ host, principal: REMOTE });
    for (const f of ['qcow2-backing-abs.qcow2', 'vmdk-text-flat-abs.vmdk', 'vhd-differencing.vhd']) {
      const bytes = readFileSync(join(HOSTILE, f));
      expect(await codeOf(api.upload('default', f, streamOf(bytes))), f).toBe('IMAGE_REFERENCES');
    }
    for (const name of ['../../etc/passwd', '..', '.', 'a/b', '.vessel-upload-x']) {
      expect(await codeOf(api.upload('default', name, streamOf(new Uint8Array(1)))), name).toBe(
        'INVALID_ARGUMENT',
      );
    }
    expect(readdirSync(join(dir, 'state', 'images'))).toEqual([]);
    await api.upload('default', 'x.raw', streamOf(new Uint8Array(512)));
    expect(await codeOf(api.upload('default', 'x.raw', streamOf(new Uint8Array(512))))).toBe(
      'ALREADY_EXISTS',
    );
    expect(readdirSync(join(dir, 'state', 'images'))).toEqual(['x.raw']);
  });

  it('never follows a symlink planted in a pool: /etc/passwd is neither listed nor downloaded', async () => {
    const api = poolsApi({ host, principal: REMOTE });
    symlinkSync('/etc/passwd', join(dir, 'state', 'images', 'passwd.raw'));
    expect(await api.images('default')).toEqual([]);
    expect(await codeOf(api.download('default', 'passwd.raw'))).toBe('NOT_FOUND');
    expect(await codeOf(api.download('default', '../../../../etc/passwd'))).toBe('INVALID_ARGUMENT');
    await api.deleteImage('default', 'passwd.raw'); // the link goes, not its target
    expect(existsSync('/etc/passwd')).toBe(true);
  });

  it("through a session: a reader lists pools but may not add one; domain errors become the Api's", async () => {
    const reader = openSession(host, { user: 'rita', role: 'reader', local: false, via: 'cimxml' });
    expect((await reader.pools.list()).map((p) => p.id)).toEqual(['default']);
    const denied = await reader.pools.add({ id: 'etc', path: '/etc' }).then(unexpected, asApiError);
    expect(denied).toBeInstanceOf(ApiError);
    expect(denied.code).toBe('ACCESS_DENIED');
    const missing = await reader.pools.get('nope').then(unexpected, asApiError);
    expect([missing.code, missing.detail]).toEqual(['NOT_FOUND', { domain: 'host', code: 'POOL_NOT_FOUND' }]);
    const admin = openSession(host, LOCAL);
    const up = await admin.pools.upload('default', 'a.raw', streamOf(new Uint8Array(4096)), {
      sizeBytes: 4096n,
    });
    expect(up.sizeBytes).toBe(4096n);
    const bad = await admin.pools
      .upload('default', '../x', streamOf(new Uint8Array(1)))
      .then(unexpected, asApiError);
    expect(bad.code).toBe('INVALID_ARGUMENT');
  });

  it('answers a list and the gets after it alike while the file system changes (sizes kept 1 s)', async () => {
    // The clock stands still so that a loaded machine cannot stretch the list and the get over the 1 s.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const api = poolsApi({ host, principal: LOCAL });
      const [listed] = await api.list();
      writeFileSync(join(dir, 'state', 'images', 'big.raw'), Buffer.alloc(8 << 20, 1));
      expect(await api.get('default')).toEqual(listed);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows a pool whose folder went away as unavailable with no sizes', async () => {
    const api = poolsApi({ host, principal: LOCAL });
    mkdirSync(join(dir, 'gone'));
    writeFileSync(join(dir, 'gone', 'f'), 'x');
    await api.add({ id: 'gone', path: join(dir, 'gone') });
    rmSync(join(dir, 'gone'), { recursive: true });
    expect(await api.get('gone')).toMatchObject({ available: false, capacityBytes: 0n, usedBytes: 0n });
  });
});
