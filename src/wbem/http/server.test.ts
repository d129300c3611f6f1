import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS_FILE, UserStore } from '../../host/index.js';
import { HttpError } from './errors.js';
import { type HttpServer, startHttpServer } from './server.js';

// The protocol-neutral HTTP server with a small echo route, no protocol on top: routing, authentication, body
// limits and the server's own error answers. The gate and the login throttle are tested end to end under CIM-XML
// in gate.test.ts and login.test.ts.

/** Writes bytes on a fresh connection and answers everything received until the server closes it. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    sock.on('error', reject);
    sock.write(bytes);
  });
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const ADMIN = basic('admin', 'secret');
const req = (method: string, path: string, body = '', auth = ADMIN) =>
  `${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nConnection: close\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

let dir: string;
let server: HttpServer;
let port: number;
const internal: unknown[] = [];
/** Bodies whose handler waits until released, to hold the body budget. */
let release: (() => void) | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vessel-http-'));
  const users = new UserStore(join(dir, USERS_FILE));
  await users.add('admin', 'admin', 'secret');
  server = await startHttpServer({
    auth: { users, realm: 'Test' },
    http: { port: 0 },
    limits: { maxBodyBytes: 1000, maxBufferedBodyBytes: 1500 },
    onInternalError: (e) => internal.push(e),
    routes: [
      {
        path: '/echo',
        methods: ['POST'],
        async handle({ res, user, readBody }) {
          const body = (await readBody()).toString('utf8');
          if (body === 'refuse') throw new HttpError('HTTP_BAD_REQUEST', 'Refused by the route');
          if (body === 'crash') throw new Error('boom');
          if (body.startsWith('hold')) await new Promise<void>((r) => (release = r));
          const text = `${user.name}/${user.role}: ${body}`;
          res.writeHead(200, { 'Content-Length': Buffer.byteLength(text) });
          res.end(text);
        },
      },
      {
        path: '/tree/',
        methods: ['GET', 'PUT'],
        async handle({ req, res }) {
          res.writeHead(200, { 'Content-Length': Buffer.byteLength(req.url ?? '') });
          res.end(req.url);
        },
      },
    ],
  });
  port = server.httpPort!;
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('startHttpServer()', () => {
  it('hands an authenticated request and its body to the route of its path', async () => {
    const r = await raw(port, req('POST', '/echo?x=1', 'hello'));
    expect(r).toMatch(/^HTTP\/1\.1 200 /);
    expect(r).toContain('admin/admin: hello');
    expect(await raw(port, req('GET', '/tree/a/b'))).toContain('\r\n\r\n/tree/a/b');
  });

  it('answers an unknown path 404 and a method the route does not take 405 with Allow', async () => {
    expect(await raw(port, req('POST', '/nothing'))).toMatch(/^HTTP\/1\.1 404 /);
    expect(await raw(port, req('POST', '/tree'))).toMatch(/^HTTP\/1\.1 404 /);
    const r = await raw(port, req('DELETE', '/tree/x'));
    expect(r).toMatch(/^HTTP\/1\.1 405 /);
    expect(r).toMatch(/\r\nAllow: GET, PUT\r\n/);
  });

  it('answers a method HTTP does not know (M-POST) 501 Not Implemented before any authentication', async () => {
    const r = await raw(port, req('M-POST', '/echo', 'x', 'none'));
    expect(r).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
    expect(r).toMatch(/\r\nConnection: close\r\n/);
  });

  it('challenges a request without credentials or with wrong ones (401, the realm), the route unreached', async () => {
    const none = await raw(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx');
    expect(none).toMatch(/^HTTP\/1\.1 401 /);
    expect(none).toContain('WWW-Authenticate: Basic realm="Test"');
    expect(await raw(port, req('POST', '/echo', 'x', basic('admin', 'wrong')))).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('answers a body over the limit 413, before reading it when declared', async () => {
    const r = await raw(port, req('POST', '/echo', 'x'.repeat(1001)));
    expect(r).toMatch(/^HTTP\/1\.1 413 /);
    expect(r).toContain('over the limit of 1000 bytes');
  });

  it('answers 503 with Retry-After when the bodies held at once would pass the budget', async () => {
    const held = raw(port, req('POST', '/echo', `hold${'x'.repeat(900)}`));
    await expect.poll(() => release).toBeDefined();
    const r = await raw(port, req('POST', '/echo', 'y'.repeat(900)));
    expect(r).toMatch(/^HTTP\/1\.1 503 /);
    expect(r).toMatch(/\r\nRetry-After: 1\r\n/);
    expect(r).toContain('too many request bodies');
    release?.();
    expect(await held).toMatch(/^HTTP\/1\.1 200 /);
    // The budget is given back once the request is done.
    expect(await raw(port, req('POST', '/echo', 'y'.repeat(900)))).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("answers a route's HttpError with its status and anything else with 500, told to onInternalError", async () => {
    const refused = await raw(port, req('POST', '/echo', 'refuse'));
    expect(refused).toMatch(/^HTTP\/1\.1 400 /);
    expect(refused).toContain('Refused by the route');
    expect(await raw(port, req('POST', '/echo', 'crash'))).toMatch(/^HTTP\/1\.1 500 /);
    expect(internal).toHaveLength(1);
    expect((internal[0] as Error).message).toBe('boom');
  });
});
