import { afterEach, describe, expect, it } from 'vitest';
import {
  errorXml,
  type FakeCimom,
  type FakeRequest,
  imethod,
  reply,
  startFakeCimom,
} from '../../../../test/helpers/fake-cimom.js';
import { ApiError } from '../../../api/index.js';
import { CimXmlApi } from './cimxml-api.js';

// A peer that is not a well-behaved CIMOM: whatever it answers, the client ends with an ApiError that says what
// and where, within its time and size bounds, never hanging and never reading without limit.

let peer: FakeCimom | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const TIMEOUT_MS = 600;

/** Connects to a peer answering with `answer`; resolves to the error and how long it took. */
async function outcome(
  answer: Parameters<typeof startFakeCimom>[0],
  o: { maxResponseBytes?: number } = {},
): Promise<{ e: ApiError; ms: number }> {
  peer = await startFakeCimom(answer);
  const start = Date.now();
  try {
    const api = await CimXmlApi.connect({
      url: peer.url,
      user: 'admin',
      password: 'secret',
      timeoutMs: TIMEOUT_MS,
      maxResponseBytes: o.maxResponseBytes ?? 64 * 1024,
    });
    await api.close();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return { e: e as ApiError, ms: Date.now() - start };
  }
  throw new Error('the client accepted the peer');
}

describe('CimXmlApi against a hostile or broken peer', () => {
  it('garbage with HTTP 200 is PROTOCOL', async () => {
    const { e } = await outcome((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end('this is not CIM-XML');
    });
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toMatch(/127\.0\.0\.1:\d+.*not valid CIM-XML/);
  });

  it('an HTML error page is PROTOCOL quoting its status, a 503 LIMIT_EXCEEDED, a 401 AUTH_FAILED', async () => {
    const page = await outcome((_q, res) => {
      res.writeHead(500, { 'Content-Type': 'text/html' });
      res.end(`<html><body>Internal error${'\u0007'.repeat(3)}</body></html>`);
    });
    expect(page.e.code).toBe('PROTOCOL');
    expect(page.e.message).toMatch(/answered HTTP 500: <html><body>Internal error <\/body><\/html>/);
    await peer?.close();
    const busy = await outcome((_q, res) => {
      res.writeHead(503, { 'Retry-After': '1' });
      res.end();
    });
    expect(busy.e.code).toBe('LIMIT_EXCEEDED');
    await peer?.close();
    const denied = await outcome((_q, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cimom"' });
      res.end();
    });
    expect(denied.e.code).toBe('AUTH_FAILED');
  });

  it('an answer that declares a huge length is refused at once, without reading it', async () => {
    const { e, ms } = await outcome((_q, res) => {
      res.writeHead(200, { 'Content-Length': String(10 * 2 ** 30) });
      res.write('<CIM>');
    });
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toMatch(/larger than 65536 bytes/);
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  it('an endless answer is cut at the size bound', async () => {
    const { e, ms } = await outcome((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      const chunk = `<CIM>${'<VALUE>x</VALUE>'.repeat(1000)}`;
      const pump = () => {
        while (res.write(chunk)) if (res.destroyed) return;
        res.once('drain', pump);
      };
      res.on('error', () => {});
      pump();
    });
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toMatch(/larger than 65536 bytes/);
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  it('a slow drip is cut at the deadline of the whole exchange', async () => {
    const { e, ms } = await outcome((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 20);
      res.on('close', () => clearInterval(timer));
    });
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toMatch(/did not complete within 600 ms/);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
  });

  it('a peer that never answers is HOST_UNREACHABLE at the deadline', async () => {
    const { e, ms } = await outcome(() => {});
    expect(e.code).toBe('HOST_UNREACHABLE');
    expect(e.message).toMatch(/did not answer EnumerateInstances within 600 ms/);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
  });

  it('a connection cut in the middle of an answer is PROTOCOL', async () => {
    const { e } = await outcome((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': '5000' });
      res.write('<?xml version="1.0"?><CIM CIMVERSION="2.0"><MESSAGE');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    expect(e.code).toBe('PROTOCOL');
  });

  it('entity expansion, deep nesting and a DOCTYPE are refused as PROTOCOL, quickly', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE CIM [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="EnumerateInstances"><IRETURNVALUE><VALUE>&d;&d;&d;</VALUE></IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>`;
    for (const body of [bomb, `<CIM>${'<A>'.repeat(20_000)}${'</A>'.repeat(20_000)}</CIM>`]) {
      const { e, ms } = await outcome((_q, res) => reply(res, body), { maxResponseBytes: 1 << 20 });
      expect(e.code).toBe('PROTOCOL');
      expect(ms).toBeLessThan(TIMEOUT_MS);
      await peer?.close();
    }
  });

  it('well-formed CIM-XML of the wrong shape is PROTOCOL', async () => {
    const { e } = await outcome((q: FakeRequest, res) =>
      reply(res, imethod({ ...q, method: 'GetClass' }, '<CLASS NAME="X"></CLASS>')),
    );
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toMatch(/the response is for GetClass/);
  });

  it("a CIM error is coded through the registry, with the peer's words", async () => {
    const denied = await outcome((q, res) =>
      reply(res, imethod(q, errorXml(2, 'CIM_ERR_ACCESS_DENIED: not you'))),
    );
    expect(denied.e.code).toBe('ACCESS_DENIED');
    expect(denied.e.message).toMatch(/not you/);
    expect(denied.e.detail).toEqual({ domain: 'cim', code: 'CIM_ERR_ACCESS_DENIED' });
    await peer?.close();
    const none = await outcome((q, res) => reply(res, imethod(q, errorXml(3, 'no such namespace'))));
    expect(none.e.code).toBe('NOT_SUPPORTED');
    expect(none.e.message).toMatch(/registers no DMTF System Virtualization profile/);
  });
});
