import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../api/index.js';
import { buildDefinition } from '../../model/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import type { ConsoleLimits } from '../console-sessions.js';
import { cimInterval } from '../datetime.js';
import { CimError } from '../errors.js';
import { consoleServicePath, hostPath, systemPath } from '../naming.js';
import { newContext } from '../provider.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';
import type { CimValue } from '../types.js';

// Vessel_TextConsoleService at the provider: a test-driver host (its serial line echoes what is written), callers
// as CIM contexts of their own user and role. The hostile cases: other users' and made-up session ids, oversized
// and malformed Data, too many sessions, idle expiry, a full buffer, a reader's role, a system that stops.

const NS = VIRT_NAMESPACE;
const svc = consoleServicePath('host1');
const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY };
const b64 = (t: string) => Buffer.from(t).toString('base64');
const text = (v: CimValue | undefined) => Buffer.from(String(v ?? ''), 'base64').toString();

let s: CimSubject;

async function subject(limits: Partial<ConsoleLimits> = {}): Promise<void> {
  s = await openCimSubject({ consoles: limits });
  for (const name of ['web1', 'web2'])
    await s.define(buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n }));
  await s.api.systems.changeState('web1', 'start', UNTIL_DONE);
}
afterEach(async () => {
  await s?.close();
});

const call = (user: string, role: Role, method: string, params: Record<string, CimValue>) =>
  s.cim.om.invokeMethod(newContext(user, role), NS, svc, method, params);
const open = async (user = 'alice', role: Role = 'operator', system = 'web1') => {
  const r = await call(user, role, 'OpenSession', { System: systemPath(system) });
  expect(r.returnValue).toBe(0);
  return r.out.Session as string;
};
const receive = (user: string, id: string, ms = 2000, role: Role = 'operator') =>
  call(user, role, 'Receive', { Session: id, Timeout: cimInterval(ms) });
async function refusal(p: Promise<unknown>): Promise<CimError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CimError);
  return e as CimError;
}

