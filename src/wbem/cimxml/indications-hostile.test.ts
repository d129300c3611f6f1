import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../api/index.js';
import type { CimInstance } from '../../cim/index.js';
import { CimClient } from './client.js';
import { startTestHost, type TestHost } from './test-host.js';

/**
 * Hostile listener destinations: one that never answers, one that fails, one that answers an error, one that
 * answers without end. The host must not stall, retries are bounded (2 retries, 300 ms per attempt here), and the
 * subscription's OnFatalErrorPolicy applies.
 */

let h: TestHost;
let admin: CimClient;
const servers: Server[] = [];
const hits = new Map<string, number>();

async function destinationServer(
  name: string,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const s = createServer((req, res) => {
    hits.set(name, (hits.get(name) ?? 0) + 1);
    req.resume();
    req.on('end', () => handle(req, res));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

async function subscribe(name: string, url: string, policy: string): Promise<void> {
  const f = await admin.createInstance({
    className: 'CIM_IndicationFilter',
    properties: { Name: name, Query: 'SELECT * FROM CIM_InstModification', QueryLanguage: 'DMTF:CQL' },
  });
  const d = await admin.createInstance({
    className: 'CIM_ListenerDestinationCIMXML',
    properties: { Name: name, Destination: url },
  });
  await admin.createInstance({
    className: 'CIM_IndicationSubscription',
    properties: { Filter: f, Handler: d, OnFatalErrorPolicy: policy },
  });
}

const export200 = (inner: string) =>
  `<?xml version="1.0"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLEEXPRSP><EXPMETHODRESPONSE NAME="ExportIndication">${inner}</EXPMETHODRESPONSE></SIMPLEEXPRSP></MESSAGE></CIM>`;

beforeAll(async () => {
  h = await startTestHost({
    vms: 1,
    indications: { retry: { attempts: 2, intervalMs: 50, maxIntervalMs: 100 }, timeoutMs: 300 },
  });
  admin = new CimClient(h.url, { user: 'admin', password: 'secret', namespace: 'root/interop' });
  await subscribe('silent', await destinationServer('silent', () => undefined), '2');
  await subscribe('failing', await destinationServer('failing', (_q, r) => r.writeHead(500).end('no')), '3');
  await subscribe(
    'refusing',
    await destinationServer('refusing', (_q, r) =>
      r
        .writeHead(200, { 'Content-Type': 'application/xml', CIMExport: 'MethodResponse' })
        .end(export200('<ERROR CODE="1" DESCRIPTION="no&#10;thanks"/>')),
    ),
    '4',
  );
  await subscribe(
    'flood',
    await destinationServer('flood', (_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/xml' });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = () => {
        while (!r.destroyed && r.write(chunk));
        if (!r.destroyed) r.once('drain', pump);
      };
      pump();
    }),
    '2',
  );
  await subscribe(
    'good',
    await destinationServer('good', (_q, r) =>
      r.writeHead(200, { 'Content-Type': 'application/xml', CIMExport: 'MethodResponse' }).end(export200('')),
    ),
    '2',
  );
}, 60_000);

afterAll(async () => {
  admin?.close();
  await h?.close();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

describe('indication delivery to hostile destinations', () => {
  it('never stalls the host, bounds the retries and applies OnFatalErrorPolicy', async () => {
    const engine = h.endpoint.indications!.engine;
    const t0 = Date.now();
    resultOf(await h.api.systems.changeState('vm1', 'start', { waitMs: 10_000 }));
    // The host answers at once while the deliveries hang and retry.
    const reader = new CimClient(h.url, { user: 'admin', password: 'secret' });
    try {
      const t1 = Date.now();
      expect(await reader.enumerateInstanceNames('CIM_ComputerSystem')).toHaveLength(2);
      // A host that waited for the hanging deliveries (up to 3 attempts of 300 ms each, for 4 destinations and 2
      // indications) would take over 5 s; the bound leaves a loaded machine's scrypt login room.
      expect(Date.now() - t1).toBeLessThan(5000);
    } finally {
      reader.close();
    }
    expect(Date.now() - t0).toBeLessThan(10_000);
    // Each state change (starting, running) is one indication: 3 attempts for each, then given up.
    await expect.poll(() => engine.stats('good')?.delivered, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    for (const name of ['silent', 'failing', 'refusing', 'flood'])
      await expect.poll(() => engine.stats(name)?.failed, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    // Once the deliveries settle, every indication the good listener got was tried three times at the silent one
    // and then given up (a later indication may still be on its way when the first has failed: wait for all).
    const settled = () => {
      const n = engine.stats('good')!.delivered;
      return { failed: engine.stats('silent')?.failed, hits: hits.get('silent'), n };
    };
    await expect
      .poll(
        () => {
          const x = settled();
          return x.failed === x.n && x.hits === 3 * x.n;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(engine.stats('silent')!.lastError).toMatch(/300 ms|time/i);
    expect(engine.stats('failing')!.lastError).toMatch(/HTTP 500/);
    expect(engine.stats('refusing')!.lastError).toMatch(/error 1: no thanks/);
    expect(engine.stats('flood')!.lastError).toMatch(/larger than 65536 bytes/);
    // Disable (3): the failing subscription is disabled; Remove (4): the refusing one is gone; Ignore (2) stays.
    const subs = await admin.enumerateInstances('CIM_IndicationSubscription');
    const state = (name: string) =>
      subs.find((s) => (s.properties.Filter as CimInstance['path'])!.keys.Name === name)?.properties
        .SubscriptionState;
    expect(state('failing')).toBe('4');
    expect(state('refusing')).toBeUndefined();
    expect(state('silent')).toBe('2');
    expect(state('good')).toBe('2');
    expect(
      subs.find((s) => (s.properties.Filter as CimInstance['path'])!.keys.Name === 'silent')?.properties
        .SubscriptionInfo,
    ).toMatch(/failed \d+/);
  }, 30_000);
});
