import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiSubject, runApiConformance } from '../../api/conformance.case.test.js';
import { TEST_GUEST_IGNORES_SHUTDOWN } from '../../hypervisor/index.js';
import { smallOva } from '../api/fixtures.case.test.js';
import { Host } from '../host.js';
import { connectHostApi } from './connect-api.js';
import { serveHostApi } from './serve-api.js';

/** A fresh local host on test:///default, served on its socket by serveHostApi and reached by connectHostApi. */
async function overSocket(): Promise<ApiSubject> {
  const stateDir = mkdtempSync(join(tmpdir(), 'vessel-sock-run-'));
  const host = await Host.open({ stateDir, driverUri: 'test:///default' });
  const server = await serveHostApi(host);
  const api = await connectHostApi({ stateDir });
  return {
    api,
    close: async () => {
      await api.close();
      await server.close();
      await host.close({ stopVms: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * The API conformance runner through the host's unix socket, with the same declarations as the in-process run
 * (src/host/api/conformance.test.ts): the socket transport carries every case the host supports.
 */
runApiConformance({
  label: 'local host on test:///default over its unix socket',
  open: overSocket,
  fixtures: {
    guestIgnoringShutdown: (def) => ({
      ...def,
      system: { ...def.system, [TEST_GUEST_IGNORES_SHUTDOWN]: 'true' },
    }),
    smallOva,
  },
});
