import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApiEvent, resultOf } from '../api/index.js';
import { call, checkSchema, operationOf } from './contract.case.test.js';
import { sseFrame } from './sse.js';
import { openSse, type SseMessage, type SseStream } from './sse-client.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// GET /api/v1/events as Server-Sent Events on a real host (test:///default), read by a real HTTP client (fetch)
// with a parser that follows the EventSource rules; every event's data is checked against the OpenAPI document.

const ADMIN = ['admin', 'secret'] as const;
const READER = ['reader', 'rd-pass'] as const;
const forever = { waitMs: Number.POSITIVE_INFINITY };

let h: RestTestHost;
const open: SseStream[] = [];

async function sse(user: readonly [string, string], query = '', headers: Record<string, string> = {}) {
  const s = await openSse(`${h.restUrl}/events${query}`, user, headers);
  open.push(s);
  return s;
}

/** Reads events until `pick` says stop; answers them all. */
async function until(s: SseStream, pick: (e: ApiEvent) => boolean): Promise<ApiEvent[]> {
  const out: ApiEvent[] = [];
  for (;;) {
    const m = await s.nextEvent();
    if (m === undefined) throw new Error('the stream ended');
    const e = dataOf(m);
    out.push(e);
    if (pick(e)) return out;
  }
}

/** A start and a power-off of `vm`: its state events and its jobs' progress. */
async function cycle(vm: string): Promise<void> {
  resultOf(await h.api.systems.changeState(vm, 'start', forever));
  resultOf(await h.api.systems.changeState(vm, 'powerOff', forever));
}

function dataOf(m: SseMessage): ApiEvent {
  const e = JSON.parse(m.data ?? '') as ApiEvent;
  checkSchema('#/components/schemas/ApiEvent', e);
  expect(m.id).toBe(String(e.seq));
  expect(m.event).toBe(e.type);
  return e;
}

