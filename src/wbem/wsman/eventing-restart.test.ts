import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Principal, resultOf } from '../../api/index.js';
import { INDICATIONS_FILE, type WsEventingRecord } from '../../cim/index.js';
import { DEFAULT_POOL, Host, openSession, USERS_FILE, UserStore } from '../../host/index.js';
import { buildDefinition } from '../../model/index.js';
import { hostApiFactory, serveCimXml } from '../cimxml/index.js';

// WS-Eventing subscriptions survive a restart of the host: kept in the state directory's indications.json with
// their expiry, as the DSP1054 subscriptions are; a live HTTP listener in this process receives the events the
// restarted host pushes.

const WSE = 'http://schemas.xmlsoap.org/ws/2004/08/eventing';
const ADMIN = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const WQL = 'http://schemas.microsoft.com/wbem/wsman/1/WQL';
const LOCAL: Principal = { user: 'local', role: 'admin', local: true, via: 'in-process' };

let stateDir: string;
let sink: Server;
let sinkUrl: string;
const pushed: Array<{ path: string; body: string }> = [];

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'vessel-wse-restart-'));
  await new UserStore(join(stateDir, USERS_FILE)).add('admin', 'admin', 'secret');
  sink = createServer((req, res) => {
    let b = '';
    req.on('data', (d: Buffer) => {
      b += d.toString();
    });
    req.on('end', () => {
      pushed.push({ path: req.url ?? '', body: b });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});

afterAll(async () => {
  sink.closeAllConnections();
  sink.close();
  await rm(stateDir, { recursive: true, force: true });
});

/** What `vessel host serve --wsman-http` runs, on the one state directory; `stop` ends it as a restart does. */
async function start() {
  const host = await Host.open({ stateDir, driverUri: 'test:///default' });
  const endpoint = await serveCimXml({
    api: hostApiFactory(host),
    hostName: 'testhost',
    stateDir,
    http: { port: 0 },
    shutdownTimeoutMs: 5000,
    indications: { retry: { attempts: 1, intervalMs: 50, maxIntervalMs: 50 }, timeoutMs: 500 },
    wsman: { http: { port: 0 } },
  });
  const api = openSession(host, LOCAL);
  const url = `http://127.0.0.1:${endpoint.wsman!.httpPort}/wsman`;
  const post = async (action: string, body: string, headers = '') => {
    const xml = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:e="${WSE}"><s:Header><a:To>${url}</a:To><w:ResourceURI s:mustUnderstand="true">http://schemas.dmtf.org/wbem/wscim/1/*</w:ResourceURI><a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><a:Action s:mustUnderstand="true">${WSE}/${action}</a:Action><a:MessageID>uuid:5f3b1c3e-0000-4000-8000-000000000002</a:MessageID>${headers}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
    const r = await fetch(url, {
      method: 'POST',
      headers: { authorization: ADMIN, 'content-type': 'application/soap+xml;charset=UTF-8' },
      body: xml,
    });
    return { status: r.status, text: await r.text() };
  };
  const define = async (name: string) => {
    const image = join(host.pools.get(DEFAULT_POOL).path, `${name}.qcow2`);
    await writeFile(image, '', { flag: 'a' });
    const def = buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n, disks: [image], nics: [] });
    resultOf(await api.systems.define(def, { waitMs: Number.POSITIVE_INFINITY }));
  };
  return {
    post,
    define,
    stop: async () => {
      await endpoint.close();
      await api.close();
      await host.close({ stopVms: true });
    },
  };
}

const subscribe = (path: string, expires: string) =>
  `<e:Subscribe><e:Delivery Mode="${WSE}/DeliveryModes/Push"><e:NotifyTo><a:Address>${sinkUrl}${path}</a:Address><a:ReferenceParameters><w:Cookie xmlns:w="urn:test">${path}</w:Cookie></a:ReferenceParameters></e:NotifyTo></e:Delivery><e:Expires>${expires}</e:Expires><w:Filter Dialect="${WQL}">SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_ComputerSystem</w:Filter></e:Subscribe>`;
const identifier = (text: string) => /<wse:Identifier>([^<]+)</.exec(text)?.[1];
const withId = (id: string) => `<e:Identifier>${id}</e:Identifier>`;
const stored = async (): Promise<WsEventingRecord[]> =>
  (
    JSON.parse(await readFile(join(stateDir, INDICATIONS_FILE), 'utf8')) as {
      wsEventing?: WsEventingRecord[];
    }
  ).wsEventing ?? [];

