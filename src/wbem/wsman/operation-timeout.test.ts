import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext, type ObjectManager } from '../../cim/index.js';
import { startTestHost, type TestHost } from '../cimxml/index.js';
import { Deadline, MAX_OPERATION_TIMEOUT_MS } from './deadline.js';
import { dispatchWsman } from './dispatch.js';
import { createWsmanDispatcher } from './dispatcher.js';
import { enumerate, pull } from './enumerate.js';
import { readEnvelope } from './envelope.js';
import { WsmanFault } from './errors.js';
import { DEFAULT_WSMAN_LIMITS } from './server.js';

// wsman:OperationTimeout (DSP0226 §6.1) against a live host: malformed durations, the server's own bound, a read
// that runs out leaves no enumeration context, a Pull that runs out leaves its context as it was, and a method
// under a short timeout answers its job in time instead of wsman:TimedOut.

const CIM = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
const WSEN = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration';
const LIMITS = { ...DEFAULT_WSMAN_LIMITS, maxBytes: DEFAULT_WSMAN_LIMITS.maxBodyBytes };
const ADMIN = `Basic ${Buffer.from('admin:secret').toString('base64')}`;

let h: TestHost;
beforeAll(async () => {
  h = await startTestHost({ vms: 3, wsman: true });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

function soap(action: string, uri: string, headers: string, body: string, selectors = ''): string {
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:n="${WSEN}"><s:Header><a:To>http://127.0.0.1/wsman</a:To><a:Action s:mustUnderstand="true">${action}</a:Action><a:MessageID>uuid:9</a:MessageID><w:ResourceURI s:mustUnderstand="true">${uri}</w:ResourceURI>${selectors}${headers}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}
const timeout = (t: string) => `<w:OperationTimeout>${t}</w:OperationTimeout>`;
const vmSelectors = (name: string) =>
  `<w:SelectorSet><w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">${name}</w:Selector></w:SelectorSet>`;
const getVm = (headers: string) =>
  soap(
    'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get',
    `${CIM}Vessel_ComputerSystem`,
    headers,
    '',
    vmSelectors('vm1'),
  );

async function post(xml: string): Promise<{ status: number; text: string; ms: number }> {
  const t = performance.now();
  const r = await fetch(h.wsmanUrl!, {
    method: 'POST',
    headers: { authorization: ADMIN, 'content-type': 'application/soap+xml;charset=UTF-8' },
    body: xml,
  });
  return { status: r.status, text: await r.text(), ms: performance.now() - t };
}
const subcode = (text: string) => /<s:Subcode><s:Value>([^<]+)</.exec(text)?.[1];

describe('OperationTimeout header', () => {
  it.each([
    '',
    'abc',
    'P',
    'PT',
    '60',
    '-PT5S',
    'PT0S',
    'PT1.5M',
    'P1Y',
    'P2M',
    'PT 5S',
    'PT99999999999S',
    `PT${'9'.repeat(10_000)}S`,
  ])(
    'a malformed duration "%s" is wsa:InvalidMessageInformationHeader (400), and nothing is done',
    async (t) => {
      const uri = `${CIM}Vessel_ComputerSystem`;
      const r = await post(
        soap(
          `${uri}/RequestStateChange`,
          uri,
          timeout(t),
          `<p:RequestStateChange_INPUT xmlns:p="${uri}"><p:RequestedState>2</p:RequestedState></p:RequestStateChange_INPUT>`,
          vmSelectors('vm3'),
        ),
      );
      expect(r.status).toBe(400);
      expect(subcode(r.text)).toBe('wsa:InvalidMessageInformationHeader');
      expect(r.text).toContain('OperationTimeout');
      expect((await h.api.systems.get('vm3')).state).toBe('stopped');
    },
  );

  it('a well-formed timeout is answered, and an absurdly large one is served under the server’s bound', async () => {
    for (const t of ['PT30S', 'PT0.5S', 'P1DT2H', 'P999999D', 'PT999999999S']) {
      const r = await post(getVm(timeout(t)));
      expect(r.status, `${t}: ${r.text.slice(0, 300)}`).toBe(200);
      expect(r.text).toContain('<p:Name>vm1</p:Name>');
    }
    expect(new Deadline(86_400_000 * 999_999).ms).toBe(MAX_OPERATION_TIMEOUT_MS);
  });

  it('an operation slower than its timeout is wsman:TimedOut (500) on time, and leaves no enumeration context', async () => {
    const om = h.endpoint.service.om;
    const slow = new Proxy(om, {
      get(target, prop, receiver) {
        if (prop === 'enumerateInstances')
          return async (...args: Parameters<ObjectManager['enumerateInstances']>) => {
            await new Promise((r) => setTimeout(r, 3000));
            return target.enumerateInstances(...args);
          };
        return Reflect.get(target, prop, receiver);
      },
    });
    const d = createWsmanDispatcher(slow, 'testhost', '0.1.0');
    // Not optimized: every item waits in a context for the Pulls.
    const req = (t: string) =>
      readEnvelope(
        soap(`${WSEN}/Enumerate`, `${CIM}CIM_ComputerSystem`, timeout(t), '<n:Enumerate/>'),
        LIMITS,
      );
    const t0 = performance.now();
    const late = await dispatchWsman(d, await req('PT0.05S'), newContext('admin', 'admin'));
    expect(performance.now() - t0).toBeLessThan(2500); // answered before the 3 s read ends
    expect(late.status).toBe(500);
    expect(late.bytes.toString()).toContain('<s:Value>wsman:TimedOut</s:Value>');
    expect(late.bytes.toString()).toContain('nothing was changed');
    await new Promise((r) => setTimeout(r, 3200)); // the read ends
    expect(d.contexts.size).toBe(0);
    const ok = await dispatchWsman(d, await req('PT5S'), newContext('admin', 'admin'));
    expect(ok.status).toBe(200);
    expect(d.contexts.size).toBe(1);
    // Days are more than a timer holds (2^31 ms, beyond which Node fires at once): the server's bound applies.
    const huge = await dispatchWsman(d, await req('P999999D'), newContext('admin', 'admin'));
    expect(huge.status, huge.bytes.toString().slice(0, 400)).toBe(200);
  });

  it('a Pull whose time ran out is wsman:TimedOut and takes nothing from its context; the next Pull gets every item', async () => {
    const d = createWsmanDispatcher(h.endpoint.service.om, 'testhost', '0.1.0');
    const ctx = newContext('admin', 'admin');
    const fits = () => true;
    const opened = await enumerate(
      d,
      await readEnvelope(soap(`${WSEN}/Enumerate`, `${CIM}CIM_ComputerSystem`, '', '<n:Enumerate/>'), LIMITS),
      ctx,
      fits,
    );
    const context = /<wsen:EnumerationContext>([^<]+)</.exec(opened.body)![1]!;
    const pullReq = await readEnvelope(
      soap(
        `${WSEN}/Pull`,
        `${CIM}CIM_ComputerSystem`,
        '',
        `<n:Pull><n:EnumerationContext>${context}</n:EnumerationContext><n:MaxElements>100</n:MaxElements></n:Pull>`,
      ),
      LIMITS,
    );
    let fault: unknown;
    try {
      pull(d, pullReq, ctx, fits, new Deadline(0));
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(WsmanFault);
    expect((fault as WsmanFault).code).toBe('WSMAN_TIMED_OUT');
    const all = pull(d, pullReq, ctx, fits, new Deadline(5000));
    expect(all.body.match(/<p:Name>/g)).toHaveLength(4); // the host and three virtual systems
    expect(all.body).toContain('<wsen:EndOfSequence/>');
  });

  it('a method under a short timeout answers its job (4096) in time instead of TimedOut; the change runs to its end', async () => {
    await h.api.systems.changeState('vm2', 'start', { waitMs: Number.POSITIVE_INFINITY });
    // The simulated guest takes 3 s to power off after the ACPI button (test driver's knob, set for this test).
    const driver = h.driver as unknown as { shutdownDelayMs: number };
    const before = driver.shutdownDelayMs;
    driver.shutdownDelayMs = 3000;
    try {
      const uri = `${CIM}Vessel_ComputerSystem`;
      const r = await post(
        soap(
          `${uri}/RequestStateChange`,
          uri,
          timeout('PT1S'),
          `<p:RequestStateChange_INPUT xmlns:p="${uri}"><p:RequestedState>4</p:RequestedState></p:RequestStateChange_INPUT>`,
          vmSelectors('vm2'),
        ),
      );
      expect(r.status, r.text.slice(0, 500)).toBe(200);
      expect(r.ms).toBeLessThan(1000);
      expect(r.text).toContain('<p:ReturnValue>4096</p:ReturnValue>');
      expect(r.text).toMatch(/ConcreteJob/);
      await expect
        .poll(async () => (await h.api.systems.get('vm2')).state, { timeout: 10_000 })
        .toBe('stopped');
    } finally {
      driver.shutdownDelayMs = before;
    }
  });
});