beforeAll(async () => {
  h = await startRestTestHost({
    vms: 2,
    users: [
      ['admin', 'admin', 'secret'],
      ['reader', 'reader', 'rd-pass'],
    ],
    events: { maxPerUser: 3, heartbeatMs: 200, maxPendingBytes: 8 << 10, stallMs: 1000 },
  });
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(async () => {
  await h?.close();
});

describe('GET /api/v1/events (Server-Sent Events)', () => {
  it('is documented as text/event-stream whose data is an ApiEvent', () => {
    const op = operationOf('/events', 'get') as { responses: Record<string, { content?: object }> };
    expect(Object.keys(op.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(JSON.stringify(op.responses['200'])).toContain('#/components/schemas/ApiEvent');
  });

  it('delivers a state change made through REST, live, with id = seq and event = type', async () => {
    const s = await sse(READER, '?system=vm1');
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const first = await s.next();
    expect(first?.comment).toBe('vessel events');
    const r = await call(h.restUrl, ADMIN, 'POST', '/systems/vm1/state', { body: { state: 'running' } });
    expect(r.status).toBe(200);
    const seen = await until(s, (e) => e.type === 'system.state' && e.state === 'running');
    const last = seen.at(-1) as Extract<ApiEvent, { type: 'system.state' }>;
    expect(last).toMatchObject({ type: 'system.state', system: 'vm1', state: 'running' });
    expect(last.cause).toMatchObject({ kind: 'api', user: 'admin' });
    const uuids = new Set(seen.map((e) => (e as { uuid?: string }).uuid).filter((u) => u !== undefined));
    expect([...uuids]).toEqual([last.uuid]);
    resultOf(await h.api.systems.changeState('vm1', 'powerOff', forever));
    s.close();
  });

  it('sends heartbeat comments on an idle stream', async () => {
    const s = await sse(READER, '?system=nothing-happens-here');
    await s.next(); // the opening comment and retry
    const m = await s.next(2000);
    expect(m?.retry ?? m?.comment).toBeDefined();
    const beat = m?.retry === undefined ? m : await s.next(2000);
    expect(beat?.comment).toBe('keep-alive');
    s.close();
  });

  it('replays from Last-Event-ID (and ?since=) with no gap and no duplicate, then follows live', async () => {
    const stored = await h.api.events.list();
    const mid = stored[Math.floor(stored.length / 2)]!.seq;
    const a = await sse(ADMIN, '', { 'Last-Event-ID': String(mid) });
    const replay = await until(a, (e) => e.seq === stored.at(-1)!.seq);
    expect(replay.map((e) => e.seq)).toEqual(stored.filter((e) => e.seq > mid).map((e) => e.seq));
    // Changes while the client is away: it reconnects with the last id it saw.
    a.close();
    const lastSeen = replay.at(-1)!.seq;
    resultOf(await h.api.systems.changeState('vm2', 'start', forever));
    resultOf(await h.api.systems.changeState('vm2', 'powerOff', forever));
    const missed = await h.api.events.list({ after: lastSeen });
    expect(missed.length).toBeGreaterThan(2);
    // The header wins over ?since= (an EventSource keeps its URL and adds the header when it reconnects).
    const b = await sse(ADMIN, '?since=1', { 'Last-Event-ID': String(lastSeen) });
    const again = await until(b, (e) => e.seq === missed.at(-1)!.seq);
    expect(again.map((e) => e.seq)).toEqual(missed.map((e) => e.seq));
    // ... and then live ones, still in order.
    const c = await sse(ADMIN, `?since=${missed.at(-1)!.seq}&type=system.state`);
    resultOf(await h.api.systems.changeState('vm2', 'start', forever));
    const live = await until(c, (e) => e.type === 'system.state' && e.state === 'running');
    expect(live.every((e) => e.type === 'system.state')).toBe(true);
    expect(live[0]!.seq).toBeGreaterThan(missed.at(-1)!.seq);
    resultOf(await h.api.systems.changeState('vm2', 'powerOff', forever));
    b.close();
    c.close();
  });

  it('replays more than a page as the client reads, in order', async () => {
    const before = (await h.api.events.list()).at(-1)!.seq;
    while ((await h.api.events.list({ after: 0 })).length <= 1100) await cycle('vm1');
    const stored = await h.api.events.list({ after: 0 });
    expect(stored.length).toBeGreaterThan(500);
    const s = await sse(ADMIN, '?since=0');
    const got = await until(s, (e) => e.seq === stored.at(-1)!.seq);
    expect(got.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
    expect(got.some((e) => e.seq > before)).toBe(true);
    s.close();
  });

  it('refuses a malformed Last-Event-ID or since, and unknown event types, as 400 problems', async () => {
    for (const bad of ['abc', '-1', '1e3', '12 13', '99999999999999999999'])
      expect(
        (await call(h.restUrl, READER, 'GET', '/events', { headers: { 'Last-Event-ID': bad } })).json,
      ).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
    expect((await call(h.restUrl, READER, 'GET', '/events?since=x')).status).toBe(400);
    expect((await call(h.restUrl, READER, 'GET', '/events?type=system.exploded')).status).toBe(400);
    expect((await call(h.restUrl, undefined, 'GET', '/events')).status).toBe(401);
  });

  it('answers HEAD with the stream headers and ends it, keeping no stream open', async () => {
    const auth = `Basic ${Buffer.from(READER.join(':')).toString('base64')}`;
    const r = await fetch(`${h.restUrl}/events`, { method: 'HEAD', headers: { Authorization: auth } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await r.text()).toBe('');
    await expect.poll(() => h.rest.streams.size).toBe(0);
  });

  it('gives a user a bounded number of streams (429 beyond), others keep theirs', async () => {
    const mine = [await sse(READER), await sse(READER), await sse(READER)];
    const over = await call(h.restUrl, READER, 'GET', '/events');
    expect(over.status).toBe(429);
    expect(over.json).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      type: 'urn:vessel:problem:REST_TOO_MANY_STREAMS',
    });
    const other = await sse(ADMIN);
    expect(other.status).toBe(200);
    mine[0]!.close();
    other.close();
    await expect.poll(() => h.rest.streams.size).toBe(2);
    const again = await sse(READER);
    expect(again.status).toBe(200);
    for (const s of [...mine, again]) s.close();
    await expect.poll(() => h.rest.streams.size).toBe(0);
  });

  it('drops a client that stops reading, and the host goes on answering', async () => {
    const sock = connect(h.rest.server.httpPort!, '127.0.0.1');
    const auth = Buffer.from(ADMIN.join(':')).toString('base64');
    sock.write(`GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\n\r\n`);
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('data', r));
    sock.pause(); // reads nothing more: the kernel's buffers fill, then the host's
    expect(h.rest.streams.size).toBe(1);
    // A paused client sees no end of stream: the host's count of streams tells when it let go.
    const dropped = () => h.rest.streams.size === 0;
    const t0 = Date.now();
    // The kernel holds some MiB for the client (about 2 KiB of events a cycle) before the host's limit counts.
    for (let i = 0; i < 20_000 && !dropped(); i++) {
      await cycle('vm2');
      if (i % 100 === 0) expect((await call(h.restUrl, READER, 'GET', '/host')).status).toBe(200);
    }
    await expect.poll(dropped).toBe(true);
    expect(Date.now() - t0).toBeLessThan(60_000);
    sock.destroy();
  }, 90_000);

  it('drops a client that stops reading during a replay once it stalls', async () => {
    // More events in the store than the kernel holds for a client (some MiB; the flood above left most of them).
    const bytes = (await h.api.events.list({ after: 0 })).reduce((n, e) => n + sseFrame(e).length, 0);
    for (let n = bytes; n < 8 << 20; n += 2000) await cycle('vm2');
    const sock = connect(h.rest.server.httpPort!, '127.0.0.1');
    sock.on('error', () => undefined);
    const auth = Buffer.from(ADMIN.join(':')).toString('base64');
    sock.write(`GET /api/v1/events?since=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\n\r\n`);
    await new Promise((r) => sock.once('data', r));
    sock.pause();
    expect(h.rest.streams.size).toBe(1);
    await expect.poll(() => h.rest.streams.size, { timeout: 10_000 }).toBe(0);
    sock.destroy();
  });

  it('ends every stream cleanly when the server stops', async () => {
    const h2 = await startRestTestHost({ vms: 1 });
    try {
      const s = await openSse(`${h2.restUrl}/events`, ['admin', 'secret']);
      expect((await s.next())?.comment).toBe('vessel events');
      await h2.rest.close();
      const rest: SseMessage[] = [];
      for (let m = await s.next(); m !== undefined; m = await s.next()) rest.push(m);
      expect(rest.map((m) => m.comment ?? m.retry)).toContain('the server is stopping');
    } finally {
      await h2.close();
    }
  });
});
