import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../api/index.js';
import { startTestHost, type TestHost } from '../cimxml/index.js';

// WS-Eventing (DSP0226 §10) against a live host: raw SOAP as pywinrm or wsl would send it, events pushed to an
// HTTP sink in this process, Renew/GetStatus/Unsubscribe, expiry, SubscriptionEnd on delivery failure, hostile
// subscriptions.

const WSE = 'http://schemas.xmlsoap.org/ws/2004/08/eventing';
const ADMIN = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const READER = `Basic ${Buffer.from('rita:r3ad').toString('base64')}`;
const WQL = 'http://schemas.microsoft.com/wbem/wsman/1/WQL';

let h: TestHost;
let sink: Server;
let sinkUrl: string;
const pushed: Array<{ path: string; body: string }> = [];

function soap(
  action: string,
  body: string,
  headers = '',
  uri = 'http://schemas.dmtf.org/wbem/wscim/1/*',
): string {
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:e="${WSE}"><s:Header><a:To>http://127.0.0.1:5985/wsman</a:To><w:ResourceURI s:mustUnderstand="true">${uri}</w:ResourceURI><a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><a:Action s:mustUnderstand="true">${action}</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>uuid:5f3b1c3e-0000-4000-8000-000000000001</a:MessageID><w:OperationTimeout>PT60S</w:OperationTimeout>${headers}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

function subscribeBody(o: {
  notifyTo: string;
  query?: string;
  dialect?: string;
  expires?: string;
  endTo?: string;
  mode?: string;
}): string {
  const filter = o.query === undefined ? '' : `<w:Filter Dialect="${o.dialect ?? WQL}">${o.query}</w:Filter>`;
  const end = o.endTo ? `<e:EndTo><a:Address>${o.endTo}</a:Address></e:EndTo>` : '';
  const mode = o.mode ?? `${WSE}/DeliveryModes/Push`;
  return `<e:Subscribe>${end}<e:Delivery Mode="${mode}"><e:NotifyTo><a:Address>${o.notifyTo}</a:Address><a:ReferenceParameters><w:Cookie xmlns:w="urn:test">c-42</w:Cookie></a:ReferenceParameters></e:NotifyTo></e:Delivery>${o.expires ? `<e:Expires>${o.expires}</e:Expires>` : ''}${filter}</e:Subscribe>`;
}

async function post(xml: string, auth = ADMIN): Promise<{ status: number; text: string }> {
  const r = await fetch(h.wsmanUrl!, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/soap+xml;charset=UTF-8' },
    body: xml,
  });
  return { status: r.status, text: await r.text() };
}

const subcode = (text: string) => /<s:Subcode><s:Value>([^<]+)</.exec(text)?.[1];
const identifier = (text: string) => /<wse:Identifier>([^<]+)</.exec(text)?.[1];
const withId = (id: string) => `<e:Identifier>${id}</e:Identifier>`;

