import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CimXmlError } from '../../cimxml/errors.js';
import { WsmanFault } from '../errors.js';
import { WsmanClient } from './client.js';

// A hostile or broken peer, a bare Node server answering what each case names: the client fails with a clear,
// typed error and never hangs, reads an entity or holds an unbounded answer.

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let server: Server;
let handler: Handler = (_q, r) => r.end();
let url = '';

beforeAll(async () => {
  server = createServer((q, r) => {
    let body = '';
    q.setEncoding('utf8');
    q.on('data', (d: string) => {
      body += d;
    });
    q.on('end', () => handler(q, r, body));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wsman`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

const soap =
  (status: number, body: string, type = 'application/soap+xml;charset=UTF-8'): Handler =>
  (_q, r) => {
    r.writeHead(status, { 'content-type': type });
    r.end(body);
  };
const client = (o = {}) => new WsmanClient(url, { user: 'u', password: 'p', timeoutMs: 500, ...o });
const fail = async (o = {}) => {
  const c = client(o);
  try {
    return await c.identify().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
  } finally {
    c.close();
  }
};
const ENV = (body: string) =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Body>${body}</s:Body></s:Envelope>`;

describe('WsmanClient against a hostile peer', () => {
  it('a DOCTYPE (entity expansion) is refused unread: CIMXML_RESPONSE_INVALID', async () => {
    handler = soap(
      200,
      `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>${ENV('&b;')}`,
    );
    const e = await fail();
    expect(e).toBeInstanceOf(CimXmlError);
    expect((e as CimXmlError).code).toBe('CIMXML_RESPONSE_INVALID');
    expect(e?.message).toMatch(/DOCTYPE/i);
  });

  it('an answer over the size limit is cut off as it arrives', async () => {
    handler = (_q, r) => {
      r.writeHead(200, { 'content-type': 'application/soap+xml' });
      r.write(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>`);
      r.end('x'.repeat(300_000));
    };
    const e = await fail({ maxResponseBytes: 100_000 });
    expect((e as CimXmlError).code).toBe('CIMXML_RESPONSE_INVALID');
    expect(e?.message).toMatch(/larger than 100000 bytes/);
  });

  it('garbage and a non-SOAP document are not WS-Man answers', async () => {
    handler = soap(200, '\u0000\u0001 not xml at all');
    expect((await fail())?.message).toMatch(/not a WS-Man answer/);
    handler = soap(200, '<html><body>hello</body></html>');
    expect((await fail())?.message).toMatch(/not a SOAP 1.2 envelope/);
  });

  it("a WinRM fault (w: prefix, WMI's MSFT_WmiError) is a WsmanFault with its CIM status", async () => {
    handler = soap(
      500,
      ENV(
        `<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:InternalError</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot process the request.</s:Text></s:Reason><s:Detail><p:MSFT_WmiError xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/MSFT_WmiError"><p:CIMStatusCode>5</p:CIMStatusCode><p:Message>Invalid class </p:Message></p:MSFT_WmiError></s:Detail></s:Fault>`,
      ),
    );
    const e = await fail();
    expect(e).toBeInstanceOf(WsmanFault);
    expect((e as WsmanFault).code).toBe('WSMAN_INTERNAL_ERROR');
    expect((e as WsmanFault).cim?.code).toBe('CIM_ERR_INVALID_CLASS');
    expect((e as WsmanFault).cim?.message).toBe('Invalid class');
  });

  it('an unknown subcode keeps its name in the message', async () => {
    handler = soap(
      400,
      ENV(
        '<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>x:Strange</s:Value></s:Subcode></s:Code><s:Reason><s:Text>odd</s:Text></s:Reason></s:Fault>',
      ),
    );
    const e = await fail();
    expect((e as WsmanFault).code).toBe('WSMAN_INVALID_PARAMETER');
    expect(e?.message).toBe('x:Strange: odd');
  });

  it('an answer nested deeper than 64 levels is refused unread', async () => {
    handler = soap(200, ENV(`${'<x:a xmlns:x="urn:x">'.repeat(100)}${'</x:a>'.repeat(100)}`));
    const e = await fail();
    expect((e as CimXmlError).code).toBe('CIMXML_RESPONSE_INVALID');
    expect(e?.message).toMatch(/deep|nest/i);
  });

  it('an HTML error page is an HTTP error with its status', async () => {
    handler = soap(503, '<html>busy</html>', 'text/html');
    const e = await fail();
    expect(e?.message).toMatch(/answered HTTP 503: <html>busy/);
  });

  it('a peer that never answers is CIMXML_TIMEOUT at the deadline; a slow drip is cut too', async () => {
    handler = () => undefined;
    const t0 = Date.now();
    const e = await fail();
    expect((e as CimXmlError).code).toBe('CIMXML_TIMEOUT');
    // The client's 500 ms deadline, not the test's own timeout, ended it (with room for a loaded machine).
    expect(Date.now() - t0).toBeLessThan(10_000);
    handler = (_q, r) => {
      r.writeHead(200, { 'content-type': 'application/soap+xml' });
      const t = setInterval(() => (r.destroyed ? clearInterval(t) : r.write(' ')), 50);
    };
    const drip = await fail();
    expect(drip?.message).toMatch(/did not complete within 500 ms/);
  });

  it('nothing listening is HOST_UNREACHABLE', async () => {
    const c = new WsmanClient('http://127.0.0.1:1/wsman', { timeoutMs: 2000 });
    const e = await c.identify().catch((x: unknown) => x);
    c.close();
    expect((e as CimXmlError).code).toBe('HOST_UNREACHABLE');
  });

  it('an enumeration that never ends is refused past maxItems, and its context released', async () => {
    const bodies: string[] = [];
    const piece = (el: string, items: string) =>
      ENV(
        `<n:${el} xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><n:EnumerationContext>c1</n:EnumerationContext><${items}><p:X xmlns:p="urn:x"><p:A>1</p:A></p:X></${items}></n:${el}>`,
      );
    handler = (_q, r, body) => {
      bodies.push(body);
      r.writeHead(200, { 'content-type': 'application/soap+xml' });
      r.end(
        /enumeration\/Enumerate</.test(body)
          ? piece('EnumerateResponse', 'w:Items')
          : piece('PullResponse', 'n:Items'),
      );
    };
    const c = client({ maxItems: 5 });
    const e = await c.enumerateAll('CIM_X').then(
      () => undefined,
      (x: unknown) => x as Error,
    );
    c.close();
    expect(e?.message).toMatch(/more than 5 items/);
    expect(bodies.at(-1)).toMatch(/enumeration\/Release<.*<wsen:EnumerationContext>c1</);
  });

  it('an Enumerate answered with something else is not taken for items', async () => {
    handler = soap(200, ENV('<x:Other xmlns:x="urn:x"/>'));
    const c = client();
    const e = await c.enumerateAll('CIM_X').then(
      () => undefined,
      (x: unknown) => x as Error,
    );
    c.close();
    expect(e?.message).toMatch(/expected <wsen:EnumerateResponse>, not <Other>/);
  });
});
