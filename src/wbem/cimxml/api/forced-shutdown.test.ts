import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, ApiError, isFinalJobState } from '../../../api/index.js';
import { buildDefinition } from '../../../model/index.js';
import { connectWsmanApi } from '../../wsman/client/api.js';
import { startVesselHostServer, type VesselHostServer } from '../test-host.js';
import { CimXmlApi } from './cimxml-api.js';

// A shutdown that powers off after the guest's time over CIM-XML and WS-Man (forced-shutdown.ts), on a real
// Vessel host whose test driver has guests that ignore ACPI: the one client-side job while it waits (listed,
// cancellable, leaving the system running), the refusal without a wait, and the reason that lasts until the
// system changes state again. The conformance case state.shutdown-timeout covers the forced power-off itself.

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

let server: VesselHostServer;
beforeAll(async () => {
  server = await startVesselHostServer({ wsman: true });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const encodings = [
  ['CIM-XML', () => CimXmlApi.connect({ url: server.url, user: 'admin', password: 'secret' })],
  ['WS-Man', () => connectWsmanApi({ url: server.wsmanUrl!, user: 'admin', password: 'secret' })],
] as const;

for (const [encoding, connect] of encodings) {
  describe(`a forced shutdown over ${encoding}`, () => {
    let api: Api;
    const n = `deaf-${encoding === 'WS-Man' ? 'w' : 'c'}`;
    beforeAll(async () => {
      api = await connect();
      await server.api.systems.define(buildDefinition({ name: n, cpus: 1, memoryBytes: 64n << 20n }), DONE);
      server.driver.ignoreShutdownOf(n);
      await server.api.systems.changeState(n, 'start', DONE);
    });
    afterAll(async () => {
      await api?.close();
    });

    it('is refused without a wait, before anything reaches the host', async () => {
      const jobsBefore = (await server.api.jobs.list()).length;
      for (const o of [{ timeoutMs: 1000 }, { timeoutMs: 1000, waitMs: 0 }, { forceAfterTimeout: true }]) {
        const e = await refusal(api.systems.changeState(n, 'shutdown', o));
        expect(e.code).toBe('NOT_SUPPORTED');
        expect(e.message).toMatch(/^Cannot shut down "deaf-\w" with a power-off after \d+ ms over /);
      }
      expect((await server.api.jobs.list()).length).toBe(jobsBefore);
      expect(server.host.get(n).state).toBe('running');
    });

    it('is one running job while the guest has time: listed, and cancelled it leaves the system running', async () => {
      const job = await api.systems.changeState(n, 'shutdown', { timeoutMs: 600_000, waitMs: 50 });
      expect(job.state).toBe('running');
      expect(job.id).toMatch(/^cimxml\./);
      expect(job.phase).toBe('Waiting up to 600000 ms for the guest to shut down');
      expect((await api.jobs.list({ states: ['running'] })).map((j) => j.id)).toContain(job.id);
      await refusal(api.jobs.delete(job.id));
      const cancelled = await api.jobs.cancel(job.id);
      expect(cancelled.state).toBe('cancelled');
      expect(cancelled.error?.code).toBe('CANCELLED');
      expect((await api.jobs.get(job.id)).state).toBe('cancelled');
      expect(server.host.get(n).state).toBe('running');
      expect((await server.api.jobs.list()).every((j) => isFinalJobState(j.state))).toBe(true);
      await api.jobs.delete(job.id);
      expect((await refusal(api.jobs.get(job.id))).code).toBe('NOT_FOUND');
    });

    it('says forced-after-timeout until the system changes state again', async () => {
      const job = await api.systems.changeState(n, 'shutdown', { timeoutMs: 100, ...DONE });
      expect(job.state, job.error?.message).toBe('completed');
      const forced = {
        code: 'forced-after-timeout',
        text: 'powered off: the guest did not shut down within 100 ms',
      };
      expect(job.result?.reason).toEqual(forced);
      expect((await api.systems.get(n)).reason).toEqual(forced);
      expect((await api.jobs.get(job.id)).result).toEqual(job.result);
      // Another client sees the host's own words: the power-off.
      expect(server.host.get(n).state).toBe('stopped');
      await api.systems.changeState(n, 'start', DONE);
      const again = await api.systems.get(n);
      expect(again.state).toBe('running');
      expect(again.reason.code).not.toBe('forced-after-timeout');
    });
  });
}
