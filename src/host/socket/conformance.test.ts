import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_CASES, type ApiFixtures, type ApiSubject, runCase } from '../../api/conformance.case.test.js';
import { isApiError } from '../../api/index.js';
import { TEST_GUEST_IGNORES_SHUTDOWN } from '../../hypervisor/index.js';
import { smallOva } from '../api/fixtures.case.test.js';
import { localSubject } from '../api/subject.case.test.js';
import { Host } from '../host.js';
import { connectHostApi } from './connect-api.js';
import { serveHostApi } from './serve-api.js';

/**
 * The API conformance cases through the host's unix socket: a local host on the test driver served by
 * serveHostApi (a session per connection, for the socket's peer) and reached by connectHostApi, as every local
 * `vessel` command will reach it. Each case must end exactly as it ends on the in-process session of the same
 * host (src/host/api/conformance.test.ts): the transport adds no failure and hides none. Deploy uploads and
 * artifact downloads travel as streams under credit. conformance-runner.test.ts runs runApiConformance through
 * the socket with the in-process run's declarations.
 */

const fixtures: ApiFixtures = {
  guestIgnoringShutdown: (def) => ({
    ...def,
    system: { ...def.system, [TEST_GUEST_IGNORES_SHUTDOWN]: 'true' },
  }),
  smallOva,
};

/** A fresh local host on test:///default, served on its socket and reached through it. */
async function overSocket(): Promise<ApiSubject> {
  const stateDir = mkdtempSync(join(tmpdir(), 'vessel-sock-conf-'));
  const host = await Host.open({ stateDir, driverUri: 'test:///default' });
  const server = await serveHostApi(host);
  const api = await connectHostApi({ stateDir });
  return {
    api,
    close: async () => {
      for (const s of await api.systems.list({ states: ['running', 'paused', 'starting', 'stopping'] })) {
        await api.systems.changeState(s.uuid, 'powerOff', { waitMs: Number.POSITIVE_INFINITY });
      }
      await api.close();
      await server.close();
      await host.close({ stopVms: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** How a case ends: passed, or failed with an Api error code, or failed an assertion. */
async function outcome(id: string, subject: ApiSubject): Promise<string> {
  try {
    await runCase(API_CASES.find((c) => c.id === id)!, subject, fixtures);
    return 'passed';
  } catch (e) {
    return isApiError(e) ? `failed: ${e.code}: ${e.message}` : `failed an assertion (${(e as Error).name})`;
  } finally {
    await subject.close();
  }
}

describe('the local host through its unix socket (serveHostApi -> connectHostApi)', () => {
  it.each(API_CASES.map((c) => [c.id, c] as const))('%s ends as on the in-process session', async (id, c) => {
    const inProcess = await outcome(id, await localSubject('test:///default')());
    const socket = await outcome(id, await overSocket());
    expect(socket).toBe(inProcess);
    // The cases every host must pass (no capability, or one the test driver has) pass here.
    if (c.requires === undefined) expect(socket).toBe('passed');
  });
});