describe('Vessel_TextConsoleService', () => {
  it('is one service of the host, hosted by it, stating its bounds', async () => {
    await subject();
    const ctx = newContext('alice', 'reader');
    const services = await s.cim.om.enumerateInstances(ctx, NS, 'CIM_Service');
    const mine = services.filter((i) => i.className === 'Vessel_TextConsoleService');
    expect(mine).toHaveLength(1);
    expect(mine[0]?.properties).toMatchObject({
      MaxSessionsPerUser: '4',
      MaxSessions: '32',
      IdleTimeout: '60',
    });
    const hosted = await s.cim.om.associatorNames(ctx, NS, hostPath('host1'), {
      assocClass: 'CIM_HostedService',
      resultClass: 'Vessel_TextConsoleService',
    });
    expect(hosted.map((p) => p.keys.Name)).toEqual(['Console Service']);
  });

  it('ReadLog answers what the guest wrote, for a stopped system too; bad MaxBytes and a reader are refused', async () => {
    await subject();
    const r = await call('alice', 'operator', 'ReadLog', { System: systemPath('web1'), MaxBytes: '4096' });
    expect(r.returnValue).toBe(0);
    expect(text(r.out.Data)).toContain('VESSEL-GUEST-UP test-driver name=web1');
    const last = await call('alice', 'operator', 'ReadLog', { System: systemPath('web1'), MaxBytes: '5' });
    expect(text(last.out.Data)).toBe('web1\n');
    expect((await call('alice', 'operator', 'ReadLog', { System: systemPath('web2') })).returnValue).toBe(0);
    for (const MaxBytes of ['0', '65537', '-1', 'x'])
      expect(
        (await refusal(call('alice', 'operator', 'ReadLog', { System: systemPath('web1'), MaxBytes }))).code,
      ).toBe('CIM_ERR_INVALID_PARAMETER');
    expect((await refusal(call('rita', 'reader', 'ReadLog', { System: systemPath('web1') }))).code).toBe(
      'CIM_ERR_ACCESS_DENIED',
    );
    expect((await refusal(call('alice', 'operator', 'ReadLog', { System: systemPath('nope') }))).code).toBe(
      'CIM_ERR_NOT_FOUND',
    );
  });

  it('a session carries bytes both ways; a stopped system is 5; a reader cannot open one', async () => {
    await subject();
    const id = await open();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const empty = await receive('alice', id, 0);
    expect(empty.out).toEqual({ Data: '', Closed: 'false', DroppedBytes: '0' });
    expect(
      (await call('alice', 'operator', 'Send', { Session: id, Data: b64('hello\r\n\u001b[0m') })).returnValue,
    ).toBe(0);
    let got = '';
    while (!got.includes('\u001b[0m')) got += text((await receive('alice', id)).out.Data);
    expect(got).toBe('hello\r\n\u001b[0m');
    expect((await call('alice', 'operator', 'CloseSession', { Session: id })).returnValue).toBe(0);
    expect((await refusal(receive('alice', id))).code).toBe('CIM_ERR_NOT_FOUND');

    expect((await call('alice', 'operator', 'OpenSession', { System: systemPath('web2') })).returnValue).toBe(
      5,
    );
    expect((await refusal(call('rita', 'reader', 'OpenSession', { System: systemPath('web1') }))).code).toBe(
      'CIM_ERR_ACCESS_DENIED',
    );
    expect(
      (await refusal(call('alice', 'operator', 'OpenSession', { System: systemPath('nope') }))).code,
    ).toBe('CIM_ERR_NOT_FOUND');
    // The host is a computer system too, but not one with a console here.
    expect(
      (await refusal(call('alice', 'operator', 'OpenSession', { System: hostPath('host1') }))).code,
    ).toBe('CIM_ERR_INVALID_PARAMETER');
  });

  it("another user's session, the same user in another role and a made-up id are all NOT_FOUND", async () => {
    await subject();
    const id = await open('alice');
    for (const p of [
      receive('bob', id),
      receive('alice', id, 0, 'admin'),
      call('bob', 'operator', 'Send', { Session: id, Data: b64('x') }),
      call('bob', 'admin', 'CloseSession', { Session: id }),
      receive('alice', '0'.repeat(32)),
      receive('alice', 'z'.repeat(100_000)),
    ]) {
      const e = await refusal(p);
      expect(e.code).toBe('CIM_ERR_NOT_FOUND');
      expect(e.message.length).toBeLessThan(300);
    }
    // Still alice's, untouched.
    expect((await receive('alice', id, 0)).out.Closed).toBe('false');
  });

  it('refuses oversized and malformed Data, a bad Timeout and a missing Session', async () => {
    await subject({ dataBytes: 16 });
    const id = await open();
    const send = (Data: string) => call('alice', 'operator', 'Send', { Session: id, Data });
    expect((await send(b64('x'.repeat(16)))).returnValue).toBe(0);
    for (const Data of [b64('x'.repeat(17)), 'A'.repeat(1 << 20), 'not base64!', 'QQ=', 'QQ==QQ=='])
      expect((await refusal(send(Data))).code).toBe('CIM_ERR_INVALID_PARAMETER');
    expect((await refusal(call('alice', 'operator', 'Receive', { Session: id, Timeout: 'soon' }))).code).toBe(
      'CIM_ERR_INVALID_PARAMETER',
    );
    expect((await refusal(call('alice', 'operator', 'Receive', {}))).code).toBe('CIM_ERR_INVALID_PARAMETER');
    expect((await refusal(call('alice', 'operator', 'Receive', { Session: [id, id] }))).code).toBe(
      'CIM_ERR_INVALID_PARAMETER',
    );
    // One Receive answers at most dataBytes; the rest waits for the next.
    await send(b64('y'.repeat(16)));
    let got = '';
    while (got.length < 32) {
      const d = text((await receive('alice', id)).out.Data);
      expect(d.length).toBeLessThanOrEqual(16);
      got += d;
    }
    expect(got).toBe('x'.repeat(16) + 'y'.repeat(16));
  });

  it('bounds sessions per user and per host, checked before a console is opened', async () => {
    await subject({ perUser: 2, perHost: 3 });
    await open('alice');
    const second = await open('alice');
    const e = await refusal(call('alice', 'operator', 'OpenSession', { System: systemPath('web1') }));
    expect(e.code).toBe('CIM_ERR_SERVER_LIMITS_EXCEEDED');
    expect(e.message).toContain('User "alice" has 2 console sessions open');
    await open('bob');
    const full = await refusal(call('carol', 'operator', 'OpenSession', { System: systemPath('web1') }));
    expect(full.code).toBe('CIM_ERR_SERVER_LIMITS_EXCEEDED');
    expect(full.message).toContain('This host has 3 console sessions open');
    // Closing one frees its place.
    await call('alice', 'operator', 'CloseSession', { Session: second });
    expect(await open('carol')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('closes a session nobody receives from', async () => {
    await subject({ idleMs: 150 });
    const idle = await open();
    const kept = await open();
    // `kept` is received from (a long poll longer than the idle time); `idle` is not.
    expect((await receive('alice', kept, 400)).out.Closed).toBe('false');
    expect((await refusal(receive('alice', idle, 0))).code).toBe('CIM_ERR_NOT_FOUND');
    expect((await receive('alice', kept, 0)).out.Closed).toBe('false');
  });

  it('keeps the newest output when the buffer is full, and counts what it dropped', async () => {
    await subject({ bufferBytes: 10 });
    const id = await open();
    await call('alice', 'operator', 'Send', { Session: id, Data: b64('0123456789abcdefghij') });
    let got = '';
    let dropped = 0;
    await expect
      .poll(
        async () => {
          const r = await receive('alice', id, 100);
          got += text(r.out.Data);
          dropped += Number(r.out.DroppedBytes);
          return got.endsWith('j') ? got.length + dropped : -1;
        },
        { timeout: 10_000 },
      )
      .toBe(20);
    expect(got).toBe('0123456789abcdefghij'.slice(dropped));
    expect(dropped).toBeGreaterThanOrEqual(10);
  });

  it('ends a session with Closed=true when its system stops; then it is gone', async () => {
    await subject();
    const id = await open();
    await s.api.systems.changeState('web1', 'powerOff', UNTIL_DONE);
    const r = await receive('alice', id);
    expect(r.out.Closed).toBe('true');
    expect((await refusal(receive('alice', id))).code).toBe('CIM_ERR_NOT_FOUND');
  });

  it('a Receive waiting on a session is answered at once when its session is closed', async () => {
    await subject();
    const id = await open();
    const waiting = receive('alice', id, 5000);
    await call('alice', 'operator', 'CloseSession', { Session: id });
    expect((await waiting).out.Closed).toBe('true');
  });
});
