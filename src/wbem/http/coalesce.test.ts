import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { endWithTurn } from './coalesce.js';

// Answers ended with endWithTurn over real connections: held until the turn ends, then all sent, a cut connection
// costing only its own answer.

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  server = undefined;
});

/** A server that hands each request's response to `onRequest` once its body is read. */
async function serve(onRequest: (res: ServerResponse) => void): Promise<number> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => onRequest(res));
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}

/** A GET on a connection of its own: the status and body, or the error that ended it. */
function get(port: number): Promise<{ status: number; body: string } | Error> {
  return new Promise((ok) => {
    const r = request({ port, host: '127.0.0.1', path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
      res.on('error', ok);
    });
    r.on('error', ok);
    r.end();
  });
}

function answer(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'Content-Length': Buffer.byteLength(body) });
  endWithTurn(res, body);
}

describe('endWithTurn', () => {
  it('sends a lone answer at the end of the turn that made it, not before', async () => {
    const ended: boolean[] = [];
    const port = await serve((res) => {
      answer(res, 'one');
      ended.push(res.writableEnded);
      setImmediate(() => ended.push(res.writableEnded));
    });
    expect(await get(port)).toEqual({ status: 200, body: 'one' });
    expect(ended).toEqual([false, true]);
  });

  it('sends the answers of one turn together, in order, each to its own connection', async () => {
    const held: ServerResponse[] = [];
    const states: boolean[][] = [];
    const port = await serve((res) => {
      held.push(res);
      if (held.length < 3) return;
      // All three answered in one turn: none leaves before the turn ends, all leave at its end.
      for (const [i, r] of held.entries()) answer(r, `answer ${i}`);
      states.push(held.map((r) => r.writableEnded));
      setImmediate(() => states.push(held.map((r) => r.writableEnded)));
    });
    const got = await Promise.all([get(port), get(port), get(port)]);
    expect(got.map((g) => (g instanceof Error ? g.message : g.body)).sort()).toEqual([
      'answer 0',
      'answer 1',
      'answer 2',
    ]);
    expect(states).toEqual([
      [false, false, false],
      [true, true, true],
    ]);
  });

  it('sends the others when one connection is cut before the turn ends', async () => {
    const held: ServerResponse[] = [];
    const port = await serve((res) => {
      held.push(res);
      if (held.length < 3) return;
      for (const [i, r] of held.entries()) answer(r, `answer ${i}`);
      held[1]?.socket?.destroy();
    });
    const got = await Promise.all([get(port), get(port), get(port)]);
    const bodies = got.filter((g) => !(g instanceof Error)).map((g) => (g as { body: string }).body);
    expect(got.filter((g) => g instanceof Error)).toHaveLength(1);
    // Which client's connection was cut depends on arrival order; the other two have their whole answers.
    expect(bodies).toHaveLength(2);
    for (const b of bodies) expect(b).toMatch(/^answer [02]$/);
  });
});