beforeAll(async () => {
  h = await startTestHost({
    vms: 2,
    wsman: true,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
    indications: { retry: { attempts: 1, intervalMs: 50, maxIntervalMs: 50 }, timeoutMs: 500 },
  });
  sink = createServer((req, res) => {
    let b = '';
    req.on('data', (d: Buffer) => {
      b += d.toString();
    });
    req.on('end', () => {
      pushed.push({ path: req.url ?? '', body: b });
      if (req.url === '/fail') res.writeHead(500).end();
      else res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await h?.close();
  sink?.closeAllConnections();
  sink?.close();
});

describe('WS-Eventing', () => {
  it('Subscribe (Push, WQL filter), receives the state change as an event, Renew, GetStatus, Unsubscribe', async () => {
    const sub = await post(
      soap(
        `${WSE}/Subscribe`,
        subscribeBody({
          notifyTo: `${sinkUrl}/events`,
          query:
            "SELECT * FROM CIM_InstModification WHERE SourceInstance ISA CIM_ComputerSystem AND SourceInstance.Name = 'vm1'",
          expires: 'PT10M',
        }),
      ),
    );
    expect(sub.status, sub.text).toBe(200);
    expect(sub.text).toContain(`<wsa:Action>${WSE}/SubscribeResponse</wsa:Action>`);
    const id = identifier(sub.text)!;
    expect(id).toMatch(/^uuid:/);
    resultOf(await h.api.systems.changeState('vm1', 'start', { waitMs: 10_000 }));
    await expect
      .poll(() => pushed.filter((p) => p.path === '/events').length, { timeout: 5000 })
      .toBeGreaterThan(0);
    const ev = pushed.find((p) => p.path === '/events')!.body;
    expect(ev).toContain('<wsa:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/Event</wsa:Action>');
    expect(ev).toContain('<p:CIM_InstModification');
    expect(ev).toContain('<p:Name>vm1</p:Name>');
    expect(ev).toMatch(/<rp:Cookie xmlns:rp="urn:test">c-42<\/rp:Cookie>/);

    const status = await post(soap(`${WSE}/GetStatus`, '<e:GetStatus/>', withId(id)));
    expect(status.text).toMatch(/<wse:Expires>PT(59\d|600)S<\/wse:Expires>/);
    const renew = await post(
      soap(`${WSE}/Renew`, '<e:Renew><e:Expires>PT1H</e:Expires></e:Renew>', withId(id)),
    );
    expect(renew.text).toMatch(/<wse:Expires>PT(359\d|3600)S<\/wse:Expires>/);
    const un = await post(soap(`${WSE}/Unsubscribe`, '<e:Unsubscribe/>', withId(id)));
    expect(un.status).toBe(200);
    expect(un.text).toContain(`${WSE}/UnsubscribeResponse`);
    const before = pushed.length;
    resultOf(await h.api.systems.changeState('vm1', 'powerOff', { waitMs: 10_000 }));
    await h.endpoint.indications!.engine.settled();
    await new Promise((r) => setTimeout(r, 300));
    expect(pushed.length).toBe(before);
    const again = await post(soap(`${WSE}/Renew`, '<e:Renew/>', withId(id)));
    expect([again.status, subcode(again.text)]).toEqual([400, 'wse:UnableToRenew']);
  });

  it('expires on time, and ends with SubscriptionEnd to EndTo when delivery fails', async () => {
    const short = await post(
      soap(
        `${WSE}/Subscribe`,
        subscribeBody({ notifyTo: `${sinkUrl}/x`, query: 'SELECT * FROM CIM_InstCreation', expires: 'PT1S' }),
      ),
    );
    const sid = identifier(short.text)!;
    await new Promise((r) => setTimeout(r, 1300));
    const gone = await post(soap(`${WSE}/GetStatus`, '<e:GetStatus/>', withId(sid)));
    expect(gone.status).toBe(400);

    const failing = await post(
      soap(
        `${WSE}/Subscribe`,
        subscribeBody({
          notifyTo: `${sinkUrl}/fail`,
          endTo: `${sinkUrl}/end`,
          query: 'SELECT * FROM CIM_InstModification',
        }),
      ),
    );
    const fid = identifier(failing.text)!;
    resultOf(await h.api.systems.changeState('vm2', 'start', { waitMs: 10_000 }));
    await expect.poll(() => pushed.filter((p) => p.path === '/end').length, { timeout: 5000 }).toBe(1);
    const end = pushed.find((p) => p.path === '/end')!.body;
    expect(end).toContain(`<wsa:Action>${WSE}/SubscriptionEnd</wsa:Action>`);
    expect(end).toContain(`<wse:Identifier>${fid}</wse:Identifier>`);
    expect(end).toContain(`${WSE}/DeliveryFailure`);
    expect(pushed.filter((p) => p.path === '/fail').length).toBe(2); // one attempt and one retry, then the end
    const status = await post(soap(`${WSE}/GetStatus`, '<e:GetStatus/>', withId(fid)));
    expect(status.status).toBe(400);
  });

  it('refuses hostile and unsupported subscriptions with the DSP0226 faults', async () => {
    const cases: Array<[string, string, number, string]> = [
      [
        subscribeBody({ notifyTo: `${sinkUrl}/r`, query: 'SELECT * FROM CIM_InstCreation' }),
        READER,
        400,
        'wsman:AccessDenied',
      ],
      [
        subscribeBody({ notifyTo: 'file:///etc/passwd', query: 'SELECT * FROM CIM_InstCreation' }),
        ADMIN,
        400,
        'wsman:InvalidParameter',
      ],
      [
        subscribeBody({
          notifyTo: `${sinkUrl}/r`,
          query: 'SELECT * FROM CIM_InstCreation',
          mode: `${WSE}/DeliveryModes/Pull`,
        }),
        ADMIN,
        400,
        'wse:DeliveryModeRequestedUnavailable',
      ],
      [
        subscribeBody({
          notifyTo: `${sinkUrl}/r`,
          query: 'SELECT * FROM CIM_InstCreation',
          dialect: 'urn:xpath',
        }),
        ADMIN,
        400,
        'wsen:FilterDialectRequestedUnavailable',
      ],
      [
        subscribeBody({ notifyTo: `${sinkUrl}/r`, query: 'SELECT * FROM' }),
        ADMIN,
        400,
        'wsen:CannotProcessFilter',
      ],
      [
        subscribeBody({ notifyTo: `${sinkUrl}/r`, query: 'SELECT * FROM CIM_ComputerSystem' }),
        ADMIN,
        400,
        'wse:EventSourceUnableToProcess',
      ],
      [subscribeBody({ notifyTo: `${sinkUrl}/r` }), ADMIN, 400, 'wse:EventSourceUnableToProcess'],
      [
        subscribeBody({ notifyTo: `${sinkUrl}/r`, query: 'SELECT * FROM CIM_InstCreation', expires: 'P1Y' }),
        ADMIN,
        400,
        'wse:InvalidExpirationTime',
      ],
      ['<e:Subscribe/>', ADMIN, 400, 'wsman:InvalidParameter'],
    ];
    for (const [body, auth, status, code] of cases) {
      const r = await post(soap(`${WSE}/Subscribe`, body), auth);
      expect([r.status, subcode(r.text)], body.slice(0, 200)).toEqual([status, code]);
    }
    const unknown = await post(soap(`${WSE}/Unsubscribe`, '<e:Unsubscribe/>', withId('uuid:nope')));
    expect(unknown.status).toBe(400);
  });

  it('WS-Transfer Create makes DSP1054 instances (admin only); other classes still cannot be created', async () => {
    const CIM = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
    const ns = '<w:SelectorSet><w:Selector Name="__cimnamespace">root/interop</w:Selector></w:SelectorSet>';
    const body = `<p:CIM_IndicationFilter xmlns:p="${CIM}CIM_IndicationFilter"><p:Name>wsf</p:Name><p:Query>SELECT * FROM CIM_InstCreation</p:Query><p:QueryLanguage>WQL</p:QueryLanguage></p:CIM_IndicationFilter>`;
    const create = (auth: string, b = body, cls = 'CIM_IndicationFilter') =>
      post(soap('http://schemas.xmlsoap.org/ws/2004/09/transfer/Create', b, ns, `${CIM}${cls}`), auth);
    const reader = await create(READER);
    expect([reader.status, subcode(reader.text)]).toEqual([400, 'wsman:AccessDenied']);
    const made = await create(ADMIN);
    expect(made.status, made.text).toBe(200);
    expect(made.text).toContain('ResourceCreated');
    expect(made.text).toContain('<wsman:Selector Name="Name">wsf</wsman:Selector>');
    const again = await create(ADMIN);
    expect([again.status, subcode(again.text)]).toEqual([400, 'wsman:AlreadyExists']);
    const bad = await create(
      ADMIN,
      body.replace('SELECT * FROM CIM_InstCreation', 'SELECT * FROM CIM_ComputerSystem'),
    );
    expect([bad.status, subcode(bad.text)]).toEqual([400, 'wsa:ActionNotSupported']);
    const cs = await create(
      ADMIN,
      '<p:Vessel_ComputerSystem xmlns:p="x"><p:Name>n</p:Name></p:Vessel_ComputerSystem>',
      'Vessel_ComputerSystem',
    );
    expect(cs.status).toBe(400);
  });
});
