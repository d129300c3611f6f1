import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import type { Api } from '../api.js';
import { fakeApi } from '../conformance/fake.case.test.js';
import type { ApiEvent } from '../events.js';
import { SocketApi } from './client.js';
import { patternBytes, streamFake, streamLog } from './peers.case.test.js';
import { serveApi } from './server.js';

/**
 * A small load on loopback: many clients at once, each subscribing, defining, reading, changing states and
 * downloading, against one shared Api. What is asserted is counts (every call answered once, every event
 * delivered to every subscriber once, every byte), never timings; the test's timeout bounds it.
 */

const dir = mkdtempSync(join(tmpdir(), 'vessel-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLIENTS = 12;
const SYSTEMS = 8; // per client
const READS = 60; // per client
const DOWNLOAD = 1 << 20;

describe('the Api socket under load', () => {
  it(`${CLIENTS} clients at once: every call answered, every event delivered to every subscriber, every byte`, {
    timeout: 60_000,
  }, async () => {
    const shared = fakeApi();
    const bytes = streamFake(streamLog(), { downloadBytes: DOWNLOAD });
    let sessions = 0;
    const server = serveApi(
      (): Api => {
        sessions++;
        return { ...shared, artifacts: bytes.artifacts, close: async () => void sessions-- };
      },
      { limits: { maxInFlight: 8 } },
    );
    const path = join(dir, 'load.sock');
    await server.listen(path);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => SocketApi.connect(path)));
    expect(server.connectionCount).toBe(CLIENTS);

    const seen = clients.map((): number[] => []);
    const subs = await Promise.all(
      clients.map((api, i) =>
        api.events.subscribe({ types: ['system.defined'] }, (e: ApiEvent) => seen[i]!.push(e.seq)),
      ),
    );
    let answered = 0;
    const count = async <T>(p: Promise<T>): Promise<T> => {
      const v = await p;
      answered++;
      return v;
    };
    const work = clients.map(async (api, c) => {
      const names = Array.from({ length: SYSTEMS }, (_, s) => `load-${c}-${s}`);
      await Promise.all(
        names.map((name) =>
          count(
            api.systems.define(buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n }), {
              waitMs: Number.POSITIVE_INFINITY,
            }),
          ),
        ),
      );
      const reads = Array.from({ length: READS }, (_, r) =>
        r % 2 === 0 ? count(api.systems.get(names[r % SYSTEMS]!)) : count(api.host.info()),
      );
      const changes = names.map(async (name) => {
        await count(api.systems.changeState(name, 'start', { waitMs: Number.POSITIVE_INFINITY }));
        await count(api.systems.changeState(name, 'powerOff', { waitMs: Number.POSITIVE_INFINITY }));
      });
      const download = (async () => {
        const h = createHash('sha256');
        for await (const chunk of await count(api.artifacts.download(`a${c}`))) h.update(chunk);
        return h.digest('hex');
      })();
      await Promise.all([...reads, ...changes]);
      return download;
    });
    const digests = await Promise.all(work);
    const total = CLIENTS * SYSTEMS;
    expect(answered).toBe(CLIENTS * (SYSTEMS + READS + 2 * SYSTEMS + 1));
    const expected = createHash('sha256').update(patternBytes(0, DOWNLOAD)).digest('hex');
    expect(digests).toEqual(clients.map(() => expected));

    const all = await clients[0]!.systems.list();
    expect(all).toHaveLength(total);
    expect(all.every((s) => s.state === 'stopped')).toBe(true);
    await until(() => seen.every((s) => s.length >= total));
    await new Promise((r) => setTimeout(r, 50)); // time for a duplicate to show
    // Each subscriber got every event once, in order.
    for (const s of seen) expect(s).toEqual([...new Set(s)].sort((a, b) => a - b));
    expect(seen.map((s) => s.length)).toEqual(clients.map(() => total));
    expect(server.inFlight).toBe(0);

    await Promise.all(subs.map((s) => s.close()));
    await Promise.all(clients.map((api) => api.close()));
    await until(() => server.connectionCount === 0);
    expect(sessions).toBe(0);
    await server.close();
  });
});

async function until(test: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
