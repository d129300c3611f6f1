import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, type Principal } from '../../api/index.js';
import { buildDefinition } from '../../model/index.js';
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
  it('lists the networks the QEMU driver realises (networks.json), defines and removes them in the file', async () => {
    const state = join(root, 'qemu');
    mkdirSync(state, { mode: 0o700 });
    const file = join(state, 'networks.json');
    writeFileSync(
      file,
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
      expect([missing.code, missing.detail?.code, missing.hint]).toEqual([
        'NOT_FOUND',
        'NETWORK_NOT_FOUND',
        'The networks are: user, lan, off (vessel net list)',
      ]);
      expect((await refusal(api.networks.remove('lan'))).code).toBe('ACCESS_DENIED');
      expect((await refusal(api.networks.define({ name: 'x', mode: 'none' }))).code).toBe('ACCESS_DENIED');
      expect((await api.host.capabilities()).features.networks).toBe('manage');
      const admin = openSession(host, ADMIN);
      expect(
        await admin.networks.define({ name: 'fwd', mode: 'user', hostForwards: ['tcp:127.0.0.1:8080-:80'] }),
      ).toEqual({ name: 'fwd', mode: 'user', hostForwards: ['tcp:127.0.0.1:8080-:80'] });
      const open = await refusal(
        admin.networks.define({ name: 'wide', mode: 'user', hostForwards: ['tcp:0.0.0.0:80-:80'] }),
      );
      expect([open.code, open.message]).toEqual([
        'INVALID_ARGUMENT',
        'network "wide": "wide".hostForwards must be like "tcp:127.0.0.1:2222-:22" (forwards listen on the loopback only)',
      ]);
      expect((await refusal(admin.networks.define({ name: 'lan', mode: 'none' }))).code).toBe(
        'ALREADY_EXISTS',
      );
      await admin.networks.remove('lan');
      const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(Object.keys(written)).toEqual(['user', 'off', 'not an api name', 'fwd']);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // The built-in user network stays when the file's own is removed.
      await admin.networks.remove('user');
      expect(await api.networks.get('user')).toEqual({ name: 'user', mode: 'user' });
      const builtIn = await refusal(admin.networks.remove('user'));
      expect([builtIn.code, builtIn.message]).toEqual([
        'INVALID_STATE',
        'The network "user" is built in: it cannot be removed',
      ]);
    } finally {
      await host.close();
    }
    // What was written is what the next host reads.
    const again = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
    try {
      expect((await openSession(again, READER).networks.list()).map((n) => n.name)).toEqual([
        'user',
        'off',
        'fwd',
      ]);
    } finally {
      await again.close();
    }
  });

  it('refuses to remove a network a defined system uses, naming it (test driver, built-in user)', async () => {
    const host = await Host.open({ stateDir: join(root, 'test'), driverUri: 'test:///default' });
    try {
      const api = openSession(host, ADMIN);
      expect(await api.networks.list()).toEqual([{ name: 'user', mode: 'user' }]);
      await api.networks.define({ name: 'lab', mode: 'none' });
      const def = buildDefinition({
        name: 'n1',
        cpus: 1,
        memoryBytes: 64n << 20n,
        disks: [],
        cdroms: [],
        diskBus: 'ide',
        nics: [{ network: 'lab' }],
        graphics: 'none',
      });
      await api.systems.define(def, { waitMs: Number.POSITIVE_INFINITY });
      const busy = await refusal(api.networks.remove('lab'));
      expect([busy.code, busy.message]).toEqual([
        'INVALID_STATE',
        'Cannot remove the network "lab": in use by "n1"',
      ]);
      await api.systems.undefine('n1', { waitMs: Number.POSITIVE_INFINITY });
      await api.networks.remove('lab');
      expect((await refusal(api.networks.remove('lab'))).code).toBe('NOT_FOUND');
    } finally {
      await host.close();
    }
  });
});
