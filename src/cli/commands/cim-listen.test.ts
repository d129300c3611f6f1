import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../../test/helpers/cli.js';
import { resultOf } from '../../api/index.js';
import type { CimInstance } from '../../cim/index.js';
import { CimClient, startTestHost, type TestHost } from '../../wbem/index.js';

/** `vessel cim listen` as a child process: the listener of a real host's subscriptions, and hostile senders. */

interface Listening {
  child: ChildProcessWithoutNullStreams;
  url: string;
  certFile?: string | undefined;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

async function listen(args: string[]): Promise<Listening> {
  const child = spawn(process.execPath, [CLI, 'cim', 'listen', '0', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const lines: string[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const end = Date.now() + 15_000;
  while (!/Listening for indications on (\S+)/.test(err)) {
    if (Date.now() > end) throw new Error(`vessel cim listen did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = /Listening for indications on (\S+)/.exec(err)![1]!;
  const certFile = /certificate (\S+),/.exec(err)?.[1];
  return { child, url, certFile, lines, stderr: () => err, exited };
}

let h: TestHost;
let admin: CimClient;
let plain: Listening;

/** POSTs a raw body to the listener; answers status, CIMError header and body. */
function post(url: string, body: string | Buffer, headers: Record<string, string>) {
  return new Promise<{ status: number; cimError?: string | undefined; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => {
        b += d.toString();
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          cimError: res.headers.cimerror as string | undefined,
          body: b,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const EXPORT = {
  'Content-Type': 'application/xml',
  CIMExport: 'MethodRequest',
  CIMExportMethod: 'ExportIndication',
};
const doc = (inner: string) =>
  `<?xml version="1.0"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="7" PROTOCOLVERSION="1.0"><SIMPLEEXPREQ><EXPMETHODCALL NAME="ExportIndication">${inner}</EXPMETHODCALL></SIMPLEEXPREQ></MESSAGE></CIM>`;
const good = doc(
  '<EXPPARAMVALUE NAME="NewIndication"><INSTANCE CLASSNAME="CIM_AlertIndication"><PROPERTY NAME="Message" TYPE="string"><VALUE>hello&#10;world</VALUE></PROPERTY></INSTANCE></EXPPARAMVALUE>',
);

async function subscribe(name: string, destination: CimInstance, query: string): Promise<void> {
  const f = await admin.createInstance({
    className: 'CIM_IndicationFilter',
    properties: { Name: name, Query: query, QueryLanguage: 'WQL' },
  });
  const d = await admin.createInstance({
    ...destination,
    properties: { Name: name, ...destination.properties },
  });
  await admin.createInstance({
    className: 'CIM_IndicationSubscription',
    properties: { Filter: f, Handler: d },
  });
}

beforeAll(async () => {
  h = await startTestHost({
    vms: 2,
    indications: { retry: { attempts: 1, intervalMs: 50, maxIntervalMs: 50 } },
  });
  admin = new CimClient(h.url, { user: 'admin', password: 'secret', namespace: 'root/interop' });
  plain = await listen(['--json']);
}, 60_000);

afterAll(async () => {
  plain?.child.kill('SIGTERM');
  admin?.close();
  await h?.close();
});

describe('vessel cim listen', () => {
  it('prints the InstModification of a state change on a real host, one JSON object a line', async () => {
    await subscribe(
      'to-cli',
      { className: 'CIM_ListenerDestinationCIMXML', properties: { Destination: plain.url } },
      "SELECT * FROM CIM_InstModification WHERE SourceInstance.Name = 'vm1'",
    );
    resultOf(await h.api.systems.changeState('vm1', 'start', { waitMs: 10_000 }));
    await expect.poll(() => plain.lines.length).toBeGreaterThan(0);
    const first = JSON.parse(plain.lines[0]!) as {
      className: string;
      properties: {
        SourceInstance: { className: string; properties: { Name: string } };
        IndicationFilterName: string;
      };
    };
    expect(first.className).toBe('CIM_InstModification');
    expect(first.properties.SourceInstance.className).toBe('Vessel_ComputerSystem');
    expect(first.properties.SourceInstance.properties.Name).toBe('vm1');
    expect(first.properties.IndicationFilterName).toBe('to-cli');
  });

  it('over --https: delivered when the destination trusts the certificate, refused when it does not', async () => {
    const tls = await listen(['--https']);
    try {
      const pem = await readFile(tls.certFile!, 'utf8');
      // Not trusted: the host verifies the certificate and gives up after the retries; nothing is printed. A start
      // is two changes (stopped, starting, running): the filters take the first alone.
      await subscribe(
        'untrusted',
        { className: 'CIM_ListenerDestinationCIMXML', properties: { Destination: tls.url } },
        "SELECT * FROM CIM_InstModification WHERE SourceInstance.Name = 'vm2' AND PreviousInstance.EnabledState = 3",
      );
      await subscribe(
        'trusted',
        {
          className: 'Vessel_ListenerDestinationCIMXML',
          properties: { Destination: tls.url, TrustedCertificate: pem },
        },
        "SELECT * FROM CIM_InstModification WHERE SourceInstance.Name = 'vm2' AND PreviousInstance.EnabledState = 3",
      );
      resultOf(await h.api.systems.changeState('vm2', 'start', { waitMs: 10_000 }));
      await expect.poll(() => tls.lines.length).toBe(1);
      expect(tls.lines[0]).toMatch(
        /CIM_InstModification \[trusted\] Vessel_ComputerSystem Name="vm2" EnabledState=\d+ \(was 3\)/,
      );
      const engine = h.endpoint.indications!.engine;
      await expect.poll(() => engine.stats('untrusted')?.failed).toBe(1);
      expect(engine.stats('untrusted')?.lastError).toMatch(/certificate|self.signed/i);
      expect(engine.stats('trusted')?.delivered).toBe(1);
      expect(tls.lines).toHaveLength(1);
    } finally {
      tls.child.kill('SIGTERM');
    }
    expect(await tls.exited).toBe(0);
  });

  it('answers hostile senders as DSP0200 says and keeps serving', async () => {
    const cases: Array<[string | Buffer, Record<string, string>, number, string | undefined]> = [
      [good, { ...EXPORT, CIMExport: 'MethodCall' }, 400, 'unsupported-operation'],
      [good, { 'Content-Type': 'application/xml', CIMExportMethod: 'ExportIndication' }, 400, undefined],
      [good, { ...EXPORT, CIMExportMethod: 'Other' }, 400, 'header-mismatch'],
      ['<CIM', EXPORT, 400, 'request-not-well-formed'],
      ['<!DOCTYPE x [<!ENTITY a "aaaa">]><CIM/>', EXPORT, 400, 'request-not-valid'],
      [doc(''), EXPORT, 400, 'request-not-valid'],
      [
        doc(
          '<EXPPARAMVALUE NAME="NewIndication"><INSTANCE CLASSNAME="X"><PROPERTY NAME="p" TYPE="nonsense"/></INSTANCE></EXPPARAMVALUE>',
        ),
        EXPORT,
        400,
        'request-not-valid',
      ],
      [`${'<a>'.repeat(200)}${'</a>'.repeat(200)}`, EXPORT, 413, undefined],
      [Buffer.alloc(2 << 20, 0x20), EXPORT, 413, undefined],
      [
        doc(
          '<EXPPARAMVALUE NAME="NewIndication"><INSTANCE CLASSNAME="X"><PROPERTY NAME="SourceInstance" TYPE="string" EmbeddedObject="instance"><VALUE>&lt;NOT</VALUE></PROPERTY></INSTANCE></EXPPARAMVALUE>',
        ),
        EXPORT,
        400,
        'request-not-well-formed',
      ],
    ];
    for (const [body, headers, status, cimError] of cases) {
      const r = await post(plain.url, body, headers);
      expect([r.status, r.cimError], String(body).slice(0, 80)).toEqual([status, cimError]);
    }
    const before = plain.lines.length;
    const ok = await post(plain.url, good, EXPORT);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<EXPMETHODRESPONSE NAME="ExportIndication">');
    await expect.poll(() => plain.lines.length).toBe(before + 1);
    expect(JSON.parse(plain.lines.at(-1)!)).toMatchObject({ className: 'CIM_AlertIndication' });
    expect(plain.stderr()).toMatch(/refused a request from 127\.0\.0\.1/);
  });

  it('refuses a bad port', async () => {
    const r = await runCli(['cim', 'listen', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT must be a port number');
  });
});
