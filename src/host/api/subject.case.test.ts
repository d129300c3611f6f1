import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiSubject } from '../../api/conformance.case.test.js';
import {
  type Api,
  type ApiMethodName,
  encodeResult,
  METHOD_NAMES,
  METHODS,
  type Principal,
} from '../../api/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';

/** The in-process subject of the API conformance runner, for conformance.test.ts and conformance-qemu.test.ts. */

const ADMIN: Principal = { user: 'conformance', role: 'admin', local: true, via: 'in-process' };

/**
 * The session with every answer checked against its METHODS result schema, as a transport would encode it: what
 * the local host answers must be what a socket, CIM-XML or REST client can carry.
 */
export function wireChecked(api: Api): Api {
  const out: Record<string, unknown> = { close: () => api.close() };
  for (const name of METHOD_NAMES) {
    const [ns, member] = name.split('.') as [keyof Api, string];
    const target = api[ns] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    out[ns] ??= {};
    const wrapped = out[ns] as Record<string, unknown>;
    wrapped[member] = async (...args: unknown[]) => {
      const result = await target[member]!(...args);
      if (!('stream' in METHODS[name])) encodeResult(name as ApiMethodName, result as never);
      return result;
    };
  }
  return out as unknown as Api;
}

/**
 * Opens a fresh local host on `driverUri` in its own state directory, with an admin's wire-checked session; closing
 * the subject powers off what runs and removes the directory.
 */
export function localSubject(driverUri: string, prepare?: (host: Host) => void): () => Promise<ApiSubject> {
  return async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vessel-api-conf-'));
    const host = await Host.open({ stateDir, driverUri });
    prepare?.(host);
    const api = wireChecked(openSession(host, ADMIN));
    return {
      api,
      close: async () => {
        // Powered off rather than shut down: the cases' guests need not answer the power button.
        for (const s of await api.systems.list({ states: ['running', 'paused', 'starting', 'stopping'] })) {
          await api.systems.changeState(s.uuid, 'powerOff', { waitMs: Number.POSITIVE_INFINITY });
        }
        await api.close();
        await host.close({ stopVms: true });
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  };
}
