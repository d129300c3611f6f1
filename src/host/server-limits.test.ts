import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../model/index.js';
import { HostClient } from './client.js';
import { Host } from './host.js';
import { hostSocketPath } from './paths.js';
import { serveHost } from './server.js';
import { definitionFromWire } from './wire.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-srvlim-'));
const state = join(root, 'state');
const disk = join(root, 'images', 'd.raw'); // in a storage pool added below
let host: Host;
let server: Server;

beforeAll(async () => {
  host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
  mkdirSync(join(root, 'images'));
  writeFileSync(disk, '');
  host.pools.add('images', join(root, 'images'));
  server = await serveHost(host, { maxInFlight: 4, partialLineTimeoutMs: 500, maxUnreadBytes: 16 << 10 });
});
afterAll(async () => {
  server.close();
  await host.close();
  rmSync(root, { recursive: true, force: true });
});

/** A raw connection to the host socket, collecting everything it is sent. */
function open(): Promise<{ s: Socket; out: () => string; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const s = connect(hostSocketPath(state));
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      out += d;
    });
    s.on('error', () => undefined);
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    s.on('connect', () => resolve({ s, out: () => out, closed }));
  });
}

async function lines(c: { out: () => string }, n: number): Promise<string[]> {
  while (c.out().split('\n').length - 1 < n) await new Promise((r) => setTimeout(r, 10));
  return c.out().trim().split('\n');
}

describe('the host socket API under a slow, stuck or greedy client', () => {
  it('answers 2,000 pipelined requests of one write, a few at a time, and serves another client meanwhile', async () => {
    const c = await open();
    const requests = Array.from({ length: 2000 }, (_, i) => `{"id":${i},"method":"host.info"}\n`).join('');
    c.s.write(requests);
    const other = await HostClient.connect(state);
    expect(await other.call<unknown[]>('vm.list')).toEqual([]);
    other.close();
    const answers = (await lines(c, 2000)).map((l) => JSON.parse(l) as { id: number; result?: unknown });
    expect(answers.map((a) => a.id).sort((a, b) => a - b)).toEqual([...Array(2000).keys()]);
    expect(answers.every((a) => a.result !== undefined)).toBe(true);
    c.s.destroy();
  });

  it('closes a connection whose request line is never finished, however slowly its bytes come', async () => {
    const c = await open();
    c.s.write('{"id":1,');
    const drip = setInterval(() => c.s.write(' '), 100);
    await c.closed;
    clearInterval(drip);
    expect(c.out()).toContain('A request line was not finished within 500 ms');
  });

  it('drops a subscriber that stops reading, and keeps serving the others', async () => {
    const stuck = await open();
    stuck.s.write('{"id":1,"method":"events.subscribe"}\n');
    await lines(stuck, 1);
    stuck.s.pause();
    const reader = await HostClient.connect(state);
    const seen: unknown[] = [];
    await reader.subscribe((e) => seen.push(e));
    const def = buildDefinition({ name: 'ev1', cpus: 1, memoryBytes: 1n << 27n, disks: [disk] });
    // Each define and undefine pushes an event of about 250 bytes to both subscribers: 4,000 of them are more
    // than the socket buffers and the 16 KiB limit hold.
    const n = 4000;
    for (let i = 0; i < n; i += 2) {
      await host.define(def);
      await host.undefine('ev1');
      // Let the sockets work between two events, as they would between requests of a real client.
      await new Promise((r) => setImmediate(r));
    }
    while (seen.length < n) await new Promise((r) => setTimeout(r, 10));
    expect(seen.length).toBe(n);
    stuck.s.resume();
    await stuck.closed;
    const got = stuck.out().trim().split('\n').length - 1;
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(n);
    reader.close();
  });

  it('keeps a property named __proto__ as data in a definition received as JSON', () => {
    const def = definitionFromWire(
      JSON.parse('{"system":{"__proto__":["x"],"ElementName":"a"},"resources":[]}') as unknown,
    );
    expect(Object.getPrototypeOf(def.system)).toBe(Object.prototype);
    expect(Object.keys(def.system)).toEqual(['__proto__', 'ElementName']);
  });

  it('bounds what one request returns: absurd or hostile limits on events and console logs', async () => {
    const c = await HostClient.connect(state);
    try {
      for (const limit of [1e12, -5, 0.5, Number.MAX_SAFE_INTEGER])
        expect((await c.call<unknown[]>('events.list', { limit })).length).toBeLessThanOrEqual(10_000);
      expect(await c.call<unknown[]>('events.list', { limit: 1 })).toHaveLength(1);
    } finally {
      c.close();
    }
  });
});
