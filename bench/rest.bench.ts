import { spawn } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRestTestHost } from '../src/rest/index.js';
import type { BenchResult, BenchSuite } from './harness.js';

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

/**
 * Requests per second of 8 keep-alive clients in a separate process (the load generator does not share the
 * server's event loop), and the CPU time this process spent per request meanwhile.
 */
function loadRate(port: number, seconds: number): Promise<{ rate: number; cpuUs: number }> {
  const script = `
    import { request, Agent } from 'node:http';
    const [port, seconds] = [Number(process.argv[1]), Number(process.argv[2])];
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const headers = { Authorization: ${JSON.stringify(AUTH)} };
    const one = () => new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: ${JSON.stringify(PATH)}, agent, headers }, (res) => {
        res.resume(); res.on('end', () => res.statusCode === 200 ? resolve() : reject(new Error('HTTP ' + res.statusCode)));
      });
      req.on('error', reject); req.end();
    });
    let done = 0; let all = 0; let counting = false;
    const end = Date.now() + 500 + seconds * 1000;
    setTimeout(() => { counting = true; }, 500);
    const worker = async () => { while (Date.now() < end) { await one(); all++; if (counting) done++; } };
    await Promise.all(Array.from({ length: 8 }, worker));
    process.stdout.write(done / seconds + ' ' + all);
    agent.destroy();`;
  const c0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      script,
      String(port),
      String(seconds),
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(err || `load generator exited ${code}`));
      const [rate, all] = out.split(' ').map(Number) as [number, number];
      const c = process.cpuUsage(c0);
      resolve({ rate, cpuUs: (c.user + c.system) / all });
    });
  });
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
