import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/index.js';
import { type RestTestHost, startRestTestHost } from '../test-host.js';
import { RestApi } from './api.js';

// The host's attack-surface report over REST (issue 16): GET /api/v1/host/surface, admins only.

let h: RestTestHost;
beforeAll(async () => {
  h = await startRestTestHost({
    vms: 0,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'readpw'],
    ],
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const api = (user: string, password: string) =>
  new RestApi({ url: new URL(h.restUrl.replace(/\/api\/v1$/, '/')), user, password });

describe('GET /host/surface', () => {
  it('gives an admin the listening sockets (the REST port among them), the processes and the host’s own capabilities', async () => {
    const a = api('admin', 'secret');
    try {
      const r = await a.host.surface();
      const port = Number(new URL(h.restUrl).port);
      expect(r.listening).toContainEqual({ protocol: 'tcp', address: '127.0.0.1', port });
      // The test host runs in this process.
      expect(r.self.pid).toBe(process.pid);
      expect(r.processes.some((p) => p.pid === process.pid)).toBe(true);
    } finally {
      await a.close();
    }
  });

  it('refuses a reader (ACCESS_DENIED, 403): who runs what is an admin’s business', async () => {
    const r = api('rita', 'readpw');
    try {
      const e = await r.host.surface().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe('ACCESS_DENIED');
    } finally {
      await r.close();
    }
  });
});
