import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/index.js';
import { RestApi } from './api.js';

// RestApi against a server that does not answer as a Vessel host would: HTML instead of JSON, a problem with a code
// no Vessel knows, a body over the client's limit, an event stream with an endless line,
// and no answer at all. Each is a clear ApiError (or an ended subscription), never a hang or a crash.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
let base = '';
const server = createServer((req, res) => {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const h = routes.get(path);
  if (h) h(req, res);
  else res.writeHead(404).end();
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  routes.set('/api/v1/host', (_q, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hi</html>'),
  );
  routes.set('/api/v1/systems/odd', (_q, res) =>
    res
      .writeHead(418, { 'Content-Type': 'application/problem+json' })
      .end(JSON.stringify({ code: 'TEAPOT', detail: 'short\r\nand stout' })),
  );
  // A problem whose `errors` are partly malformed, too many and full of control characters.
  routes.set('/api/v1/systems/fields', (_q, res) =>
    res.writeHead(400, { 'Content-Type': 'application/problem+json' }).end(
      JSON.stringify({
        code: 'DEFINITION_INVALID',
        detail: 'no',
        errors: [
          { pointer: '/resources/1\r\n', detail: 'bad\u0000memory' },
          { pointer: 7, detail: 'x' },
          'text',
          null,
          { pointer: '/system/ElementName' },
          ...Array.from({ length: 70 }, (_, i) => ({
            pointer: `/resources/${i}`,
            detail: 'y'.repeat(9000),
          })),
        ],
      }),
    ),
  );
  routes.set('/api/v1/networks', (_q, res) => res.writeHead(200).end(`{"items":["${'x'.repeat(3 << 20)}"]}`));
  routes.set('/api/v1/pools', () => undefined); // never answers
  routes.set('/api/v1/events', (_q, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write(`data: ${'y'.repeat(2 << 20)}`);
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a refusal');
}

describe('RestApi against a hostile server', () => {
  const api = () =>
    new RestApi({ url: new URL(base), user: 'u', password: 'p', timeoutMs: 1500, maxBytes: 1 << 20 });

  it('refuses a body that is not JSON, naming the status', async () => {
    const e = await refusal(api().host.info());
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('not JSON');
  });

  it('takes a problem with an unknown code as PROTOCOL, its text without control characters', async () => {
    const e = await refusal(api().systems.get('odd'));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).not.toMatch(/[\r\n]/);
  });

  it("keeps a problem's well-formed `errors` only: 64 at most, texts bounded and printable", async () => {
    const e = await refusal(api().systems.get('fields'));
    expect(e.code).toBe('DEFINITION_INVALID');
    expect(e.errors?.[0]).toEqual({ pointer: '/resources/1', detail: 'bad memory' });
    expect(e.errors?.length).toBe(60); // of the first 64 members, the 4 malformed ones are left out
    expect(Math.max(...(e.errors ?? []).map((f) => f.detail.length))).toBe(8192);
  });

  it('refuses an answer over its size limit, and a server that never answers', async () => {
    expect((await refusal(api().networks.list())).code).toBe('PROTOCOL');
    expect((await refusal(api().pools.list())).code).toBe('HOST_UNREACHABLE');
  });

  it('ends a subscription whose stream sends a line over 1 MiB, with an error', async () => {
    const seen: unknown[] = [];
    const sub = await api().events.subscribe({}, (e) => seen.push(e));
    const e = await refusal(sub.ended);
    expect(e.code).toBe('PROTOCOL');
    expect(seen).toEqual([]);
  });
});
