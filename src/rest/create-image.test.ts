import { execFileSync } from 'node:child_process';
import { readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/index.js';
import { RestApi } from './client/index.js';
import { call } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// A new empty image in a pool (pools.createImage: real qemu-img on a real host, through REST and the REST client):
// what qemu-img made is what was asked; hostile names, sizes, formats and bodies are refused, leaving nothing behind;
// an existing file or a planted symlink is never replaced; readers and operators may not create.

const ADMIN = ['admin', 'secret'] as const;
const OPER = ['oper', 'op-pass'] as const;
let h: RestTestHost;
let dir: string;
beforeAll(async () => {
  h = await startRestTestHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['oper', 'operator', 'op-pass'],
    ],
  });
  dir = (await h.api.pools.get('default')).path ?? '';
});
afterAll(async () => {
  await h?.close();
});

const create = (body: unknown, user: readonly [string, string] = ADMIN, pool = 'default') =>
  call(h.restUrl, user, 'POST', `/pools/${pool}/images`, { body });
const info = (file: string) =>
  JSON.parse(execFileSync('qemu-img', ['info', '--output=json', join(dir, file)], { encoding: 'utf8' })) as {
    format: string;
    'virtual-size': number;
  };
const listing = () => readdirSync(dir).sort();

describe('POST /pools/{id}/images', () => {
  it('creates an empty qcow2 and a sparse raw image of the size asked, listed in the pool', async () => {
    const q = await create({ name: 'data.qcow2', sizeBytes: String(10n << 30n), format: 'qcow2' });
    expect([q.status, q.json.name, q.json.format, q.json.virtualSizeBytes]).toEqual([
      201,
      'data.qcow2',
      'qcow2',
      String(10n << 30n),
    ]);
    expect(q.headers.get('location')).toBe('/api/v1/pools/default/images/data.qcow2');
    expect(info('data.qcow2')).toMatchObject({ format: 'qcow2', 'virtual-size': 10 * 2 ** 30 });
    const r = await create({ name: 'scratch.img', sizeBytes: String(64 << 20), format: 'raw' });
    expect(r.status).toBe(201);
    expect(info('scratch.img')).toMatchObject({ format: 'raw', 'virtual-size': 64 * 2 ** 20 });
    const listed = (await h.api.pools.images('default')).map((i) => i.name);
    expect(listed).toEqual(expect.arrayContaining(['data.qcow2', 'scratch.img']));
  });

  it('refuses hostile names, sizes, formats and bodies, leaving nothing in the folder', async () => {
    const before = listing();
    const refused: Array<[unknown, number]> = [
      [{ name: '../escape.qcow2', sizeBytes: '1048576', format: 'qcow2' }, 400],
      [{ name: 'a/b.qcow2', sizeBytes: '1048576', format: 'qcow2' }, 400],
      [{ name: '..', sizeBytes: '1048576', format: 'qcow2' }, 400],
      [{ name: 'nul\u0000.qcow2', sizeBytes: '1048576', format: 'qcow2' }, 400],
      [{ name: 'x'.repeat(256), sizeBytes: '1048576', format: 'qcow2' }, 400],
      [{ name: '.vessel-upload-x', sizeBytes: '1048576', format: 'qcow2' }, 400],
      [{ name: 'json:{"driver":"file"}', sizeBytes: '1048576', format: 'vmdk' }, 400],
      [{ name: 'small.qcow2', sizeBytes: '4096', format: 'qcow2' }, 400],
      [{ name: 'odd.qcow2', sizeBytes: String((1 << 20) + 1), format: 'qcow2' }, 400],
      [{ name: 'huge.qcow2', sizeBytes: String((64n << 40n) + 512n), format: 'qcow2' }, 400],
      [{ name: 'max.qcow2', sizeBytes: '18446744073709551616', format: 'qcow2' }, 400],
      [{ name: 'neg.qcow2', sizeBytes: '-1048576', format: 'qcow2' }, 400],
      [{ name: 'num.qcow2', sizeBytes: 1048576, format: 'qcow2' }, 400],
      [{ name: 'extra.qcow2', sizeBytes: '1048576', format: 'qcow2', backingFile: '/etc/shadow' }, 400],
    ];
    for (const [body, status] of refused) {
      const r = await create(body);
      expect([r.status, r.json.code], JSON.stringify(body).slice(0, 80)).toEqual([
        status,
        'INVALID_ARGUMENT',
      ]);
    }
    expect(
      (await create({ name: 'p.qcow2', sizeBytes: '1048576', format: 'qcow2' }, ADMIN, 'nope')).status,
    ).toBe(404);
    expect((await create({ name: 'o.qcow2', sizeBytes: '1048576', format: 'qcow2' }, OPER)).status).toBe(403);
    expect(listing()).toEqual(before);
  });

  it('never replaces a file or a planted symlink, and the REST client creates through the same route', async () => {
    const taken = await create({ name: 'data.qcow2', sizeBytes: '1048576', format: 'raw' });
    expect([taken.status, taken.json.code]).toEqual([409, 'ALREADY_EXISTS']);
    expect(info('data.qcow2').format).toBe('qcow2');
    symlinkSync('/etc/passwd', join(dir, 'planted.img'));
    const planted = await create({ name: 'planted.img', sizeBytes: '1048576', format: 'raw' });
    expect(planted.status).toBe(409);
    expect(execFileSync('head', ['-c', '5', '/etc/passwd'], { encoding: 'utf8' })).toBe('root:');
    const api = new RestApi({
      url: new URL(h.restUrl.replace(/\/api\/v1$/, '/')),
      user: ADMIN[0],
      password: ADMIN[1],
    });
    const made = await api.pools.createImage('default', 'client.qcow2', 2n << 20n, 'qcow2');
    expect([made.name, made.format, made.virtualSizeBytes]).toEqual(['client.qcow2', 'qcow2', 2n << 20n]);
    const e = await api.pools
      .createImage('default', 'client.qcow2', 2n << 20n, 'qcow2')
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('ALREADY_EXISTS');
    await api.close();
    expect(listing().filter((f) => f.startsWith('.vessel-upload-'))).toEqual([]);
  });
});
