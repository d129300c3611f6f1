/**
 * CPU time per CIM-XML request of the server process, under a loopback load from a second process: what the CIM-XML
 * server costs per GetInstance and per EnumerateInstances next to a bare Node HTTP server answering the same bytes.
 * CPU time (process.cpuUsage deltas) rather than wall time, so that other work on a shared machine does not blur it.
 *
 *   npm run build && node dist/bench/cim-cpu.js [requests] [--profile DIR]
 *
 * With `--profile DIR` each measured phase also writes a V8 CPU profile (`DIR/<phase>.cpuprofile`).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { USERS_FILE, UserStore } from '../src/host/index.js';
import { encodeIMethodCall, startTestHost } from '../src/wbem/cimxml/index.js';
import { startHttpServer } from '../src/wbem/http/index.js';

const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;

/** Sends `n` requests over 8 keep-alive connections from a child process; resolves when all are answered. */
function load(port: number, method: string, body: string, n: number): Promise<void> {
  const script = `
    import { request, Agent } from 'node:http';
    const [port, method, body, n] = [Number(process.argv[1]), process.argv[2], process.argv[3], Number(process.argv[4])];
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const headers = { 'Content-Type': 'application/xml; charset="utf-8"', 'Content-Length': Buffer.byteLength(body),
      CIMOperation: 'MethodCall', CIMMethod: method, CIMObject: 'root/virtualization', Authorization: ${JSON.stringify(AUTH)} };
    const one = () => new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/cimom', method: 'POST', agent, headers }, (res) => {
        res.resume(); res.on('end', () => res.statusCode === 200 ? resolve() : reject(new Error('HTTP ' + res.statusCode)));
      });
      req.on('error', reject); req.end(body);
    });
    let left = n;
    const worker = async () => { while (left-- > 0) await one(); };
    await Promise.all(Array.from({ length: 8 }, worker));
    agent.destroy();`;
  return new Promise((resolve, reject) => {
    // Niced (unless NICE=0), so that waking the client does not take the CPU from the server in the middle of its
    // work; unniced, the server answers several requests per wake-up, as in `npm run bench`.
    const niced = process.env.NICE !== '0';
    const child = spawn(niced ? 'nice' : process.execPath, [
      ...(niced ? ['-n', '19', process.execPath] : []),
      '--input-type=module',
      '-e',
      script,
      String(port),
      method,
      body,
      String(n),
    ]);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err || `load exited ${code}`))));
  });
}

/** CPU ticks (10 ms) of each thread of this process, by thread name. */
function threads(): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(name, (out.get(name) ?? 0) + Number(f[11]) + Number(f[12]));
  }
  return out;
}

const args = process.argv.slice(2);
const pi = args.indexOf('--profile');
const profileDir = pi >= 0 ? args[pi + 1] : undefined;
const n = Number(args.find((a, i) => /^\d+$/.test(a) && i !== pi + 1) ?? 2000);
/** `ONLY=getinstance,enumerate` measures only those phases (bare, http, getinstance, enumerate). */
const only = process.env.ONLY?.split(',');
const session = profileDir ? new Session() : undefined;
session?.connect();

/** CPU µs of this process per request while `n` requests are answered. */
async function cpuPer(
  name: string,
  port: number,
  method: string,
  body: string,
  count: number,
): Promise<number> {
  if (only && !only.includes(name)) return Number.NaN;
  // One login first: eight at once from an address that never logged in are held back by the login throttle.
  await load(port, method, body, 1);
  await load(port, method, body, Math.min(200, count)); // warm-up
  if (session) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  process.stderr.write(`measuring ${name}\n`);
  const t0 = threads();
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await load(port, method, body, count);
  const c = process.cpuUsage(c0);
  h.disable();
  process.stderr.write(
    `${name}: ${((count * 1000) / (performance.now() - w0)).toFixed(0)} req/s wall, loop delay p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms\n`,
  );
  if (process.env.THREADS) {
    const t1 = threads();
    const lines = [...t1]
      .map(([k, v]) => [k, ((v - (t0.get(k) ?? 0)) * 10_000) / count] as const)
      .filter(([, v]) => v > 0);
    process.stdout.write(
      `${name} threads µs/req: ${lines.map(([k, v]) => `${k}=${v.toFixed(0)}`).join(' ')}\n`,
    );
  }
  if (session && profileDir) {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
  }
  sys[name] = c.system / count;
  return (c.user + c.system) / count;
}
const sys: Record<string, number> = {};

const host = await startTestHost({ vms: 1000 });
const port = Number(new URL(host.url).port);
await sleep(Number(process.env.DELAY_MS ?? 0));
try {
  const gi = encodeIMethodCall('1', 'GetInstance', 'root/virtualization', {
    InstanceName: {
      instanceName: {
        className: 'Vessel_ComputerSystem',
        keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'vm500' },
      },
    },
  });
  const en = encodeIMethodCall('1', 'EnumerateInstances', 'root/virtualization', {
    ClassName: { className: 'CIM_ComputerSystem' },
  });
  const answer = await fetch(`${host.url}/cimom`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/xml; charset="utf-8"',
      CIMOperation: 'MethodCall',
      CIMMethod: 'GetInstance',
      CIMObject: 'root/virtualization',
      Authorization: AUTH,
    },
    body: gi,
  }).then((r) => r.text());
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
  const rows: [string, number][] = [];
  rows.push(['bare Node HTTP, GetInstance bytes', await cpuPer('bare', barePort, 'GetInstance', gi, n)]);
  // The shared HTTP server (gate, login, body limits) answering the same bytes without CIM-XML.
  const http = await startHttpServer({
    routes: [
      {
        path: '/cimom',
        methods: ['POST'],
        handle: async (x) => {
          await x.readBody();
          x.res.writeHead(200, {
            'Content-Type': 'application/xml; charset="utf-8"',
            CIMOperation: 'MethodResponse',
            'Content-Length': Buffer.byteLength(answer),
          });
          x.res.end(answer);
        },
      },
    ],
    auth: { users: new UserStore(join(host.stateDir, USERS_FILE)) },
    http: { port: 0 },
  });
  rows.push([
    'Vessel HTTP server, same bytes',
    await cpuPer('http', http.httpPort ?? 0, 'GetInstance', gi, n),
  ]);
  await http.close();
  for (let i = Number(process.env.REPEAT ?? 1); i > 0; i--)
    rows.push(['CIM-XML GetInstance', await cpuPer('getinstance', port, 'GetInstance', gi, n)]);
  rows.push([
    'CIM-XML EnumerateInstances CIM_ComputerSystem (1,000)',
    await cpuPer('enumerate', port, 'EnumerateInstances', en, Math.max(20, Math.round(n / 100))),
  ]);
  await new Promise<void>((r) => bare.close(() => r()));
  for (const [name, us] of rows)
    process.stdout.write(`${name.padEnd(58)} ${us.toFixed(0).padStart(8)} µs CPU/request\n`);
  process.stdout.write(
    `(of which system: ${Object.entries(sys)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')})\n`,
  );
} finally {
  session?.disconnect();
  await host.close();
}
