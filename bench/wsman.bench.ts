import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestHost } from '../src/wbem/cimxml/index.js';
import type { BenchResult, BenchSuite } from './harness.js';
import { keepAliveLoad } from './load.js';

const VMS = 1000;
const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const CIM = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
const HEAD =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration">';

const GET = `${HEAD}<s:Header><a:To>http://127.0.0.1:5985/wsman</a:To><a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action><a:MessageID>uuid:6a3f1c2e-0000-4000-8000-000000000001</a:MessageID><w:ResourceURI s:mustUnderstand="true">${CIM}Vessel_ComputerSystem</w:ResourceURI><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize><w:OperationTimeout>PT60S</w:OperationTimeout><w:SelectorSet><w:Selector Name="__cimnamespace">root/virtualization</w:Selector><w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">vm500</w:Selector></w:SelectorSet></s:Header><s:Body/></s:Envelope>`;

const enumerate = `${HEAD}<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</a:Action><a:MessageID>uuid:1</a:MessageID><w:ResourceURI>${CIM}CIM_ResourceAllocationSettingData</w:ResourceURI></s:Header><s:Body><n:Enumerate/></s:Body></s:Envelope>`;
const pull = (ctx: string) =>
  `${HEAD}<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull</a:Action><a:MessageID>uuid:2</a:MessageID><w:ResourceURI>${CIM}CIM_ResourceAllocationSettingData</w:ResourceURI></s:Header><s:Body><n:Pull><n:EnumerationContext>${ctx}</n:EnumerationContext><n:MaxElements>500</n:MaxElements></n:Pull></s:Body></s:Envelope>`;

function post(port: number, agent: Agent, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/wsman',
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/soap+xml;charset=UTF-8',
          'Content-Length': Buffer.byteLength(body),
          Authorization: AUTH,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks).toString('utf8'))
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Enumerate then Pull (500 a time) to the end: ms per call and the number of items. */
async function enumeratePull(port: number): Promise<{ ms: number; calls: number; items: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const t0 = performance.now();
  let r = await post(port, agent, enumerate);
  let calls = 1;
  let items = 0;
  let ctx = /<wsen:EnumerationContext>([^<]+)</.exec(r)?.[1];
  while (ctx) {
    r = await post(port, agent, pull(ctx));
    calls++;
    items += r.split('<p:InstanceID>').length - 1;
    ctx = r.includes('<wsen:EndOfSequence/>') ? undefined : /<wsen:EnumerationContext>([^<]+)</.exec(r)?.[1];
  }
  const ms = (performance.now() - t0) / calls;
  agent.destroy();
  return { ms, calls, items };
}

/** Requests per second of 8 keep-alive clients, and this process's CPU time per request. */
function loadRate(port: number, body: string, seconds: number) {
  const headers = { 'Content-Type': 'application/soap+xml;charset=UTF-8', Authorization: AUTH };
  return keepAliveLoad(port, { method: 'POST', path: '/wsman', headers, body }, seconds);
}

/** WS-Man server throughput with 1,000 virtual systems on the test driver (issue 12 benchmarks). */
export const suite: BenchSuite = {
  name: 'wsman: WS-Man server, 1,000 VMs on the test driver',
  async run(): Promise<BenchResult[]> {
    const host = await startTestHost({ vms: VMS, wsman: true });
    const port = Number(new URL(host.wsmanUrl!).port);
    try {
      const ep = await enumeratePull(port);
      const answer = await post(port, new Agent(), GET);
      const bare = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, {
            'Content-Type': 'application/soap+xml;charset=UTF-8',
            'Content-Length': Buffer.byteLength(answer),
          });
          res.end(answer);
        });
      });
      await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
      const barePort = (bare.address() as AddressInfo).port;
      // Warm both, then alternate them so that other load on the machine falls on both alike.
      await loadRate(port, GET, 1);
      await loadRate(barePort, GET, 1);
      let rate = 0;
      let bareRate = 0;
      let cpuUs = 0;
      let bareCpuUs = 0;
      for (let round = 0; round < 3; round++) {
        const w = await loadRate(port, GET, 3);
        const b = await loadRate(barePort, GET, 3);
        rate += w.rate / 3;
        bareRate += b.rate / 3;
        cpuUs += w.cpuUs / 3;
        bareCpuUs += b.cpuUs / 3;
      }
      await new Promise<void>((r) => bare.close(() => r()));
      return [
        {
          name: `Enumerate+Pull CIM_ResourceAllocationSettingData (${ep.items} in ${ep.calls} calls)`,
          value: ep.ms,
          unit: 'ms/call',
        },
        {
          name: 'WS-Man Get, 8 keep-alive clients',
          value: rate,
          unit: 'req/s',
          baseline: { name: 'bare Node HTTP, same bytes', value: bareRate },
          target: '>= 0.5x',
        },
        {
          name: 'WS-Man Get, server CPU per request',
          value: cpuUs,
          unit: 'µs',
          baseline: { name: 'bare Node HTTP', value: bareCpuUs },
        },
      ];
    } finally {
      await host.close();
    }
  },
};
