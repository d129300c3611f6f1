import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeIMethodCall, startTestHost } from '../src/wbem/cimxml/index.js';
import type { BenchResult, BenchSuite } from './harness.js';
import { keepAliveLoad } from './load.js';

const VMS = 1000;
const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;

function headers(method: string, body: string) {
  return {
    'Content-Type': 'application/xml; charset="utf-8"',
    'Content-Length': Buffer.byteLength(body),
    CIMOperation: 'MethodCall',
    CIMMethod: method,
    CIMObject: 'root/virtualization',
    Authorization: AUTH,
  };
}

/** One POST on a keep-alive agent; resolves with the response body. */
function post(port: number, agent: Agent, method: string, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/cimom', method: 'POST', agent, headers: headers(method, body) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests each server answers before it is measured. */
const WARM_REQUESTS = 3000;

/** Sends `n` GetInstance requests over 8 keep-alive connections (from this process: only to warm a server up). */
async function warm(port: number, body: string, n: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let left = n;
  const worker = async () => {
    while (left-- > 0) await post(port, agent, 'GetInstance', body);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
}

/** Mean time of `n` EnumerateInstances calls (after one warm-up), ms, and the response size. */
async function timeEnumerate(
  port: number,
  className: string,
  n: number,
): Promise<{ ms: number; bytes: number; count: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const body = encodeIMethodCall('1', 'EnumerateInstances', 'root/virtualization', {
    ClassName: { className },
  });
  const first = await post(port, agent, 'EnumerateInstances', body);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await post(port, agent, 'EnumerateInstances', body);
  const ms = (performance.now() - t0) / n;
  agent.destroy();
  return { ms, bytes: first.length, count: first.toString().split('<VALUE.NAMEDINSTANCE>').length - 1 };
}

/** Requests per second of 8 keep-alive clients, and this process's CPU time per request. */
function loadRate(port: number, method: string, body: string, seconds: number) {
  return keepAliveLoad(
    port,
    { method: 'POST', path: '/cimom', headers: headers(method, body), body },
    seconds,
  );
}

/** CIM-XML server throughput with 1,000 virtual systems on the test driver (issue 5 benchmarks). */
export const suite: BenchSuite = {
  name: 'cim: CIM-XML server, 1,000 VMs on the test driver',
  async run(): Promise<BenchResult[]> {
    const host = await startTestHost({ vms: VMS });
    const port = Number(new URL(host.url).port);
    try {
      const cs = await timeEnumerate(port, 'CIM_ComputerSystem', 10);
      const rasd = await timeEnumerate(port, 'CIM_ResourceAllocationSettingData', 5);
      const gi = encodeIMethodCall('1', 'GetInstance', 'root/virtualization', {
        InstanceName: {
          instanceName: {
            className: 'Vessel_ComputerSystem',
            keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'vm500' },
          },
        },
      });
      const answer = (await post(port, new Agent(), 'GetInstance', gi)).toString('utf8');
      const bare = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, {
            'Content-Type': 'application/xml; charset="utf-8"',
            CIMOperation: 'MethodResponse',
            'Content-Length': Buffer.byteLength(answer),
          });
          res.end(answer);
        });
      });
      await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
      const barePort = (bare.address() as AddressInfo).port;
      // Both servers first answer the same number of requests, so that the rounds measure warm servers rather than
      // how far the JIT got with the CIM-XML path (whose first few thousand requests cost about twice the CPU).
      await warm(port, gi, WARM_REQUESTS);
      await warm(barePort, gi, WARM_REQUESTS);
      // Alternate the two servers so that load from other work on the machine falls on both alike.
      let rate = 0;
      let bareRate = 0;
      let cpuUs = 0;
      let bareCpuUs = 0;
      for (let round = 0; round < 3; round++) {
        const cim = await loadRate(port, 'GetInstance', gi, 3);
        const plain = await loadRate(barePort, 'GetInstance', gi, 3);
        rate += cim.rate / 3;
        bareRate += plain.rate / 3;
        cpuUs += cim.cpuUs / 3;
        bareCpuUs += plain.cpuUs / 3;
      }
      await new Promise<void>((r) => bare.close(() => r()));
      return [
        {
          name: `EnumerateInstances CIM_ComputerSystem (${cs.count} instances)`,
          value: cs.ms,
          unit: 'ms/call',
          notes: `${(cs.bytes / 1024).toFixed(0)} KiB`,
        },
        {
          name: `EnumerateInstances CIM_ResourceAllocationSettingData (${rasd.count})`,
          value: rasd.ms,
          unit: 'ms/call',
          notes: `${(rasd.bytes / 1024).toFixed(0)} KiB`,
        },
        {
          name: 'GetInstance, 8 keep-alive clients',
          value: rate,
          unit: 'req/s',
          baseline: { name: 'bare Node HTTP, same bytes', value: bareRate },
          target: '>= 0.5x',
        },
        {
          name: 'GetInstance, server CPU per request',
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
