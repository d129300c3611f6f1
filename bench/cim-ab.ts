/**
 * Paired A/B of the CIM-XML server's CPU cost per GetInstance: this checkout's test host and a baseline checkout's
 * (built, e.g. a `git worktree` of an older commit after `npx tsc -p .`) run side by side as two processes, and
 * short bursts of requests go to each in turn, alternating which goes first. Each burst's server CPU is the run time
 * the scheduler counted for every thread of the server (/proc/PID/task/TID/schedstat, in nanoseconds: the main
 * thread and V8's GC and compiler threads, not 10 ms ticks), so drift of a shared machine falls on both alike;
 * the answer is the median of the per-round ratios with their quartiles.
 *
 * With `--together` each round loads both servers at the same time (8 connections each) instead of one after the
 * other, so that what else a shared machine runs weighs on both alike within the round too.
 *
 *   npm run build && node dist/bench/cim-ab.js --base /tmp/old [--rounds 16] [--requests 5000] [--together]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeIMethodCall } from '../src/wbem/cimxml/index.js';
import { cpuNs } from './schedstat.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '16' },
    requests: { type: 'string', default: '5000' },
    together: { type: 'boolean', default: false },
  },
});
if (values.base === undefined) throw new Error('--base DIR (a built checkout to compare with) is required');
const rounds = Number(values.rounds);
const n = Number(values.requests);
const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const body = encodeIMethodCall('1', 'GetInstance', 'root/virtualization', {
  InstanceName: {
    instanceName: {
      className: 'Vessel_ComputerSystem',
      keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'vm500' },
    },
  },
});

interface Server {
  child: ChildProcess;
  url: URL;
}

/** A test host with 1,000 systems from the built checkout at `dir`, in a process of its own. */
function start(dir: string): Promise<Server> {
  const entry = join(resolve(dir), 'dist/src/wbem/cimxml/index.js');
  const script = `const { startTestHost } = await import(${JSON.stringify(entry)});
    const h = await startTestHost({ vms: 1000 }); console.log(h.url);`;
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout?.once('data', (d: Buffer) => ok({ child, url: new URL(String(d).trim()) }));
    child.once('exit', (code) => fail(new Error(`the test host in ${dir} exited ${code}`)));
  });
}

/** `count` GetInstance requests over 8 keep-alive connections. */
async function burst(url: URL, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const headers = {
    'Content-Type': 'application/xml; charset="utf-8"',
    'Content-Length': Buffer.byteLength(body),
    CIMOperation: 'MethodCall',
    CIMMethod: 'GetInstance',
    CIMObject: 'root/virtualization',
    Authorization: AUTH,
  };
  const one = () =>
    new Promise<void>((ok, fail) => {
      const opts = { host: url.hostname, port: url.port, path: '/cimom', method: 'POST', agent, headers };
      const req = request(opts, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? ok() : fail(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', fail);
      req.end(body);
    });
  let left = count;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (left-- > 0) await one();
    }),
  );
  agent.destroy();
}

const servers = { base: await start(values.base), this: await start('.') };
try {
  for (const s of Object.values(servers)) {
    await burst(s.url, 1); // one login first (the login throttle holds back eight at once)
    await burst(s.url, 2000); // warm-up
  }
  const ratios: number[] = [];
  /** One server's burst with the CPU it took, in µs per request. */
  const measured = async (k: keyof typeof servers): Promise<number> => {
    const pid = servers[k].child.pid ?? 0;
    const t0 = cpuNs(pid);
    await burst(servers[k].url, n);
    return (cpuNs(pid) - t0) / 1000 / n;
  };
  for (let r = 0; r < rounds; r++) {
    const us: Record<string, number> = {};
    if (values.together) {
      // Both at once: whatever else the machine runs meanwhile weighs on both alike.
      [us.base, us.this] = await Promise.all([measured('base'), measured('this')]);
    } else {
      for (const k of r % 2 === 0 ? (['base', 'this'] as const) : (['this', 'base'] as const))
        us[k] = await measured(k);
    }
    ratios.push((us.this ?? 0) / (us.base ?? 1));
    process.stdout.write(`round ${r}: base ${us.base?.toFixed(1)} µs, this ${us.this?.toFixed(1)} µs\n`);
  }
  ratios.sort((a, b) => a - b);
  const q = (p: number) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]?.toFixed(3);
  process.stdout.write(
    `GetInstance CPU, this / base: median ${q(0.5)} (quartiles ${q(0.25)} .. ${q(0.75)})\n`,
  );
} finally {
  for (const s of Object.values(servers)) s.child.kill();
}
