import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, ApiError, resultOf, transitionRefusal } from '../../../api/index.js';
import { buildDefinition } from '../../../model/index.js';
import { connectWsmanApi } from '../../wsman/client/api.js';
import { startVesselHostServer, type VesselHostServer } from '../test-host.js';
import { CimXmlApi } from './cimxml-api.js';
import { keptImagesOf } from './keep-disks.js';
import type { CimSession } from './session.js';

// `systems.undefine` with keepDisks over CIM-XML and WS-Man: Vessel's DestroySystemKeepingDisks on a real Vessel
// host (test:///default), answered at once (OUT parameters) and as a job (the job's Kept properties); what it
// kept is what the host itself would keep, and lies in the default pool. Then the refusals, and Kept arrays a
// host gets wrong.

const DONE = { waitMs: Number.POSITIVE_INFINITY };

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a refusal');
}

const encodings = [
  [
    'CIM-XML',
    (s: VesselHostServer, user: string, password: string) =>
      CimXmlApi.connect({ url: s.url, user, password, timeoutMs: 20_000 }),
  ],
  [
    'WS-Man',
    (s: VesselHostServer, user: string, password: string) =>
      connectWsmanApi({ url: s.wsmanUrl!, user, password, timeoutMs: 20_000 }),
  ],
] as const;

for (const syncMs of [undefined, -1]) {
  describe(`keepDisks over CIM on a Vessel host, ${syncMs === undefined ? 'answered at once' : 'every method a job'}`, () => {
    let server: VesselHostServer;
    beforeAll(async () => {
      server = await startVesselHostServer({
        wsman: true,
        ...(syncMs === undefined ? {} : { syncMs }),
        users: [
          ['admin', 'admin', 'secret'],
          ['rita', 'reader', 'r3ad'],
        ],
      });
    }, 60_000);
    afterAll(async () => {
      await server?.close();
    });

    const defineWithDisk = async (name: string) => {
      const image = await server.image(`${name}-base.raw`);
      return resultOf(
        await server.api.systems.define(
          buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n, disks: [image] }),
          DONE,
        ),
      );
    };

    for (const [encoding, connect] of encodings) {
      it(`${encoding}: keeps the disks as the host itself does, in the default pool, and says so`, async () => {
        const n = `k${encoding === 'WS-Man' ? 'w' : 'c'}${syncMs === undefined ? '0' : '1'}`;
        await defineWithDisk(`${n}-twin`);
        const mine = await defineWithDisk(n);
        const local = resultOf(await server.api.systems.undefine(`${n}-twin`, { keepDisks: true, ...DONE }));
        const api: Api = await connect(server, 'admin', 'secret');
        try {
          expect((await api.host.capabilities()).features.keepDisks).toBe(true);
          const job = await api.systems.undefine(n, { keepDisks: true, ...DONE });
          expect(job.state, job.error?.message).toBe('completed');
          const kept = resultOf(job).keptImages;
          expect(kept.length).toBe(1);
          expect(kept).toEqual(
            local.keptImages.map((k) => ({ ...k, image: k.image.replace(`${n}-twin`, n) })),
          );
          expect(kept[0]!.pool).toBe('default');
          expect(existsSync(join(server.imagesDir, kept[0]!.image))).toBe(true);
          const images = await server.api.pools.images('default');
          expect(images.map((i) => i.name)).toContain(kept[0]!.image);
          expect((await refusal(api.systems.get(mine.uuid))).code).toBe('VM_NOT_FOUND');
        } finally {
          await api.close();
        }
      }, 120_000);

      it(`${encoding}: refuses a running system without powerOff, an unknown one and a reader, keeping all`, async () => {
        const n = `h${encoding === 'WS-Man' ? 'w' : 'c'}${syncMs === undefined ? '0' : '1'}`;
        await defineWithDisk(n);
        await server.api.systems.changeState(n, 'start', DONE);
        const api = await connect(server, 'admin', 'secret');
        const reader = await connect(server, 'rita', 'r3ad');
        try {
          const running = await refusal(api.systems.undefine(n, { keepDisks: true, ...DONE }));
          expect([running.code, running.message]).toEqual([
            'INVALID_STATE',
            transitionRefusal(n, 'running', 'undefine'),
          ]);
          const ghost = await refusal(api.systems.undefine('no-such-vm', { keepDisks: true, ...DONE }));
          expect(ghost.code).toBe('VM_NOT_FOUND');
          const denied = await refusal(
            reader.systems.undefine(n, { keepDisks: true, powerOff: true, ...DONE }),
          );
          expect(denied.code).toBe('ACCESS_DENIED');
          expect(server.host.get(n).state).toBe('running');
          // With powerOff the host powers it off first (as DestroySystem does), then keeps the disk.
          const off = await api.systems.undefine(n, { keepDisks: true, powerOff: true, ...DONE });
          expect(off.state, off.error?.message).toBe('completed');
          expect(resultOf(off).keptImages.map((k) => k.image)).toEqual([`${n}-base.raw`]);
        } finally {
          await api.close();
          await reader.close();
        }
      }, 120_000);
    }
  });
}

describe('keptImagesOf', () => {
  const s = { where: 'h1:5988' } as CimSession;
  const out = (o: Record<string, string[]>) => ({ returnValue: 0, out: o });
  const good = {
    KeptInstanceIDs: ['4'],
    KeptPools: ['default'],
    KeptImages: ['a.qcow2'],
    KeptHow: ['converted'],
  };

  it('reads the four parallel arrays, and none as nothing kept (WS-Man leaves out empty arrays)', async () => {
    expect(await keptImagesOf(s, out(good))).toEqual({
      keptImages: [{ instanceId: '4', pool: 'default', image: 'a.qcow2', how: 'converted' }],
    });
    expect(await keptImagesOf(s, out({}))).toEqual({ keptImages: [] });
  });

  it('refuses arrays that disagree, an unknown how, empty names and too many disks as PROTOCOL', async () => {
    const bad = [
      { ...good, KeptPools: [] },
      { ...good, KeptHow: ['moved'] },
      { ...good, KeptImages: [''] },
      {
        KeptInstanceIDs: Array(5000).fill('1'),
        KeptPools: Array(5000).fill('p'),
        KeptImages: Array(5000).fill('i'),
        KeptHow: Array(5000).fill('in-place'),
      },
    ];
    const messages = [];
    for (const b of bad) {
      const e = await refusal(keptImagesOf(s, out(b)));
      expect(e.code).toBe('PROTOCOL');
      messages.push(e.message);
    }
    expect(messages).toEqual([
      'h1:5988 answered DestroySystemKeepingDisks with Kept arrays that differ in length (1, 0, 1, 1)',
      'h1:5988 answered DestroySystemKeepingDisks with Kept arrays that say "moved" for how a disk was kept',
      'h1:5988 answered DestroySystemKeepingDisks with Kept arrays that hold an empty name',
      'h1:5988 answered DestroySystemKeepingDisks with Kept arrays that name 5000 disks (at most 4096)',
    ]);
    const noJob = await refusal(keptImagesOf(s, { returnValue: 4096, out: {} }));
    expect(noJob.message).toBe('h1:5988 answered DestroySystemKeepingDisks without a usable Job reference');
  });
});
