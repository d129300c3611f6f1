import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CimInstanceName, isInstanceName } from '../../../cim/index.js';
import { WsmanFault } from '../errors.js';
import { WsmanClient } from './client.js';

// SYNTHETIC: a replay server answering WinRM-shaped envelopes of Hyper-V's root/virtualization/v2, written from
// published shapes (libvirt's src/hyperv queries, WinRM prefixes, MSFT_WmiError faults), not recorded from a real
// Hyper-V (none is reachable; see test/fixtures/wsman/hyperv/README.md). It checks the client's WMI form: resource
// URIs `.../wmi/root/virtualization/v2/<Class|*>` without `__cimnamespace`, WQL and ASSOCIATORS OF, a custom
// action answered with a job EPR, the job polled with Get, a WMI fault read with its CIM status.

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/wsman/hyperv');
const V2 = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2';
const GUID = '6A5A9B32-7C0E-4F7C-9A51-2B1F3C2D4E5F';

/** Each recorded exchange: what the request must contain, and the fixture answered (with its HTTP status). */
const EXCHANGES: Array<{ when: RegExp[]; file: string; status?: number }> = [
  {
    when: [
      /enumeration\/Enumerate</,
      new RegExp(`<wsman:ResourceURI s:mustUnderstand="true">${V2}/\\*<`),
      /Dialect="http:\/\/schemas.microsoft.com\/wbem\/wsman\/1\/WQL">SELECT \* FROM Msvm_ComputerSystem WHERE Description = "Microsoft Virtual Machine"</,
      /<wsman:EnumerationMode>EnumerateObjectAndEPR</,
      // WinRM refuses a MaxEnvelopeSize over its MaxEnvelopeSizekb (500 KiB by default).
      /<wsman:MaxEnvelopeSize s:mustUnderstand="true">512000</,
    ],
    file: 'enumerate-vms.xml',
  },
  {
    when: [/enumeration\/Enumerate</, /ASSOCIATORS OF \{Msvm_ComputerSystem.CreationClassName=/],
    file: 'associators-vssd.xml',
  },
  {
    when: [
      new RegExp(`<wsa:Action s:mustUnderstand="true">${V2}/Msvm_ComputerSystem/RequestStateChange<`),
      new RegExp(`<wsman:Selector Name="Name">${GUID}<`),
      /<p:RequestStateChange_INPUT xmlns:p="[^"]+Msvm_ComputerSystem"><p:RequestedState>2<\/p:RequestedState>/,
    ],
    file: 'rsc-job.xml',
  },
  { when: [/transfer\/Get</, /Msvm_ConcreteJob</, /Name="InstanceID">0C1F9A3E/], file: 'job-done.xml' },
  { when: [/transfer\/Get</, /Msvm_ComputerSystem</], file: 'fault-not-found.xml', status: 400 },
];

let server: Server;
let url = '';
const unmatched: string[] = [];

beforeAll(async () => {
  server = createServer((q, r) => {
    let body = '';
    q.setEncoding('utf8');
    q.on('data', (d: string) => {
      body += d;
    });
    q.on('end', async () => {
      // WinRM never sees __cimnamespace in the WMI form: the namespace is in the URI.
      const x = body.includes('__cimnamespace')
        ? undefined
        : EXCHANGES.find((e) => e.when.every((w) => w.test(body)));
      if (!x) {
        unmatched.push(body);
        r.writeHead(500, { 'content-type': 'text/plain' });
        return r.end('no recorded exchange');
      }
      const id = /<wsa:MessageID>([^<]+)</.exec(body)?.[1] ?? '';
      const xml = (await readFile(join(FIXTURES, x.file), 'utf8')).replace('RELATES', id);
      r.writeHead(x.status ?? 200, { 'content-type': 'application/soap+xml;charset=UTF-8' });
      r.end(xml);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wsman`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

const hyperv = () =>
  new WsmanClient(url, {
    user: 'Administrator',
    password: 'x',
    namespace: 'root/virtualization/v2',
    uriStyle: 'wmi',
  });

describe('WsmanClient in the WMI form against a SYNTHETIC Hyper-V replay (root/virtualization/v2)', () => {
  it('lists the virtual machines by WQL, as libvirt does; names and namespaces come from the EPRs', async () => {
    const c = hyperv();
    const items = await c.enumerateAll(undefined, {
      filter: { wql: 'SELECT * FROM Msvm_ComputerSystem WHERE Description = "Microsoft Virtual Machine"' },
    });
    c.close();
    expect(unmatched).toEqual([]);
    expect(items).toHaveLength(1);
    const vm = items[0]!.instance!;
    expect(vm.className).toBe('Msvm_ComputerSystem');
    expect(vm.properties).toMatchObject({ ElementName: 'web1', EnabledState: '3', Name: GUID });
    expect(vm.properties.InstallDate).toBe('2026-11-30T09:15:02.000000Z');
    expect(vm.properties.AvailableRequestedStates).toBeUndefined();
    expect(vm.path).toEqual({
      className: 'Msvm_ComputerSystem',
      keys: { CreationClassName: 'Msvm_ComputerSystem', Name: GUID },
      namespace: 'root/virtualization/v2',
    });
  });

  it('reads the settings with ASSOCIATORS OF, then starts the VM: 4096 and a job EPR, polled to Completed', async () => {
    const c = hyperv();
    const vm: CimInstanceName = {
      className: 'Msvm_ComputerSystem',
      keys: { CreationClassName: 'Msvm_ComputerSystem', Name: GUID },
    };
    const vssd = await c.enumerateAll(undefined, {
      filter: {
        wql: `ASSOCIATORS OF {Msvm_ComputerSystem.CreationClassName="Msvm_ComputerSystem",Name="${GUID}"} WHERE AssocClass = Msvm_SettingsDefineState ResultClass = Msvm_VirtualSystemSettingData`,
      },
    });
    expect(vssd[0]?.instance?.properties.InstanceID).toBe(`Microsoft:${GUID}`);
    const r = await c.invoke(vm, 'RequestStateChange', { RequestedState: { type: 'uint16', value: '2' } });
    expect(r.returnValue).toBe(4096);
    const job = r.out.Job;
    expect(isInstanceName(job)).toBe(true);
    const done = await c.getInstance(job as CimInstanceName);
    c.close();
    expect(unmatched).toEqual([]);
    expect(done.properties).toMatchObject({ JobState: '7', PercentComplete: '100', ElapsedTime: 'PT0.812S' });
  });

  it('a WMI fault (w:InvalidSelectors with MSFT_WmiError) is a WsmanFault carrying CIM_ERR_NOT_FOUND', async () => {
    const c = hyperv();
    const e = await c
      .getInstance({
        className: 'Msvm_ComputerSystem',
        keys: { CreationClassName: 'Msvm_ComputerSystem', Name: 'nope' },
      })
      .catch((x: unknown) => x);
    c.close();
    expect(e).toBeInstanceOf(WsmanFault);
    expect((e as WsmanFault).code).toBe('WSMAN_INVALID_SELECTORS');
    expect((e as WsmanFault).cim?.code).toBe('CIM_ERR_NOT_FOUND');
    expect((e as WsmanFault).cim?.message).toBe('Not found');
  });
});
