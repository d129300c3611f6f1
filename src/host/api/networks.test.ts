import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, type Principal } from '../../api/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-api-networks-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const READER: Principal = { user: 'rita', role: 'reader', local: false, via: 'cimxml' };
const ADMIN: Principal = { user: 'root', role: 'admin', local: true, via: 'socket' };

async function refusal(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('the call was not refused');
}

describe('networks of the local host', () => {
  it('lists and reads the networks the QEMU driver realises (networks.json); changes are NOT_SUPPORTED', async () => {
    const state = join(root, 'qemu');
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(
      join(state, 'networks.json'),
      JSON.stringify({
        user: { mode: 'user', hostForwards: ['tcp:127.0.0.1:2222-:22'] },
        lan: { mode: 'bridge', bridge: 'br0' },
        off: { mode: 'none' },
        'not an api name': { mode: 'none' },
      }),
    );
    const host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
    try {
      const api = openSession(host, READER);
      const all = await api.networks.list();
      expect(all).toEqual([
        { name: 'user', mode: 'user', hostForwards: ['tcp:127.0.0.1:2222-:22'] },
        { name: 'lan', mode: 'bridge', bridge: 'br0' },
        { name: 'off', mode: 'none' },
      ]);
      for (const n of all) expect(await api.networks.get(n.name)).toEqual(n);
      const missing = await refusal(api.networks.get('no-such-net'));
      expect([missing.code, missing.detail?.code]).toEqual(['NOT_FOUND', 'NETWORK_NOT_FOUND']);
      expect((await refusal(api.networks.remove('lan'))).code).toBe('ACCESS_DENIED');
      const admin = openSession(host, ADMIN);
      const define = await refusal(admin.networks.define({ name: 'new', mode: 'none' }));
      expect(define.code).toBe('NOT_SUPPORTED');
      expect(define.hint).toMatch(/networks\.json/);
      expect((await refusal(admin.networks.remove('lan'))).code).toBe('NOT_SUPPORTED');
      expect(await api.networks.list()).toHaveLength(3);
    } finally {
      await host.close();
    }
  });

  it('says NOT_SUPPORTED for a driver that has no networks to show (the test driver)', async () => {
    const host = await Host.open({ stateDir: join(root, 'test'), driverUri: 'test:///default' });
    try {
      const api = openSession(host, READER);
      const e = await refusal(api.networks.list());
      expect([e.code, e.message]).toEqual([
        'NOT_SUPPORTED',
        'The driver test:///default has no networks to show',
      ]);
      expect((await refusal(api.networks.get('user'))).code).toBe('NOT_SUPPORTED');
    } finally {
      await host.close();
    }
  });
});
