import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { Host, USERS_FILE, UserStore } from '../../host/index.js';
import { buildDefinition } from '../../model/index.js';
import { hostApiFactory } from './host-api.js';
import { type CimXmlEndpoint, serveCimXml } from './serve.js';

const CAPTURES = join(SHARED, 'cim', 'captures', 'cimxml-wbemcli');
const HEADERS = join(SHARED, 'cim', 'wire', 'openpegasus-wetest', 'static', 'Headers');

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes bytes on a fresh connection and reads one HTTP response (or the connection's end). */
function raw(port: number, bytes: Buffer | string, localAddress = '127.0.0.1'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1', localAddress });
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const head = (end < 0 ? text : text.slice(0, end)).split('\r\n');
      const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const l of head.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status, headers, body: end < 0 ? '' : text.slice(end + 4) });
    };
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1];
      if (end >= 0 && len !== undefined && Buffer.byteLength(text.slice(end + 4)) >= Number(len)) {
        sock.destroy();
        finish();
      }
    });
    sock.on('end', finish);
    sock.on('error', reject);
    sock.write(bytes);
  });
}

/** Turns an OpenPegasus M-POST vector into the POST form Node serves: no Man header, no `NN-` prefixes. */
function asPost(vector: string, auth: string, keepLength: boolean): string {
  if (vector.startsWith('<?xml')) {
    const method = /<I?METHODCALL NAME="([^"]+)"/.exec(vector)?.[1] ?? '';
    const ns = [...vector.matchAll(/<NAMESPACE NAME="([^"]+)"/g)].map((m) => m[1]).join('/');
    vector = `POST /cimom HTTP/1.1\nHost: x\nContent-Type: application/xml; charset=utf-8\nContent-Length: 0\nCIMOperation: MethodCall\nCIMMethod: ${method}\nCIMObject: ${ns}\n\n${vector}`;
  }
  const [head, ...rest] = vector.replace(/\r?\n/g, '\r\n').split('\r\n\r\n');
  const lines = head!
    .split('\r\n')
    .filter((l) => !/^Man:/i.test(l))
    .map((l, i) => (i === 0 ? l.replace(/^M-POST /, 'POST ') : l.replace(/^\d\d-/, '')));
  lines.splice(1, 0, `Authorization: ${auth}`);
  const body = rest.join('\r\n\r\n');
  const fix = (l: string) =>
    !keepLength && /^Content-Length:/i.test(l) ? `Content-Length: ${Buffer.byteLength(body)}` : l;
  return `${lines.map(fix).join('\r\n')}\r\n\r\n${body}`;
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

let dir: string;
let host: Host;
let ep: CimXmlEndpoint;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vessel-cimxml-'));
  const users = new UserStore(join(dir, USERS_FILE));
  await users.add('admin', 'admin', 'secret');
  await users.add('rita', 'reader', 'r3ad');
  host = await Host.open({ stateDir: dir, driverUri: 'test:///default' });
  await host.define(buildDefinition({ name: 'vm1', cpus: 1, memoryBytes: 128n << 20n }));
  ep = await serveCimXml({
    api: hostApiFactory(host),
    hostName: 'host1',
    stateDir: dir,
    http: { port: 0 },
    limits: { maxBodyBytes: 64 << 10, headersTimeoutMs: 1000, requestTimeoutMs: 2000 },
  });
  port = ep.server.httpPort!;
});

