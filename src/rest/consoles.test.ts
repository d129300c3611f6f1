import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { pngSize } from '../hypervisor/index.js';
import { call } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// The WebSocket consoles and the screenshot on the test driver (its serial line is a loopback: what is written
// comes back), with small limits so that each guard is reached: credentials, Origin, role, frame size, idle,
// per-user count, a stopped system, an upgrade that is not a WebSocket.

const ADMIN = ['admin', 'secret'] as const;
const OPERATOR = ['op', 'operpass'] as const;
const READER = ['viewer', 'readpass'] as const;
const basic = (u: readonly [string, string]) => `Basic ${Buffer.from(`${u[0]}:${u[1]}`).toString('base64')}`;

let h: RestTestHost;
let ws0: string;
beforeAll(async () => {
  h = await startRestTestHost({
    vms: 2,
    users: [
      ['admin', 'admin', 'secret'],
      ['op', 'operator', 'operpass'],
      ['viewer', 'reader', 'readpass'],
    ],
    consoles: { maxPerUser: 3, idleMs: 400, maxFrameBytes: 1024 },
    web: false,
  });
  ws0 = h.restUrl.replace(/^http/, 'ws');
  for (const vm of ['vm1', 'vm2'])
    expect(
      (await call(h.restUrl, ADMIN, 'POST', `/systems/${vm}/state`, { body: { state: 'running' } })).status,
    ).toBe(200);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** Opens a console WebSocket; resolves with the socket, or with the HTTP status of the refused upgrade and body. */
function open(
  path: string,
  headers: Record<string, string>,
  protocols: string[] = [],
): Promise<{ ws?: WebSocket; status?: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${ws0}${path}`, protocols, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

async function cookieOf(user: readonly [string, string]): Promise<string> {
  const r = await call(h.restUrl, user, 'POST', '/session');
  expect(r.status).toBe(201);
  return (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

describe('WebSocket consoles (test driver)', () => {
  it('the serial console carries binary frames both ways (the loopback line echoes them)', async () => {
    const { ws } = await open('/systems/vm1/console/serial', { Authorization: basic(OPERATOR) });
    expect(ws).toBeDefined();
    const got = new Promise<Buffer>((resolve) => ws!.once('message', (d: Buffer) => resolve(d)));
    ws!.send(Buffer.from([0, 1, 2, 0xff, 0x0a]));
    expect([...(await got)]).toEqual([0, 1, 2, 0xff, 0x0a]);
    ws!.close();
  });

  it('an upgrade without credentials is 401; a wrong password is 401', async () => {
    expect((await open('/systems/vm1/console/serial', {})).status).toBe(401);
    const wrong = await open('/systems/vm1/console/serial', { Authorization: basic(['admin', 'nope']) });
    expect(wrong.status).toBe(401);
  });

  it('a session cookie from a page of another origin is refused (403); from this host it opens', async () => {
    const cookie = await cookieOf(OPERATOR);
    const evil = await open('/systems/vm1/console/serial', { Cookie: cookie, Origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body ?? '{}')).toMatchObject({ code: 'ACCESS_DENIED', status: 403 });
    // Cached Basic credentials ride along cross-site too: an Origin is checked whatever the credential.
    const basicEvil = await open('/systems/vm1/console/serial', {
      Authorization: basic(OPERATOR),
      Origin: 'http://evil.example',
    });
    expect(basicEvil.status).toBe(403);
    const host = new URL(h.restUrl).host;
    const own = await open('/systems/vm1/console/serial', { Cookie: cookie, Origin: `http://${host}` });
    expect(own.ws).toBeDefined();
    own.ws!.close();
  });

  it('a reader is refused the console (403) and the screenshot; an operator gets a PNG', async () => {
    const r = await open('/systems/vm1/console/serial', { Authorization: basic(READER) });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body ?? '{}').code).toBe('ACCESS_DENIED');
    const shot = await fetch(`${h.restUrl}/systems/vm1/console/screenshot`, {
      headers: { Authorization: basic(READER) },
    });
    expect(shot.status).toBe(403);
    const ok = await fetch(`${h.restUrl}/systems/vm1/console/screenshot`, {
      headers: { Authorization: basic(OPERATOR) },
    });
    expect([ok.status, ok.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(pngSize(new Uint8Array(await ok.arrayBuffer()))).toEqual({ width: 64, height: 48 });
  });

  it('a stopped system is a 409 problem at once, for the consoles and the screenshot', async () => {
    // vm2 runs (beforeAll): its open console closes cleanly (1000) when it stops.
    const r = await open('/systems/vm2/console/serial', { Authorization: basic(ADMIN) });
    const end = closed(r.ws!);
    await call(h.restUrl, ADMIN, 'POST', '/systems/vm2/state', { body: { state: 'stopped' } });
    expect((await end).code).toBe(1000);
    const t0 = performance.now();
    const s = await open('/systems/vm2/console/vnc', { Authorization: basic(ADMIN) }, ['binary']);
    expect(s.status).toBe(409);
    expect(JSON.parse(s.body ?? '{}')).toMatchObject({ code: 'INVALID_STATE' });
    const serial = await open('/systems/vm2/console/serial', { Authorization: basic(ADMIN) });
    expect(serial.status).toBe(409);
    const shot = await call(h.restUrl, ADMIN, 'GET', '/systems/vm2/console/screenshot');
    expect([shot.status, shot.json.code]).toEqual([409, 'INVALID_STATE']);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('an unknown system is 404, a non-console path 400, a plain GET 426 with Upgrade: websocket', async () => {
    expect((await open('/systems/nope/console/serial', { Authorization: basic(ADMIN) })).status).toBe(404);
    expect((await open('/systems/vm1', { Authorization: basic(ADMIN) })).status).toBe(400);
    expect((await open('/systems/vm1/console/serial?x=1', { Authorization: basic(ADMIN) })).status).toBe(400);
    const plain = await call(h.restUrl, ADMIN, 'GET', '/systems/vm1/console/serial');
    expect(plain.status).toBe(426);
    expect(plain.headers.get('upgrade')).toBe('websocket');
  });

  it('a frame over the limit closes the socket with 1009 (message too big)', async () => {
    const { ws } = await open('/systems/vm1/console/serial', { Authorization: basic(ADMIN) });
    const end = closed(ws!);
    ws!.send(Buffer.alloc(4096, 0x41));
    expect((await end).code).toBe(1009);
  });

  it('an idle console is closed (4000) and its slot given back', async () => {
    const { ws } = await open('/systems/vm1/console/serial', { Authorization: basic(ADMIN) });
    const t0 = performance.now();
    expect(await closed(ws!)).toEqual({ code: 4000, reason: 'idle too long' });
    expect(performance.now() - t0).toBeGreaterThan(300);
    await expect.poll(() => h.rest.consoles.size).toBe(0);
  });

  it('a user holds at most 3 consoles (429); closing one frees a slot; other users are not counted', async () => {
    const mine = await Promise.all(
      [1, 2, 3].map(() => open('/systems/vm1/console/serial', { Authorization: basic(OPERATOR) })),
    );
    expect(mine.every((m) => m.ws !== undefined)).toBe(true);
    const fourth = await open('/systems/vm1/console/serial', { Authorization: basic(OPERATOR) });
    expect(fourth.status).toBe(429);
    expect(JSON.parse(fourth.body ?? '{}').code).toBe('LIMIT_EXCEEDED');
    const other = await open('/systems/vm1/console/serial', { Authorization: basic(ADMIN) });
    expect(other.ws).toBeDefined();
    const end = closed(mine[0]!.ws!);
    mine[0]!.ws!.close();
    await end;
    await expect
      .poll(async () => {
        const again = await open('/systems/vm1/console/serial', { Authorization: basic(OPERATOR) });
        again.ws?.close();
        return again.ws !== undefined;
      })
      .toBe(true);
    for (const m of [...mine, other]) m.ws?.close();
  });

  it('garbage after an upgrade head and a half-sent handshake do not hurt the server', async () => {
    const port = Number(new URL(h.restUrl).port);
    const s = connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    const answer = new Promise<string>((resolve) => {
      let text = '';
      s.on('data', (d) => {
        text += d.toString('latin1');
      });
      s.on('close', () => resolve(text));
    });
    // A WebSocket key that is not 16 bytes of base64: ws answers 400 itself.
    s.write(
      'GET /api/v1/systems/vm1/console/serial HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Authorization: ${basic(ADMIN)}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n\xff\xff\xff`,
    );
    expect(await answer).toMatch(/^HTTP\/1\.1 400 /);
    await expect.poll(() => h.rest.consoles.size).toBe(0);
    expect((await call(h.restUrl, ADMIN, 'GET', '/systems/vm1')).status).toBe(200);
  });
});
