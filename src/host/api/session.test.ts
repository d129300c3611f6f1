import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, ApiError, type ApiErrorCode, type Principal, resultOf } from '../../api/index.js';
import { buildDefinition } from '../../model/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-session-'));
let host: Host;
let admin: Api;
const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY };
const as = (user: string, role: Principal['role']): Api =>
  openSession(host, { user, role, local: false, via: 'in-process' });
const def = (name: string) => buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n });

beforeAll(async () => {
  host = await Host.open({ stateDir: join(root, 'state'), driverUri: 'test:///default' });
  admin = openSession(host, { user: 'root', role: 'admin', local: true, via: 'in-process' });
  resultOf(await admin.systems.define(def('web1'), UNTIL_DONE));
});
afterAll(async () => {
  await host.close();
  rmSync(root, { recursive: true, force: true });
});

async function refusal(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('the call was not refused');
}

async function expectCode(call: Promise<unknown>, code: ApiErrorCode): Promise<ApiError> {
  const e = await refusal(call);
  expect(e.code, e.message).toBe(code);
  return e;
}

describe('openSession: roles', () => {
  it('lets a reader read but not change a state, define or set metadata', async () => {
    const reader = as('rita', 'reader');
    expect((await reader.systems.list()).map((s) => s.name)).toContain('web1');
    expect((await reader.systems.get('web1')).name).toBe('web1');
    const e = await expectCode(reader.systems.changeState('web1', 'start', UNTIL_DONE), 'ACCESS_DENIED');
    expect(e.message).toBe('rita (reader) may not call systems.changeState: it needs the operator role');
    await expectCode(reader.systems.define(def('r1'), UNTIL_DONE), 'ACCESS_DENIED');
    await expectCode(reader.systems.setMetadata('web1', 'k', 'v'), 'ACCESS_DENIED');
    await expectCode(reader.consoles.log('web1'), 'ACCESS_DENIED');
    expect((await admin.systems.get('web1')).state).toBe('stopped');
  });

  it('lets an operator change states but not define, undefine or edit', async () => {
    const op = as('otto', 'operator');
    const e = await expectCode(op.systems.define(def('o1'), UNTIL_DONE), 'ACCESS_DENIED');
    expect(e.message).toBe('otto (operator) may not call systems.define: it needs the admin role');
    await expectCode(op.systems.undefine('web1', UNTIL_DONE), 'ACCESS_DENIED');
    await expectCode(op.systems.modifySettings('web1', { Description: 'x' }, UNTIL_DONE), 'ACCESS_DENIED');
    expect(await admin.systems.list()).not.toContainEqual(expect.objectContaining({ name: 'o1' }));
    const started = await op.systems.changeState('web1', 'start', UNTIL_DONE);
    expect(started).toMatchObject({ state: 'completed', owner: 'otto', operation: 'start' });
    expect(resultOf(await op.systems.changeState('web1', 'powerOff', UNTIL_DONE)).state).toBe('stopped');
  });

  it("lets an operator cancel and delete only its own jobs; an admin, anyone's", async () => {
    const otto = as('otto', 'operator');
    const olga = as('olga', 'operator');
    const job = await otto.systems.changeState('web1', 'start', UNTIL_DONE);
    await expectCode(olga.jobs.delete(job.id), 'ACCESS_DENIED');
    await expectCode(olga.jobs.cancel(job.id), 'ACCESS_DENIED');
    await otto.jobs.delete(job.id);
    await expectCode(otto.jobs.get(job.id), 'NOT_FOUND');
    const off = await olga.systems.changeState('web1', 'powerOff', UNTIL_DONE);
    await admin.jobs.delete(off.id);
  });
});

describe('openSession: parameters and errors', () => {
  it('refuses parameters that do not fit METHODS, as a transport would', async () => {
    const e = await expectCode(
      admin.systems.changeState('web1', 'fly' as never, UNTIL_DONE),
      'INVALID_ARGUMENT',
    );
    expect(e.message).toMatch(/^Invalid parameters of systems\.changeState: \/operation/);
    await expectCode(admin.systems.get(''), 'INVALID_ARGUMENT');
    await expectCode(admin.systems.list({ limit: 0 }), 'INVALID_ARGUMENT');
    await expectCode(admin.systems.define(def('w2'), { waitMs: -5 }), 'INVALID_ARGUMENT');
    await expectCode(admin.jobs.wait('job id with spaces'), 'INVALID_ARGUMENT');
  });

  it('carries callbacks that do not travel: onProgress is not a parameter error', async () => {
    const job = await admin.systems.define(def('w3'), { waitMs: 0 });
    const done = await admin.jobs.wait(job.id, { onProgress: () => undefined });
    expect(done.state).toBe('completed');
  });

  it('maps domain errors of the host once, with the domain code in detail', async () => {
    const e = await expectCode(admin.systems.metadata('nope'), 'VM_NOT_FOUND');
    expect(e.message).toBe('No virtual system "nope"');
    expect(e.detail).toEqual({ domain: 'host', code: 'VM_NOT_FOUND' });
    const empty = await expectCode(admin.systems.setMetadata('web1', '', 'x'), 'INVALID_ARGUMENT');
    expect(empty.detail).toBeUndefined(); // refused by the METHODS check (minLength 1), before the host
    const job = await admin.systems.changeState('web1', 'pause', UNTIL_DONE);
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ code: 'INVALID_STATE', message: 'Cannot pause "web1": it is stopped' });
  });

  it('answers NOT_SUPPORTED for what the local host does not carry, INVALID_STATE for a stopped display', async () => {
    const caps = await admin.host.capabilities();
    if (!caps.features.users) await expectCode(admin.users.list(), 'NOT_SUPPORTED');
    // The display is carried now (a running system's VNC through the driver); a stopped system has none.
    await expectCode(admin.consoles.open('web1', 'vnc'), 'INVALID_STATE');
  });

  it('ends its subscriptions when closed; the host stays open', async () => {
    const api = as('sub', 'reader');
    const sub = await api.events.subscribe({}, () => undefined);
    await api.close();
    await sub.ended;
    expect((await admin.host.info()).systemCount).toBeGreaterThan(0);
  });
});
