import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError, Principal } from '../../api/index.js';
import { Host } from '../host.js';
import { USERS_FILE } from '../users.js';
import { openSession } from './session.js';
import { usersApi } from './users.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-api-users-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ADMIN: Principal = { user: 'root', role: 'admin', local: false, via: 'cimxml' };

let n = 0;
let host: Host;
let state: string;
beforeEach(async () => {
  state = join(root, `s${n++}`);
  host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
});
afterEach(() => host.close());

async function refusal(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('the call was not refused');
}

describe('usersApi()', () => {
  it('adds users with a role, lists them without passwords, refuses a name twice, removes them', async () => {
    const users = usersApi({ host, principal: ADMIN });
    expect(await users.list()).toEqual([]);
    await users.add('alice', 'operator', 'correct horse battery staple');
    await users.add('bob', 'reader', 'r3ad');
    expect(await users.list()).toEqual([
      { name: 'alice', role: 'operator' },
      { name: 'bob', role: 'reader' },
    ]);
    const file = readFileSync(join(state, USERS_FILE), 'utf8');
    expect(file).not.toContain('correct horse');
    expect(statSync(join(state, USERS_FILE)).mode & 0o777).toBe(0o600);
    expect(await host.users.authenticate('alice', 'correct horse battery staple')).toEqual({
      name: 'alice',
      role: 'operator',
    });

    const twice = await refusal(users.add('alice', 'admin', 'another'));
    expect([twice.code, twice.message]).toEqual(['ALREADY_EXISTS', 'A user named "alice" exists already']);
    // The refused add changed nothing: not the role, not the password.
    expect(await host.users.authenticate('alice', 'another')).toBeUndefined();
    expect((await users.list()).find((u) => u.name === 'alice')?.role).toBe('operator');

    await users.remove('alice');
    expect(await users.list()).toEqual([{ name: 'bob', role: 'reader' }]);
    expect(await host.users.authenticate('alice', 'correct horse battery staple')).toBeUndefined();
    expect((await refusal(users.remove('alice'))).code).toBe('NOT_FOUND');
  });

  it('keeps every one of concurrent adds (none is lost between its read and its write)', async () => {
    const users = usersApi({ host, principal: ADMIN });
    await Promise.all(['u1', 'u2', 'u3', 'u4'].map((u) => users.add(u, 'reader', 'pw')));
    expect((await users.list()).map((u) => u.name).sort()).toEqual(['u1', 'u2', 'u3', 'u4']);
    const same = await Promise.allSettled([users.add('x', 'reader', 'a'), users.add('x', 'admin', 'b')]);
    expect(same.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('through a session: only an admin manages users; a bad name is INVALID_ARGUMENT', async () => {
    for (const role of ['reader', 'operator'] as const) {
      const api = openSession(host, { user: 'eve', role, local: true, via: 'socket' });
      expect((await refusal(api.users.list())).code).toBe('ACCESS_DENIED');
      expect((await refusal(api.users.add('eve', 'admin', 'pw'))).code).toBe('ACCESS_DENIED');
    }
    expect(await host.users.load()).toEqual([]);
    const admin = openSession(host, ADMIN);
    await admin.users.add('carol', 'reader', 'pw');
    expect(await admin.users.list()).toEqual([{ name: 'carol', role: 'reader' }]);
    expect((await refusal(admin.users.add('.x', 'reader', 'pw'))).code).toBe('INVALID_ARGUMENT');
    expect((await refusal(admin.users.add('carol', 'reader', 'pw'))).code).toBe('ALREADY_EXISTS');
  });

  it('refuses names the users file cannot hold and empty passwords, as domain errors', async () => {
    const users = usersApi({ host, principal: ADMIN });
    expect((await refusal(users.add('a:b', 'admin', 'x'))).code).toBe('USAGE');
    expect((await refusal(users.add('a', 'admin', ''))).code).toBe('USAGE');
    expect(await users.list()).toEqual([]);
  });

  it('keeps the last admin; roles and passwords change under one lock; a user changes only its own password', async () => {
    const admin = openSession(host, ADMIN);
    await admin.users.add('ann', 'admin', 'a-pw');
    await admin.users.add('ben', 'reader', 'b-pw');
    const last = await refusal(admin.users.remove('ann'));
    expect([last.code, last.message, last.detail?.code]).toEqual([
      'INVALID_STATE',
      'Cannot remove "ann": it is the last admin',
      'LAST_ADMIN',
    ]);
    expect((await refusal(admin.users.setRole('ann', 'operator'))).code).toBe('INVALID_STATE');
    // Two admins demoted at once: one of them stays an admin, whichever wins.
    await admin.users.setRole('ben', 'admin');
    const both = await Promise.allSettled([
      admin.users.setRole('ann', 'reader'),
      admin.users.setRole('ben', 'reader'),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await admin.users.list()).filter((u) => u.role === 'admin')).toHaveLength(1);
    expect((await refusal(admin.users.setRole('nobody', 'admin'))).code).toBe('NOT_FOUND');
    expect((await refusal(admin.users.setPassword('nobody', 'x'))).code).toBe('NOT_FOUND');
    expect((await refusal(admin.users.setRole('ann', 'root' as 'admin'))).code).toBe('INVALID_ARGUMENT');

    // ben, a reader now, may change his own password with the old one, and nothing else.
    await admin.users.setRole('ann', 'admin');
    await admin.users.setRole('ben', 'admin');
    await admin.users.setRole('ben', 'reader');
    const ben = openSession(host, { user: 'ben', role: 'reader', local: false, via: 'rest' });
    expect((await refusal(ben.users.setPassword('ann', 'mine'))).code).toBe('ACCESS_DENIED');
    const wrong = await refusal(ben.users.changePassword('guess', 'new'));
    expect([wrong.code, wrong.detail?.code]).toEqual(['INVALID_ARGUMENT', 'OLD_PASSWORD_WRONG']);
    await ben.users.changePassword('b-pw', 'new b');
    expect(await host.users.authenticate('ben', 'new b')).toEqual({ name: 'ben', role: 'reader' });
    expect(await host.users.authenticate('ben', 'b-pw')).toBeUndefined();
    // The local admin of the socket is no user of the ports: it has no password to change.
    const local = openSession(host, { user: 'local', role: 'admin', local: true, via: 'socket' });
    expect((await refusal(local.users.changePassword('x', 'y'))).code).toBe('INVALID_ARGUMENT');
    expect(readFileSync(join(state, USERS_FILE), 'utf8')).not.toContain('new b');
  });
});
