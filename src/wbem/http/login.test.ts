import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIMethodCall } from '../cimxml/encode-request.js';
import { startTestHost, type TestHost } from '../cimxml/test-host.js';
import { CheckQueue, VerifiedLogins } from './login.js';

const BODY = encodeIMethodCall('1', 'EnumerateInstanceNames', 'root/virtualization', {
  ClassName: { className: 'CIM_ComputerSystem' },
});

interface Answer {
  status: number;
  retryAfter?: string | undefined;
  body: string;
}

/** One request on a fresh connection from `from` with Basic `credentials` (raw header value when it has no colon). */
function call(
  port: number,
  from: string,
  credentials: string,
  agent: Agent | false = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const auth = credentials.includes(':')
      ? `Basic ${Buffer.from(credentials).toString('base64')}`
      : credentials;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/cimom',
        method: 'POST',
        localAddress: from,
        agent,
        headers: {
          'Content-Type': 'application/xml; charset="utf-8"',
          CIMOperation: 'MethodCall',
          CIMMethod: 'EnumerateInstanceNames',
          CIMObject: 'root/virtualization',
          Authorization: auth,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }),
        );
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

describe('CheckQueue', () => {
  it('runs at most `concurrent` checks at once, queues a few more and turns the rest away at once', async () => {
    const q = new CheckQueue(2, 1);
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const job = () =>
      q.run(async () => {
        most = Math.max(most, ++running);
        await new Promise<void>((r) => release.push(r));
        running--;
        return 'done';
      });
    const started = [job(), job(), job()];
    expect(await job()).toEqual({ busy: true });
    while (release.length < 2) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 3; i++) {
      release.shift()?.();
      while (release.length === 0 && i < 2) await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(started)).toEqual(Array(3).fill({ busy: false, value: 'done' }));
    expect(most).toBe(2);
  });
});

describe('VerifiedLogins', () => {
  it('takes back only the exact header a connection logged in with, and only for a moment', async () => {
    const v = new VerifiedLogins(50);
    const conn = {};
    const who = { name: 'admin', role: 'admin' as const };
    expect(v.get(conn, 'Basic YQ==')).toBeUndefined();
    v.set(conn, 'Basic YQ==', who);
    expect(v.get(conn, 'Basic YQ==')).toEqual(who);
    expect(v.get(conn, 'Basic Yg==')).toBeUndefined();
    expect(v.get({}, 'Basic YQ==')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 60));
    expect(v.get(conn, 'Basic YQ==')).toBeUndefined();
  });
});

describe('logins on the CIM-XML port', () => {
  let host: TestHost;
  let port: number;
  beforeAll(async () => {
    host = await startTestHost({
      users: [
        ['admin', 'admin', 'secret'],
        ['rita', 'reader', 'r3ad'],
      ],
      limits: { maxConcurrentPasswordChecks: 1, maxQueuedPasswordChecks: 0 },
      login: { maxFailuresPerSecond: 1000, freeFailuresPerUser: 1000 },
    });
    port = Number(new URL(host.url).port);
  });
  afterAll(async () => {
    await host?.close();
  });

  it('counts failures per address across connections; another user’s success from there resets nothing', async () => {
    const from = '127.0.0.61';
    for (let i = 0; i < 3; i++) expect((await call(port, from, 'admin:wrong')).status).toBe(401);
    expect((await call(port, from, 'rita:r3ad')).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await call(port, from, 'admin:wrong')).status).toBe(401);
    const held = await call(port, from, 'admin:secret');
    expect(held).toMatchObject({ status: 429, body: expect.stringContaining('Too many failed logins') });
    expect(Number(held.retryAfter)).toBeGreaterThanOrEqual(1);
    // rita logged in from there and has not failed since: her pair still gets in.
    expect((await call(port, from, 'rita:r3ad')).status).toBe(200);
    // Other addresses are not held back.
    expect((await call(port, '127.0.0.62', 'admin:secret')).status).toBe(200);
  });

  it('turns away password checks beyond the queue with 503 and Retry-After, and checks a trusted pair anyway', async () => {
    expect((await call(port, '127.0.0.63', 'admin:secret')).status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call(port, `127.0.0.${70 + i}`, `admin:guess${i}`)),
    );
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]).toMatchObject({ retryAfter: '1', body: expect.stringContaining('too many passwords') });
    expect(answers.every((a) => a.status === 401 || a.status === 503)).toBe(true);
    expect((await call(port, '127.0.0.63', 'admin:secret')).status).toBe(200);
  });

  it('answers malformed credentials and overlong names with 401 and no password check', async () => {
    expect((await call(port, '127.0.0.64', 'Basic !!!')).status).toBe(401);
    expect((await call(port, '127.0.0.64', 'Bearer abc')).status).toBe(401);
    expect((await call(port, '127.0.0.64', `${'a'.repeat(5000)}:x`)).status).toBe(401);
    expect((await call(port, '127.0.0.64', ':nopassword-name')).status).toBe(401);
  });

  it('checks in full a keep-alive connection that changes its credentials after a login', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const from = '127.0.0.65';
      expect((await call(port, from, 'admin:secret', agent)).status).toBe(200);
      expect((await call(port, from, 'admin:secret', agent)).status).toBe(200);
      expect((await call(port, from, 'admin:wrong', agent)).status).toBe(401);
      expect((await call(port, from, 'rita:wrong', agent)).status).toBe(401);
      expect((await call(port, from, 'admin:secret', agent)).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
