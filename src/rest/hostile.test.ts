import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// What an attacker or a careless client sends: every refusal is a problem naming the place, within the contract.

const ADMIN = ['admin', 'secret'] as const;
let h: RestTestHost;

beforeAll(async () => {
  h = await startRestTestHost({ vms: 1, limits: { maxBodyBytes: 64 << 10 } });
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, raw: string | Buffer, type = 'application/json') =>
  call(h.restUrl, ADMIN, 'POST', path, { raw, headers: { 'Content-Type': type } });

/** Sends raw bytes on a new connection and resolves with everything answered until the server closes. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('close', () => resolve(Buffer.concat(chunks).toString()));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy());
  });
}

describe('REST bodies', () => {
  it('malformed JSON is 400 saying where', async () => {
    const r = await post('/systems/vm1/state', '{"state": "running",');
    expect([r.status, r.json.code, r.json.type]).toEqual([
      400,
      'INVALID_ARGUMENT',
      'urn:vessel:problem:REST_MALFORMED_JSON',
    ]);
    expect(r.json.detail).toMatch(/JSON/);
  });

  it('a wrong or missing content type is 415', async () => {
    expect((await post('/systems/vm1/state', '{"state":"running"}', 'text/plain')).status).toBe(415);
    expect(
      (await post('/systems/vm1/state', 'state=running', 'application/x-www-form-urlencoded')).status,
    ).toBe(415);
  });

  it('an empty body where one is needed is 400', async () => {
    const r = await post('/systems/vm1/state', '');
    expect([r.status, r.json.detail]).toEqual([400, 'The request needs a JSON body']);
  });

  it('unknown members, wrong types and bad enumerations are 400 naming the member', async () => {
    const extra = await post('/systems/vm1/state', JSON.stringify({ state: 'running', force: true }));
    expect([extra.status, extra.json.type]).toEqual([400, 'urn:vessel:problem:REST_INVALID_BODY']);
    expect(extra.json.detail).toContain('body');
    const wrong = await post('/systems/vm1/state', JSON.stringify({ state: 'running', timeoutMs: '5' }));
    expect(wrong.json.detail).toContain('body/timeoutMs');
    const enumv = await post('/systems/vm1/state', JSON.stringify({ state: 'exploded' }));
    expect(enumv.json.detail).toContain('body/state');
    const notObject = await post('/systems/vm1/state', '[1,2,3]');
    expect(notObject.status).toBe(400);
    const deep = await post('/systems', JSON.stringify({ system: { ElementName: 7 }, resources: [] }));
    expect(deep.json.detail).toContain('body/system/ElementName');
  });

  it('__proto__, constructor and prototype members are refused before anything reads them', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const r = await post(
        '/systems',
        `{"system":{"ElementName":"p1","${key}":{"polluted":"yes"}},"resources":[]}`,
      );
      expect([r.status, r.json.type], key).toEqual([400, 'urn:vessel:problem:REST_INVALID_BODY']);
      expect(r.json.detail).toContain(key);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await h.api.systems.list()).map((s) => s.name)).toEqual(['vm1']);
  });

  it('a body over the limit is 413 and the connection is closed', async () => {
    const big = JSON.stringify({
      system: { ElementName: 'big', Description: 'x'.repeat(100 << 10) },
      resources: [],
    });
    const r = await post('/systems', big);
    expect([r.status, r.json.code]).toEqual([413, 'LIMIT_EXCEEDED']);
    expect(r.headers.get('connection')).toBe('close');
    // A declared size over the limit is refused before a byte of it is read.
    const port = h.rest.server.httpPort ?? 0;
    const auth = Buffer.from('admin:secret').toString('base64');
    const text = await rawRequest(
      port,
      `POST /api/v1/systems HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{`,
    );
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('application/problem+json');
  });

  it('deeply nested JSON is a 400, and the server keeps answering', async () => {
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const r = await post('/systems/vm1/state', deep);
    expect([r.status, r.json.detail]).toEqual([400, 'The body nests deeper than 64 levels']);
    const objects = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    expect((await post('/systems', objects)).status).toBe(400);
    expect((await call(h.restUrl, ADMIN, 'GET', '/systems/vm1')).status).toBe(200);
  });

  it('a body that is not UTF-8 is 400', async () => {
    const r = await post('/systems/vm1/state', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect([r.status, r.json.detail]).toEqual([400, 'The body is not UTF-8 (RFC 8259 §8.1)']);
  });
});

describe('REST paths, queries and methods', () => {
  it('unknown routes are 404 problems and wrong methods 405 with Allow', async () => {
    const r = await call(h.restUrl, ADMIN, 'GET', '/nothing/here');
    expect([r.status, r.json.code]).toEqual([404, 'NOT_FOUND']);
    expect((await call(h.restUrl, ADMIN, 'GET', '/systems/')).status).toBe(404);
    const m = await call(h.restUrl, ADMIN, 'PATCH', '/systems/vm1');
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('GET, DELETE');
    const put = await call(h.restUrl, ADMIN, 'PUT', '/systems');
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST']);
  });

  it('path traversal and odd ids reach no file and no other resource', async () => {
    for (const path of [
      '/systems/..',
      '/systems/..%2F..%2Fetc%2Fpasswd',
      '/systems/%2e%2e',
      '/systems/vm1%00',
    ]) {
      const r = await call(h.restUrl, ADMIN, 'GET', path);
      expect([400, 404], path).toContain(r.status);
      // fetch itself resolves a literal `..`; the server sees /api/v1/ then (no route).
      expect(r.json.code, path).toMatch(/^(VM_NOT_FOUND|NOT_FOUND|INVALID_ARGUMENT)$/);
    }
    // Unresolved dot segments as a raw client sends them are just segments: no route climbs out.
    const auth = Buffer.from('admin:secret').toString('base64');
    const raw = await rawRequest(
      h.rest.server.httpPort ?? 0,
      `GET /api/v1/systems/../host HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nConnection: close\r\n\r\n`,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 404 /);
    expect(raw).not.toContain('vesselVersion');
    const bad = await call(h.restUrl, ADMIN, 'GET', '/systems/%E0%A4%A');
    expect([bad.status, bad.json.type]).toEqual([400, 'urn:vessel:problem:REST_INVALID_PATH']);
    const long = await call(h.restUrl, ADMIN, 'GET', `/systems/${'a'.repeat(300)}`);
    expect([long.status, long.json.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const job = await call(h.restUrl, ADMIN, 'GET', '/jobs/..%2F..');
    expect([job.status, job.json.code]).toEqual([400, 'INVALID_ARGUMENT']);
  });

  it('unknown, repeated or mistyped query parameters are 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['/systems?lmit=5', 'Unknown query parameter "lmit"'],
      ['/systems?limit=0', 'Query parameter "limit"'],
      ['/systems?limit=abc', 'Query parameter "limit"'],
      ['/systems?limit=1&limit=2', 'Query parameter "limit" is given 2 times'],
      ['/systems?state=sleeping', 'Query parameter "state"'],
      ['/systems/vm1?x=1', 'This resource takes no query'],
      ['/systems?__proto__=1', 'Unknown query parameter "__proto__"'],
    ];
    for (const [path, text] of cases) {
      const r = await call(h.restUrl, ADMIN, 'GET', path);
      expect([r.status, r.json.type], path).toEqual([400, 'urn:vessel:problem:REST_INVALID_QUERY']);
      expect(r.json.detail, path).toContain(text);
    }
  });

  it('no or wrong credentials are 401 with a Basic challenge', async () => {
    const none = await call(h.restUrl, undefined, 'GET', '/systems');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="Vessel"');
    expect([none.json.code, none.json.status]).toEqual(['AUTH_FAILED', 401]);
    expect((await call(h.restUrl, ['admin', 'wrong'], 'GET', '/systems')).status).toBe(401);
    expect((await call(h.restUrl, ['nobody', 'x'], 'GET', '/systems')).status).toBe(401);
  });
});

describe('REST logins', () => {
  it('failed logins are throttled with a 429 problem and Retry-After', async () => {
    const t = await startRestTestHost({ login: { freeFailuresPerAddress: 2, baseDelayMs: 5000 } });
    try {
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 5; i++) {
        last = await call(t.restUrl, ['admin', `wrong${i}`], 'GET', '/host');
        statuses.push(last.status);
      }
      expect(statuses).toContain(429);
      expect(last?.json.code).toBe('LIMIT_EXCEEDED');
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});

describe('the contract checker', () => {
  it('refuses a body that breaks the document (so the route tests can fail)', async () => {
    const fake = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ name: 'vm1' }));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const port = (fake.address() as { port: number }).port;
    try {
      await expect(call(`http://127.0.0.1:${port}/api/v1`, ADMIN, 'GET', '/systems/vm1')).rejects.toThrow(
        /breaks the contract/,
      );
    } finally {
      fake.close();
    }
  });
});

describe('REST under load', () => {
  it('8 clients x 40 requests are answered while a slowloris holds connections', async () => {
    const port = h.rest.server.httpPort ?? 0;
    const held: Socket[] = [];
    for (let i = 0; i < 16; i++) {
      const s = connect(port, '127.0.0.1', () => s.write('GET /api/v1/systems HTTP/1.1\r\nHost: x\r\n'));
      s.on('error', () => undefined);
      held.push(s);
    }
    const drip = setInterval(() => {
      for (const s of held) if (!s.destroyed) s.write('X-a: b\r\n');
    }, 500);
    try {
      const statuses: number[] = [];
      const client = async () => {
        for (let i = 0; i < 40; i++)
          statuses.push((await call(h.restUrl, ADMIN, 'GET', '/systems/vm1')).status);
      };
      const t0 = Date.now();
      await Promise.all(Array.from({ length: 8 }, client));
      expect(statuses.filter((s) => s === 200)).toHaveLength(320);
      expect(Date.now() - t0).toBeLessThan(20_000);
    } finally {
      clearInterval(drip);
      for (const s of held) s.destroy();
    }
  });
});