describe('WS-Eventing subscriptions across a host restart', { timeout: 120_000 }, () => {
  it('a subscription made before a restart delivers after it, with its reference parameters and expiry', async () => {
    const first = await start();
    const subscribed = Date.now();
    const sub = await first.post('Subscribe', subscribe('/kept', 'PT10M'));
    expect(sub.status, sub.text).toBe(200);
    const id = identifier(sub.text)!;
    const short = identifier((await first.post('Subscribe', subscribe('/short', 'PT2S'))).text)!;
    const gone = identifier((await first.post('Subscribe', subscribe('/gone', 'PT10M'))).text)!;
    expect((await first.post('Unsubscribe', '<e:Unsubscribe/>', withId(gone))).status).toBe(200);
    expect((await stored()).map((r) => r.id).sort()).toEqual([id, short].sort());
    await first.stop();

    // Down for longer than the short one's 2 s: it expires while the host is stopped.
    await new Promise((r) => setTimeout(r, 2500));
    const second = await start();
    try {
      const status = await second.post('GetStatus', '<e:GetStatus/>', withId(id));
      expect(status.status, status.text).toBe(200);
      // The 10 minutes ran on while the host was down (at least its 2.5 s), and no more than what has passed.
      const left = Number(/<wse:Expires>PT(\d+)S<\/wse:Expires>/.exec(status.text)?.[1]);
      const passed = Math.ceil((Date.now() - subscribed) / 1000);
      expect(left).toBeLessThanOrEqual(598);
      expect(left).toBeGreaterThanOrEqual(600 - passed - 1);
      const expired = await second.post('GetStatus', '<e:GetStatus/>', withId(short));
      expect(expired.status).toBe(400);
      expect(expired.text).toContain('it expired, ended, or was never made');
      await expect.poll(async () => (await stored()).map((r) => r.id)).toEqual([id]);

      await second.define('after1');
      await expect
        .poll(() => pushed.filter((p) => p.path === '/kept').length, { timeout: 10_000 })
        .toBeGreaterThan(0);
      const ev = pushed.find((p) => p.path === '/kept')!.body;
      expect(ev).toContain('<p:CIM_InstCreation');
      expect(ev).toContain('after1');
      expect(ev).toMatch(/<rp:Cookie xmlns:rp="urn:test">\/kept<\/rp:Cookie>/);
      expect(pushed.filter((p) => p.path === '/gone' || p.path === '/short')).toEqual([]);
      expect((await second.post('Unsubscribe', '<e:Unsubscribe/>', withId(id))).status).toBe(200);
      expect(await stored()).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('drops stored records that are malformed or hostile (a file: NotifyTo, a bad expiry, a filter that does not compile) and keeps the valid one', async () => {
    const file = join(stateDir, INDICATIONS_FILE);
    const state = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const good: WsEventingRecord = {
      id: 'uuid:good',
      user: 'admin',
      notifyTo: `${sinkUrl}/good`,
      refParams: '',
      expiresAt: Date.now() + 600_000,
      query: 'SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_ComputerSystem',
      queryLanguage: 'WQL',
    };
    state.wsEventing = [
      good,
      { ...good, id: 'uuid:file', notifyTo: 'file:///etc/passwd' },
      { ...good, id: 'uuid:nan', expiresAt: 'soon' },
      { ...good, id: 'uuid:query', query: 'DROP TABLE' },
      { ...good, id: 'uuid:lang', queryLanguage: 'SQL' },
      { ...good, id: 'x'.repeat(10_000) },
      null,
      'garbage',
    ];
    await writeFile(file, JSON.stringify(state));
    const h = await start();
    try {
      expect((await h.post('GetStatus', '<e:GetStatus/>', withId('uuid:good'))).status).toBe(200);
      expect((await h.post('GetStatus', '<e:GetStatus/>', withId('uuid:file'))).status).toBe(400);
      await expect.poll(async () => (await stored()).map((r) => r.id)).toEqual(['uuid:good']);
      await h.define('after2');
      await expect
        .poll(() => pushed.filter((p) => p.path === '/good').length, { timeout: 10_000 })
        .toBeGreaterThan(0);
    } finally {
      await h.stop();
    }
  });
});
