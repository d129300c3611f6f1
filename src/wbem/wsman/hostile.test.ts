import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../cimxml/index.js';

// Hostile SOAP against a live host: every one is answered with a fault (or the HTTP layer's 413) quickly, the
// server stays up, and nothing reaches the object manager. Then a small bounded loopback load test.

const ADMIN = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const READER = `Basic ${Buffer.from('rita:r3ad').toString('base64')}`;
const CIM = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
const HEAD =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">';
const GET = `<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action><a:MessageID>uuid:9</a:MessageID><w:ResourceURI>${CIM}Vessel_ComputerSystem</w:ResourceURI><w:SelectorSet><w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">vm1</w:Selector></w:SelectorSet></s:Header><s:Body/>`;

let h: TestHost;
beforeAll(async () => {
  h = await startTestHost({
    vms: 2,
    wsman: true,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function post(
  body: string | Buffer,
  auth = ADMIN,
): Promise<{ status: number; text: string; ms: number }> {
  const t = performance.now();
  const r = await fetch(h.wsmanUrl!, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/soap+xml;charset=UTF-8' },
    body,
  });
  return { status: r.status, text: await r.text(), ms: performance.now() - t };
}
const subcode = (t: string) =>
  /<s:Subcode><s:Value>([^<]+)</.exec(t)?.[1] ?? /<s:Code><s:Value>([^<]+)</.exec(t)?.[1];

describe('hostile SOAP', () => {
  it.each([
    ['a DOCTYPE', `<!DOCTYPE s:Envelope [<!ELEMENT x ANY>]>${HEAD}${GET}</s:Envelope>`],
    [
      'entity expansion (billion laughs)',
      `<!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${HEAD}<s:Header><a:MessageID>&c;</a:MessageID></s:Header><s:Body/></s:Envelope>`,
    ],
    [
      'an external entity',
      `<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>${HEAD}<s:Body>&x;</s:Body></s:Envelope>`,
    ],
    [
      'an undefined entity',
      `${HEAD}<s:Header><a:MessageID>&x;</a:MessageID></s:Header><s:Body/></s:Envelope>`,
    ],
    [
      'bad UTF-8',
      Buffer.concat([
        Buffer.from(`${HEAD}<s:Body>`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('</s:Body></s:Envelope>'),
      ]),
    ],
    ['not XML', 'hello'],
    ['an unclosed envelope', `${HEAD}${GET}`],
  ])('%s is a sender fault, answered at once', async (_what, body) => {
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.text).toContain('<s:Fault>');
    expect(r.text).not.toContain('root:');
    expect(r.ms).toBeLessThan(2000);
  });

  it('deep nesting, many elements and many attributes are wsman:EncodingLimit', async () => {
    const deep = `${HEAD}<s:Body>${'<x>'.repeat(5000)}${'</x>'.repeat(5000)}</s:Body></s:Envelope>`;
    expect(subcode((await post(deep)).text)).toBe('wsman:EncodingLimit');
    const many = `${HEAD}<s:Body>${'<x/>'.repeat(30_000)}</s:Body></s:Envelope>`;
    expect(subcode((await post(many)).text)).toBe('wsman:EncodingLimit');
    const attrs = `${HEAD}<s:Body><x ${Array.from({ length: 100 }, (_, i) => `a${i}="1"`).join(' ')}/></s:Body></s:Envelope>`;
    expect(subcode((await post(attrs)).text)).toBe('wsman:EncodingLimit');
  });

  it('a huge envelope is refused by the HTTP layer (413) before it is read', async () => {
    const r = await post(`${HEAD}<s:Body>${'x'.repeat(2 << 20)}</s:Body></s:Envelope>`);
    expect(r.status).toBe(413);
  });

  it('wrong namespaces: a WS-Addressing 2005 Action is not this server`s, so the request has no Action', async () => {
    const r = await post(
      `${HEAD}<s:Header><b:Action xmlns:b="http://www.w3.org/2005/08/addressing">http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</b:Action><a:MessageID>1</a:MessageID></s:Header><s:Body/></s:Envelope>`,
    );
    expect(subcode(r.text)).toBe('wsa:MessageInformationHeaderRequired');
    const body = await post(
      `${HEAD}<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</a:Action><a:MessageID>1</a:MessageID><w:ResourceURI>${CIM}Vessel_ComputerSystem</w:ResourceURI></s:Header><s:Body><Enumerate/></s:Body></s:Envelope>`,
    );
    expect(subcode(body.text)).toBe('wsman:SchemaValidationError');
  });

  it('bad selectors: a reference where text belongs, selector-injected keys, a huge number of selectors', async () => {
    const sel = (inner: string) =>
      `${HEAD}<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action><a:MessageID>1</a:MessageID><w:ResourceURI>${CIM}Vessel_ComputerSystem</w:ResourceURI><w:SelectorSet>${inner}</w:SelectorSet></s:Header><s:Body/></s:Envelope>`;
    const epr = await post(
      sel(
        '<w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name"><a:EndpointReference/></w:Selector>',
      ),
    );
    expect(subcode(epr.text)).toBe('wsman:InvalidSelectors');
    const inject = await post(
      sel(
        '<w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">vm1",Name="vm2</w:Selector>',
      ),
    );
    expect(subcode(inject.text)).toBe('wsa:DestinationUnreachable');
    const lots = await post(
      sel(Array.from({ length: 100 }, (_, i) => `<w:Selector Name="k${i}">v</w:Selector>`).join('')),
    );
    expect(subcode(lots.text)).toBe('wsman:InvalidSelectors');
  });

  it('a reader may read but not call a method: wsman:AccessDenied carrying CIM_ERR_ACCESS_DENIED, vm1 stays stopped', async () => {
    expect((await post(`${HEAD}${GET}</s:Envelope>`, READER)).status).toBe(200);
    const uri = `${CIM}Vessel_ComputerSystem`;
    const r = await post(
      `${HEAD}<s:Header><a:Action>${uri}/RequestStateChange</a:Action><a:MessageID>1</a:MessageID><w:ResourceURI>${uri}</w:ResourceURI><w:SelectorSet><w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">vm1</w:Selector></w:SelectorSet></s:Header><s:Body><p:RequestStateChange_INPUT xmlns:p="${uri}"><p:RequestedState>2</p:RequestedState></p:RequestStateChange_INPUT></s:Body></s:Envelope>`,
      READER,
    );
    expect([r.status, subcode(r.text)]).toEqual([400, 'wsman:AccessDenied']);
    expect(r.text).toContain('<p:CIMStatusCode>2</p:CIMStatusCode>');
    expect(h.host.get('vm1').state).toBe('stopped');
  });
});

describe('loopback load (bounded: 3 s)', () => {
  it('8 keep-alive clients of Gets while a hostile client sends deep envelopes: every Get answered, the server stays responsive', async () => {
    const url = new URL(h.wsmanUrl!);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const body = `${HEAD}${GET}</s:Envelope>`;
    const deep = `${HEAD}<s:Body>${'<x>'.repeat(3000)}${'</x>'.repeat(3000)}</s:Body></s:Envelope>`;
    const one = (b: string, a?: Agent) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: '/wsman',
            method: 'POST',
            agent: a ?? false,
            headers: {
              authorization: ADMIN,
              'content-type': 'application/soap+xml',
              'content-length': Buffer.byteLength(b),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(b);
      });
    const end = performance.now() + 3000;
    const statuses = new Map<number, number>();
    const latencies: number[] = [];
    const client = async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const s = await one(body, agent);
        latencies.push(performance.now() - t);
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
    };
    let hostile = 0;
    const attacker = async () => {
      while (performance.now() < end) {
        expect(await one(deep)).toBe(400);
        hostile++;
      }
    };
    await Promise.all([...Array.from({ length: 8 }, client), attacker()]);
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const total = latencies.length;
    console.log(
      `WS-Man load: ${total} Gets in 3 s (${Math.round(total / 3)}/s), p50 ${latencies[total >> 1]!.toFixed(1)} ms, max ${latencies[total - 1]!.toFixed(1)} ms; ${hostile} hostile envelopes`,
    );
    expect([...statuses.keys()]).toEqual([200]);
    expect(total).toBeGreaterThan(100);
    expect(latencies[total - 1]!).toBeLessThan(2000);
  }, 20_000);
});
