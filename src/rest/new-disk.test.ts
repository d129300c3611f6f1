import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../model/index.js';
import { call } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// POST /systems with a new empty disk (a disk with VirtualQuantity, PoolID and no HostResource): the host makes
// the image in the pool and the definition names it; what it refuses points at the disk's member, and nothing is
// made. Every reply is checked against the OpenAPI file by `call`.

const ADMIN = ['admin', 'secret'] as const;
const WAIT = { Prefer: 'wait=30' };
let h: RestTestHost;
beforeAll(async () => {
  h = await startRestTestHost({ vms: 0 });
});
afterAll(async () => {
  await h?.close();
});

/** A definition as POST /systems takes it, with one new disk of these properties last. */
function body(name: string, disk: Record<string, unknown>) {
  const def = buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n });
  const resources: { cimClass: string; properties: Record<string, unknown> }[] = def.resources.map((r) => ({
    cimClass: r.cimClass,
    properties: { ...r.properties },
  }));
  resources.push({
    cimClass: 'CIM_ResourceAllocationSettingData',
    properties: { InstanceID: '20', ResourceType: '17', ElementName: 'Data', ...disk },
  });
  return { system: { ...def.system }, resources };
}
const ours = (prefix: string) => readdirSync(h.imagesDir).filter((f) => f.startsWith(prefix));

describe('POST /systems with a new empty disk', () => {
  it('makes the image of the exact capacity in the pool; GET shows the definition naming it; DELETE removes it', async () => {
    const b = body('rn1', { VirtualQuantity: '3', VirtualQuantityUnits: 'byte*2^20', PoolID: 'default' });
    const r = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: b, headers: WAIT });
    expect(r.status).toBeLessThan(300);
    const got = await call(h.restUrl, ADMIN, 'GET', '/systems/rn1');
    const disk = (got.json.definition.resources as { properties: Record<string, unknown> }[]).find(
      (x) => x.properties.InstanceID === '20',
    )!.properties;
    const path = `${h.imagesDir}/rn1-disk20.qcow2`;
    expect(disk).toMatchObject({
      HostResource: [path],
      VirtualQuantity: '3',
      VirtualQuantityUnits: 'byte*2^20',
    });
    expect(disk.PoolID).toBeUndefined();
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', '-U', path], { encoding: 'utf8' }),
    );
    expect([info.format, info['virtual-size']]).toEqual(['qcow2', 3 << 20]);
    const images = await call(h.restUrl, ADMIN, 'GET', '/pools/default/images');
    expect(images.json.items).toContainEqual(
      expect.objectContaining({ name: 'rn1-disk20.qcow2', format: 'qcow2', usedBy: ['rn1'] }),
    );
    const del = await call(h.restUrl, ADMIN, 'DELETE', '/systems/rn1', { headers: WAIT });
    expect(del.status).toBeLessThan(300);
    expect(ours('rn1')).toEqual([]);
  });

  it('refuses a missing pool, bad sizes and hostile pool names with the member named, making nothing', async () => {
    const cases: [Record<string, unknown>, number, string, RegExp][] = [
      [
        { VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^20', PoolID: 'nope' },
        422,
        'PoolID',
        /no storage pool "nope"/,
      ],
      [
        { VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^20', PoolID: '../../etc' },
        422,
        'PoolID',
        /no storage pool "\.\.\/\.\.\/etc"/,
      ],
      [
        { VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^20', PoolID: 'x'.repeat(5000) },
        422,
        'PoolID',
        /no storage pool "x{80}"$/,
      ],
      [
        { VirtualQuantity: '0', VirtualQuantityUnits: 'byte*2^20' },
        422,
        'VirtualQuantity',
        /a capacity of 0 bytes cannot be created/,
      ],
      [
        { VirtualQuantity: '-1', VirtualQuantityUnits: 'byte*2^20' },
        422,
        'VirtualQuantity',
        /"-1" is not a whole number/,
      ],
      [
        { VirtualQuantity: '9'.repeat(40), VirtualQuantityUnits: 'byte' },
        422,
        'VirtualQuantity',
        /cannot be created/,
      ],
      [
        { VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^47' },
        422,
        'VirtualQuantity',
        /140737488355328 bytes cannot be created/,
      ],
    ];
    for (const [disk, status, member, detail] of cases) {
      const b = body('rn2', disk);
      const r = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: b, headers: WAIT });
      expect([r.status, r.json.code]).toEqual([status, 'DEFINITION_INVALID']);
      expect(r.json.errors).toEqual([
        {
          pointer: `/resources/${b.resources.length - 1}/properties/${member}`,
          detail: expect.stringMatching(detail),
        },
      ]);
    }
    expect(ours('rn2')).toEqual([]);
    expect((await h.api.systems.list()).map((s) => s.name)).toEqual([]);
  });

  it('answers 507 (Insufficient Storage) with the PoolID member for a reservation the pool cannot hold', async () => {
    const b = body('rn3', {
      VirtualQuantity: '60',
      VirtualQuantityUnits: 'byte*2^40',
      Reservation: '60',
      PoolID: 'default',
    });
    const r = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: b, headers: WAIT });
    expect([r.status, r.json.code, r.json.domainCode]).toEqual([507, 'LIMIT_EXCEEDED', 'POOL_FULL']);
    expect(r.json.errors).toEqual([
      {
        pointer: `/resources/${b.resources.length - 1}/properties/PoolID`,
        detail: expect.stringMatching(/has \d+ bytes free, less than the 65970697666560 bytes/),
      },
    ]);
    expect(ours('rn3')).toEqual([]);
    expect((await h.api.systems.list()).map((s) => s.name)).toEqual([]);
  });
});
