import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Api, type Principal, resultOf } from '../api/index.js';
import { DEFAULT_POOL, Host, openSession } from '../host/index.js';
import type { VirtualSystemDefinition } from '../model/index.js';
import { type CimService, type CimServiceOptions, createCimService } from './service.js';

/**
 * What the CIM tests run on: the CIM service over a real Vessel host on `test:///default` (Host.open in a
 * temporary state directory), each CIM caller through its own session of the host's Api, as `vessel host serve`
 * runs it. Not a test file of its own (`*.case.test.ts`): the tests beside it open one.
 */
export interface CimSubject {
  host: Host;
  cim: CimService;
  /** The host's own admin session (what the socket and the CLI hold). */
  api: Api;
  /** Makes an empty (raw) image in the host's default storage pool and answers its path. */
  image(name: string): Promise<string>;
  /** Defines a system through the host's Api and waits for it. */
  define(def: VirtualSystemDefinition): Promise<void>;
  close(): Promise<void>;
}

const LOCAL_ADMIN: Principal = { user: 'local', role: 'admin', local: true, via: 'in-process' };

/**
 * Opens a CIM subject: a host on the test driver and its CIM service named `host1`.
 *
 * @example
 * const s = await openCimSubject();
 * await s.cim.om.enumerateInstances(newContext('alice', 'admin'), VIRT_NAMESPACE, 'CIM_ComputerSystem');
 */
export async function openCimSubject(
  options: Partial<Omit<CimServiceOptions, 'api'>> = {},
): Promise<CimSubject> {
  const stateDir = await mkdtemp(join(tmpdir(), 'vessel-cim-subject-'));
  const host = await Host.open({ stateDir, driverUri: 'test:///default' });
  const cim = createCimService({ api: (p) => openSession(host, p), hostName: 'host1', ...options });
  const api = openSession(host, LOCAL_ADMIN);
  const pool = host.pools.get(DEFAULT_POOL).path;
  return {
    host,
    cim,
    api,
    async image(name) {
      const path = join(pool, name);
      await writeFile(path, '', { flag: 'a' });
      return path;
    },
    async define(def) {
      resultOf(await api.systems.define(def, { waitMs: Number.POSITIVE_INFINITY }));
    },
    async close() {
      await cim.close();
      await api.close();
      await host.close({ stopVms: true });
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
