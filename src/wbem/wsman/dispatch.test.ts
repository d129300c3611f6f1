import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext, type ObjectManager } from '../../cim/index.js';
import { startTestHost, type TestHost } from '../cimxml/index.js';
import { dispatchWsman } from './dispatch.js';
import { createWsmanDispatcher } from './dispatcher.js';
import { parseDuration, readEnvelope } from './envelope.js';
import { DEFAULT_WSMAN_LIMITS } from './server.js';

const LIMITS = { ...DEFAULT_WSMAN_LIMITS, maxBytes: DEFAULT_WSMAN_LIMITS.maxBodyBytes };
const FIXTURE = join(import.meta.dirname, '../../../test/fixtures/wsman/powershell-mi-enumerate-wql.xml');
const ADMIN = newContext('admin', 'admin');

let h: TestHost;
beforeAll(async () => {
  h = await startTestHost({ vms: 2 });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('parseDuration()', () => {
  it.each([
    ['PT60S', 60_000],
    ['PT0.5S', 500],
    ['PT1M30.5S', 90_500],
    ['P1DT2H', 93_600_000],
    ['PT180.000S', 180_000],
  ])('reads %s as %d ms', (t, ms) => expect(parseDuration(t)).toBe(ms));
  it.each(['P', 'PT', '60', 'P1Y', 'PT-1S', 'PTxS'])('refuses %s', (t) =>
    expect(parseDuration(t)).toBeUndefined(),
  );
});

describe('dispatchWsman()', () => {
  it('the request shape of PowerShell`s MI client (SYNTHETIC fixture: wscim/1/*, WQL, UsePreciseArrays, MaxElements 32000) is answered', async () => {
    const d = createWsmanDispatcher(h.endpoint.service.om, 'testhost', '0.1.0');
    const r = await dispatchWsman(d, await readEnvelope(readFileSync(FIXTURE), LIMITS), ADMIN);
    expect(r.status).toBe(200);
    // Both systems are defined but not running (EnabledState 3); the host system runs (2).
    expect([...r.bytes.toString().matchAll(/<p:Name>([^<]+)</g)].map((m) => m[1])).toEqual(['vm1', 'vm2']);
    expect(r.bytes.toString()).toContain('<wsman:EndOfSequence/>');
  });

  it('OperationTimeout: an operation slower than the timeout is wsman:TimedOut (500)', async () => {
    const om = h.endpoint.service.om;
    const slow = new Proxy(om, {
      get(target, prop, receiver) {
        if (prop === 'enumerateInstances')
          return async (...args: Parameters<ObjectManager['enumerateInstances']>) => {
            await new Promise((r) => setTimeout(r, 300));
            return target.enumerateInstances(...args);
          };
        return Reflect.get(target, prop, receiver);
      },
    });
    const d = createWsmanDispatcher(slow, 'testhost', '0.1.0');
    const env = (timeout: string) =>
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</a:Action><a:MessageID>uuid:5</a:MessageID><w:ResourceURI>http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem</w:ResourceURI><w:OperationTimeout>${timeout}</w:OperationTimeout></s:Header><s:Body><n:Enumerate/></s:Body></s:Envelope>`;
    const late = await dispatchWsman(d, await readEnvelope(env('PT0.05S'), LIMITS), ADMIN);
    expect(late.status).toBe(500);
    expect(late.bytes.toString()).toContain('<s:Value>wsman:TimedOut</s:Value>');
    const ok = await dispatchWsman(d, await readEnvelope(env('PT5S'), LIMITS), ADMIN);
    expect(ok.status).toBe(200);
  });

  it('a Get answers the system as it is now: the same instance while nothing changed, the new state after a change', async () => {
    const d = createWsmanDispatcher(h.endpoint.service.om, 'testhost', '0.1.0');
    const get = async () => {
      const env = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action><a:MessageID>uuid:${Math.random()}</a:MessageID><w:ResourceURI>http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Vessel_ComputerSystem</w:ResourceURI><w:SelectorSet><w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">vm2</w:Selector></w:SelectorSet></s:Header><s:Body/></s:Envelope>`;
      // A context per request, as the server makes: its memo is one operation's picture of the host.
      const r = await dispatchWsman(d, await readEnvelope(env, LIMITS), newContext('admin', 'admin'));
      expect(r.status).toBe(200);
      const xml = r.bytes.toString();
      // The answer's own headers (MessageID, RelatesTo) differ each time; the instance is the body.
      return {
        body: /<s:Body>(.*)<\/s:Body>/s.exec(xml)![1]!,
        relatesTo: /<wsa:RelatesTo>([^<]+)</.exec(xml)![1]!,
        enabled: /<p:EnabledState>(\d+)</.exec(xml)![1],
        requested: /<p:RequestedState>(\d+)</.exec(xml)![1],
      };
    };
    const a = await get();
    const b = await get();
    expect(a.enabled).toBe('3');
    expect(b.body).toBe(a.body);
    expect(b.relatesTo).not.toBe(a.relatesTo);
    await h.api.systems.changeState('vm2', 'start', { waitMs: Number.POSITIVE_INFINITY });
    try {
      const c = await get();
      expect(c.enabled).toBe('2');
      expect(c.requested).toBe('2');
      expect(c.body).not.toBe(a.body);
      expect((await get()).body).toBe(c.body);
    } finally {
      await h.api.systems.changeState('vm2', 'powerOff', { waitMs: Number.POSITIVE_INFINITY });
    }
    const e = await get();
    expect(e.enabled).toBe('3');
    expect(e.requested).toBe('3');
  });

  it('an unexpected failure is wsman:InternalError without its details, reported to onInternalError', async () => {
    const seen: unknown[] = [];
    const broken = new Proxy(h.endpoint.service.om, {
      get(target, prop, receiver) {
        if (prop === 'getInstance') return async () => Promise.reject(new Error('secret detail'));
        return Reflect.get(target, prop, receiver);
      },
    });
    const d = createWsmanDispatcher(broken, 'testhost', '0.1.0', (e) => seen.push(e));
    const env = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action><a:MessageID>uuid:5</a:MessageID><w:ResourceURI>http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Vessel_ComputerSystem</w:ResourceURI><w:SelectorSet><w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">vm1</w:Selector></w:SelectorSet></s:Header><s:Body/></s:Envelope>`;
    const r = await dispatchWsman(d, await readEnvelope(env, LIMITS), ADMIN);
    expect(r.status).toBe(500);
    expect(r.bytes.toString()).toContain('wsman:InternalError');
    expect(r.bytes.toString()).not.toContain('secret detail');
    expect(seen).toHaveLength(1);
  });

  it('a method that answers 4096 gives the Job as an EPR, and a Get of that EPR`s selectors reads the job', async () => {
    const slow = await startTestHost({ vms: 1, syncMs: 0 });
    try {
      const d = createWsmanDispatcher(slow.endpoint.service.om, 'testhost', '0.1.0');
      const uri = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem';
      const head = (action: string, resource: string, selectors: string) =>
        `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:Action>${action}</a:Action><a:MessageID>uuid:7</a:MessageID><w:ResourceURI>${resource}</w:ResourceURI><w:SelectorSet>${selectors}</w:SelectorSet></s:Header>`;
      const r = await dispatchWsman(
        d,
        await readEnvelope(
          `${head(`${uri}/RequestStateChange`, uri, '<w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">vm1</w:Selector>')}<s:Body><p:RequestStateChange_INPUT xmlns:p="${uri}"><p:RequestedState>2</p:RequestedState></p:RequestStateChange_INPUT></s:Body></s:Envelope>`,
          LIMITS,
        ),
        ADMIN,
      );
      expect(r.bytes.toString()).toContain('<p:ReturnValue>4096</p:ReturnValue>');
      const job = /<p:Job>(.*?)<\/p:Job>/s.exec(r.bytes.toString())![1]!;
      const resource = /<wsman:ResourceURI>([^<]+)</.exec(job)![1]!;
      const selectors = /<wsman:SelectorSet>(.*?)<\/wsman:SelectorSet>/s
        .exec(job)![1]!
        .replaceAll('wsman:', 'w:');
      expect(resource).toMatch(/ConcreteJob$/);
      const g = await dispatchWsman(
        d,
        await readEnvelope(
          `${head('http://schemas.xmlsoap.org/ws/2004/09/transfer/Get', resource, selectors)}<s:Body/></s:Envelope>`,
          LIMITS,
        ),
        ADMIN,
      );
      expect(g.status).toBe(200);
      expect(g.bytes.toString()).toMatch(/<p:JobState>\d+<\/p:JobState>/);
    } finally {
      await slow.close();
    }
  });
});
