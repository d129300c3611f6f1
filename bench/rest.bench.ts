import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRestTestHost } from '../src/rest/index.js';
import type { BenchResult, BenchSuite } from './harness.js';
import { keepAliveLoad } from './load.js';

const VMS = 1000;
const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const PATH = '/api/v1/systems/vm500';

/** One GET on a keep-alive agent; resolves with the response body and headers. */
function get(port: number, agent: Agent): Promise<{ body: Buffer; type: string; etag: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: PATH, agent, headers: { Authorization: AUTH } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve({
                body: Buffer.concat(chunks),
                type: String(res.headers['content-type']),
                etag: String(res.headers.etag),
              })
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Requests each server answers before it is measured (the JIT warms the REST path). */
const WARM_REQUESTS = 3000;

async function warm(port: number, n: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let left = n;
  const worker = async () => {
    while (left-- > 0) await get(port, agent);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
}

/** Requests per second of 8 keep-alive clients, and this process's CPU time per request. */
function loadRate(port: number, seconds: number) {
  return keepAliveLoad(port, { method: 'GET', path: PATH, headers: { Authorization: AUTH } }, seconds);
}

/** REST server throughput: GET of one system among 1,000 on the test driver, against a bare Node server. */
export const suite: BenchSuite = {
  name: 'rest: REST/JSON server, 1,000 VMs on the test driver',
  async run(): Promise<BenchResult[]> {
    const host = await startRestTestHost({ vms: VMS });
    const port = host.rest.server.httpPort ?? 0;
    try {
      const answer = await get(port, new Agent());
      const bare = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, {
            'Cache-Control': 'no-store',
            ETag: answer.etag,
            'Content-Type': answer.type,
            'Content-Length': answer.body.length,
          });
          res.end(answer.body);
        });
      });
      await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
      const barePort = (bare.address() as AddressInfo).port;
      await warm(port, WARM_REQUESTS);
      await warm(barePort, WARM_REQUESTS);
      let rate = 0;
      let bareRate = 0;
      let cpuUs = 0;
      let bareCpuUs = 0;
      // Alternate the two servers so that load from other work on the machine falls on both alike.
      for (let round = 0; round < 3; round++) {
        const rest = await loadRate(port, 3);
        const plain = await loadRate(barePort, 3);
        rate += rest.rate / 3;
        bareRate += plain.rate / 3;
        cpuUs += rest.cpuUs / 3;
        bareCpuUs += plain.cpuUs / 3;
      }
      await new Promise<void>((r) => bare.close(() => r()));
      return [
        {
          name: `GET ${PATH}, 8 keep-alive clients`,
          value: rate,
          unit: 'req/s',
          baseline: { name: 'bare Node HTTP, same bytes', value: bareRate },
          target: '>= 0.6x',
          notes: `${(answer.body.length / 1024).toFixed(1)} KiB`,
        },
        {
          name: `GET ${PATH}, server CPU per request`,
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