afterAll(async () => {
  await ep?.close();
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('CIM-XML server: the exact bytes wbemcli sends', () => {
  it('answers EnumerateInstances of CIM_ComputerSystem with the host and the virtual system', async () => {
    const r = await raw(port, readFileSync(join(CAPTURES, '001-5988-cimxml-EnumerateInstances.http')));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/xml; charset="utf-8"');
    expect(r.headers.cimoperation).toBe('MethodResponse');
    expect(r.body).toContain('<MESSAGE ID="4711" PROTOCOLVERSION="1.0">');
    expect(r.body.match(/<VALUE.NAMEDINSTANCE>/g)).toHaveLength(2);
    expect(r.body).toContain('<INSTANCE CLASSNAME="Vessel_ComputerSystem">');
    expect(r.body).toContain('CLASSORIGIN="CIM_System"');
  });

  it('answers GetClass with the full class, keys and the RequestStateChange parameters', async () => {
    const r = await raw(port, readFileSync(join(CAPTURES, '003-5988-cimxml-GetClass.http')));
    expect(r.status).toBe(200);
    expect(r.body).toContain('<CLASS NAME="CIM_ComputerSystem" SUPERCLASS="CIM_System">');
    expect(r.body).toMatch(
      /<PROPERTY NAME="Name" TYPE="string" CLASSORIGIN="CIM_System" PROPAGATED="true"><QUALIFIER NAME="Key"/,
    );
    expect(r.body).toMatch(
      /<METHOD NAME="RequestStateChange" TYPE="uint32"[^>]*>.*<PARAMETER NAME="RequestedState" TYPE="uint16">/s,
    );
    expect(r.body).toContain('<PARAMETER.REFERENCE NAME="Job" REFERENCECLASS="CIM_ConcreteJob">');
  });

  it('answers GetInstance and RequestStateChange of a CIM_ComputerSystem key that does not exist with CIM_ERR_NOT_FOUND', async () => {
    for (const f of ['002-5988-cimxml-GetInstance.http', '004-5988-cimxml-RequestStateChange.http']) {
      const r = await raw(port, readFileSync(join(CAPTURES, f)));
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/<ERROR CODE="6" DESCRIPTION="CIM_ERR_NOT_FOUND: /);
    }
  });

  it('asks for credentials when none are sent, and accepts the TE: trailers variant', async () => {
    const r = await raw(port, readFileSync(join(CAPTURES, '005-5988-cimxml-EnumerateInstanceNames.http')));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Basic realm="Vessel CIM"');
    const t = await raw(port, readFileSync(join(CAPTURES, '006-5988-cimxml-EnumerateInstances.http')));
    expect(t.status).toBe(200);
  });
});

/** Vectors answered by Node's HTTP parser before the CIM layer sees them; they must fail, with any 4xx/5xx. */
const FRAMING = new Set([
  'BadContentLengthValue01',
  'BadTransferEncodingValue01',
  'DuplicateContentLengthTag01',
  'DuplicateTransferEncodingTag01',
  'MissingHostTag01',
]);

describe('CIM-XML server: OpenPegasus header vectors (static/Headers)', () => {
  const vectors = readdirSync(HEADERS)
    .filter((f) => f.endsWith('.xml') && !f.endsWith('rspgood.xml'))
    .map((f) => f.slice(0, -4));
  it.each(vectors)('%s is answered as OpenPegasus answers it', async (name) => {
    const req = asPost(
      readFileSync(join(HEADERS, `${name}.xml`), 'latin1'),
      basic('admin', 'secret'),
      FRAMING.has(name),
    );
    const want = readFileSync(join(HEADERS, `${name}rspgood.xml`), 'utf8');
    const r = await raw(port, Buffer.from(req, 'latin1'));
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(want)?.[1] ?? 200);
    if (FRAMING.has(name)) {
      expect(r.status === status || (r.status >= 400 && status >= 400)).toBe(true);
      return;
    }
    expect(r.status).toBe(status);
    const cimError = /^CIMError: (.*)$/m.exec(want)?.[1]?.trim();
    expect(r.headers.cimerror).toBe(cimError);
    if (status === 200) expect(r.body).toMatch(/<ERROR CODE="\d+"|<IMETHODRESPONSE|<METHODRESPONSE/);
  });
});

describe('CIM-XML server: M-POST (DSP0200 §7.2.2)', () => {
  it('answers an OpenPegasus M-POST vector as sent with 501 Not Implemented, and its POST form normally', async () => {
    const vector = readFileSync(join(HEADERS, 'GoodCIMObjectValueEncoding01.xml'), 'latin1');
    expect(vector.startsWith('M-POST /cimom HTTP/1.1')).toBe(true);
    const [head, ...rest] = vector.replace(/\r?\n/g, '\r\n').split('\r\n\r\n');
    const body = rest.join('\r\n\r\n');
    const mpost = `${head!
      .replace(/^Content-Length: \d+/im, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`)
      .replace('\r\n', `\r\nAuthorization: ${basic('admin', 'secret')}\r\n`)}\r\n\r\n${body}`;
    const r = await raw(port, Buffer.from(mpost, 'latin1'));
    expect(r.status).toBe(501);
    expect(r.headers.connection).toBe('close');
    // What a client does next (DSP0200 §7.2.2): the same request with POST and no extension headers.
    const post = await raw(port, Buffer.from(asPost(vector, basic('admin', 'secret'), false), 'latin1'));
    expect(post.status).toBe(200);
    expect(post.body).toMatch(/<METHODRESPONSE NAME="BogusMethod">/);
  });
});

describe('CIM-XML server: authentication, roles and hostile input', () => {
  const ei = (ns = 'root/virtualization', cls = 'CIM_ComputerSystem', extra = '') =>
    `<?xml version="1.0" encoding="utf-8"?>${extra}<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="7" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="EnumerateInstanceNames"><LOCALNAMESPACEPATH>${ns
      .split('/')
      .map((n) => `<NAMESPACE NAME="${n}"/>`)
      .join(
        '',
      )}</LOCALNAMESPACEPATH><IPARAMVALUE NAME="ClassName"><CLASSNAME NAME="${cls}"/></IPARAMVALUE></IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>`;
  const post = (
    body: string,
    auth = basic('admin', 'secret'),
    method = 'EnumerateInstanceNames',
    object = 'root/virtualization',
  ) =>
    `POST /cimom HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/xml; charset="utf-8"\r\nCIMOperation: MethodCall\r\nCIMMethod: ${method}\r\nCIMObject: ${object}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

  it('refuses a wrong password with 401, and after five from one address answers 429 with Retry-After', async () => {
    // Its own source address, so that the throttling does not reach the other tests' 127.0.0.1.
    const guesser = '127.0.0.50';
    expect((await raw(port, post(ei(), basic('admin', 'wrong')), guesser)).status).toBe(401);
    for (let i = 0; i < 4; i++)
      expect((await raw(port, post(ei(), basic('nobody', 'x')), guesser)).status).toBe(401);
    const held = await raw(port, post(ei(), basic('admin', 'secret')), guesser);
    expect(held.status).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(held.body).toContain('Too many failed logins');
    expect((await raw(port, post(ei()))).status).toBe(200);
  });

  it('gives a reader CIM_ERR_ACCESS_DENIED for a method and answers reads', async () => {
    const body = `<?xml version="1.0"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="9" PROTOCOLVERSION="1.0"><SIMPLEREQ><METHODCALL NAME="RequestStateChange"><LOCALINSTANCEPATH><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virtualization"/></LOCALNAMESPACEPATH><INSTANCENAME CLASSNAME="Vessel_ComputerSystem"><KEYBINDING NAME="CreationClassName"><KEYVALUE>Vessel_ComputerSystem</KEYVALUE></KEYBINDING><KEYBINDING NAME="Name"><KEYVALUE>vm1</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH><PARAMVALUE NAME="RequestedState"><VALUE>2</VALUE></PARAMVALUE></METHODCALL></SIMPLEREQ></MESSAGE></CIM>`;
    const object =
      'root/virtualization:Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="vm1"';
    const r = await raw(port, post(body, basic('rita', 'r3ad'), 'RequestStateChange', object));
    expect(r.body).toContain(
      '<ERROR CODE="2" DESCRIPTION="CIM_ERR_ACCESS_DENIED: rita (reader) may not call systems.changeState: it needs the operator role"',
    );
    expect(host.get('vm1').state).toBe('stopped');
    expect((await raw(port, post(ei(), basic('rita', 'r3ad')))).body).toContain(
      '<INSTANCENAME CLASSNAME="Vessel_HostSystem">',
    );
  });

  it('answers a wrong namespace and a wrong class with their CIM errors', async () => {
    const ns = await raw(
      port,
      post(ei('root/cimv2'), basic('admin', 'secret'), 'EnumerateInstanceNames', 'root/cimv2'),
    );
    expect(ns.body).toContain('<ERROR CODE="3"');
    expect((await raw(port, post(ei(undefined, 'CIM_Nothing')))).body).toContain('<ERROR CODE="5"');
  });

  it('refuses a DOCTYPE and entity declarations (XXE, billion laughs) with 400 request-not-valid', async () => {
    const xxe = ei(undefined, undefined, '<!DOCTYPE CIM [<!ENTITY x SYSTEM "file:///etc/passwd">]>');
    const r = await raw(port, post(xxe));
    expect(r.status).toBe(400);
    expect(r.headers.cimerror).toBe('request-not-valid');
    const laughs = ei(
      undefined,
      '&lol9;',
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>',
    );
    expect((await raw(port, post(laughs))).status).toBe(400);
    const undefinedEntity = ei(undefined, '&nope;');
    const u = await raw(port, post(undefinedEntity));
    expect(u.status).toBe(400);
    expect(u.headers.cimerror).toBe('request-not-well-formed');
  });

  it('refuses an oversized body with 413 before reading it, and a truncated body by timing out', async () => {
    const big = ei(undefined, undefined, `<!--${'x'.repeat(70_000)}-->`);
    const r = await raw(port, post(big));
    expect(r.status).toBe(413);
    const slow = await raw(port, post(ei()).replace(/Content-Length: \d+/, 'Content-Length: 5000'));
    expect([0, 408]).toContain(slow.status);
  });

  it('closes a connection whose headers never finish', async () => {
    const t0 = Date.now();
    const r = await raw(port, 'POST /cimom HTTP/1.1\r\nHost: x\r\n');
    expect([0, 408]).toContain(r.status);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('answers other paths and methods with 404 and 405', async () => {
    expect((await raw(port, 'GET /cimom HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(405);
    expect((await raw(port, 'POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')).status).toBe(
      404,
    );
  });
});

describe('CIM-XML server: anonymous access', () => {
  it('is off unless configured; when on, anonymous requests get the configured role and nothing more', async () => {
    const anon = await serveCimXml({
      api: hostApiFactory(host),
      hostName: 'host1',
      stateDir: dir,
      http: { port: 0 },
      anonymousRole: 'reader',
    });
    try {
      const p = anon.server.httpPort!;
      const capture = readFileSync(join(CAPTURES, '005-5988-cimxml-EnumerateInstanceNames.http'));
      const r = await raw(p, capture);
      expect(r.status).toBe(200);
      expect(r.body).toContain('<INSTANCENAME CLASSNAME="Vessel_ComputerSystem">');
      const rsc = readFileSync(join(CAPTURES, '004-5988-cimxml-RequestStateChange.http'), 'latin1')
        .replace(/Authorization: [^\r]*\r\n/, '')
        .replace(/CIM_ComputerSystem/g, 'Vessel_ComputerSystem')
        .replace(/Content-Length: \d+/, (m) => m);
      const body = rsc.split('\r\n\r\n')[1]!;
      const fixed = rsc.replace(/Content-Length: \d+/, `Content-Length: ${Buffer.byteLength(body)}`);
      const denied = await raw(p, Buffer.from(fixed, 'latin1'));
      expect(denied.body).toContain(
        '<ERROR CODE="2" DESCRIPTION="CIM_ERR_ACCESS_DENIED: anonymous (reader) may not call systems.changeState',
      );
    } finally {
      await anon.close();
    }
    expect(
      (await raw(port, readFileSync(join(CAPTURES, '005-5988-cimxml-EnumerateInstanceNames.http')))).status,
    ).toBe(401);
  });
});
