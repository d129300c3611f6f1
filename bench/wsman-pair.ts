/**
 * A paired measurement of the WS-Man server against a bare Node HTTP server answering the same bytes (issue 12's
 * Get benchmark), robust on a loaded machine: each server runs in a process of its own, the load comes from this
 * process over 8 keep-alive connections, and each round sends one burst to each server, alternating which goes
 * first, so that what else the machine runs falls on both alike within a round. A burst's server CPU is the run
 * time the scheduler counted for every thread of the server (/proc/PID/task/TID/schedstat, in nanoseconds: the
 * main thread and V8's GC and compiler threads), its rate the requests over the burst's wall time. The answer is
 * the median of the per-round ratios with their quartiles, not a ratio of sums that one slow burst can tip.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuNs } from './schedstat.js';
import { burst, messageIdDigits } from './wsman-client.js';

/** A server in a process of its own: the process and the port it listens on (127.0.0.1). */
export interface ChildServer {
  child: ChildProcess;
  port: number;
}

/** Options of {@link startWsmanHost}. */
export interface WsmanHostOptions {
  /** Virtual systems to define on the test driver. */
  vms: number;
  /** Extra arguments of the server's node (e.g. `--cpu-prof --cpu-prof-dir DIR`). */
  nodeArgs?: string[];
  /** A built checkout to run the host of (its `dist`), default this one. */
  checkout?: string;
}

const HOST_MODULE = fileURLToPath(new URL('../src/wbem/cimxml/index.js', import.meta.url));
const HTTP_MODULE = fileURLToPath(new URL('../src/wbem/http/index.js', import.meta.url));
const USERS_MODULE = fileURLToPath(new URL('../src/host/index.js', import.meta.url));

/** Runs `script` in a new node and resolves with its process and the port it prints first. */
function startChild(
  script: string,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<ChildServer> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const line = out.split('\n')[0];
      if (!out.includes('\n') || line === undefined) return;
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      ok({ child, port: Number(line) });
    };
    const onExit = (code: number | null) => fail(new Error(`a bench server exited ${code} before listening`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

const CLI_MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/**
 * The node flags that `vessel host serve` runs with: those of the executable's `#!/usr/bin/env -S node FLAGS` line
 * (the image's vessel.service passes the same), none when the line names node alone.
 *
 * @example
 * hostServeFlags('dist/src/cli/main.js'); // ['--max-semi-space-size=32']
 */
export function hostServeFlags(main: string): string[] {
  const line = readFileSync(main, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env -S node((?: --[a-z-]+=\S+)*)$/.exec(line);
  if (m === null && line !== '#!/usr/bin/env node')
    throw new Error(`${main}: an unexpected first line: ${line}`);
  return (m?.[1] ?? '').split(' ').filter((f) => f !== '');
}

/**
 * The test host (`startTestHost`, the built one in dist) with `vms` systems and WS-Man on, in a process of its own
 * with the node flags of `vessel host serve` ({@link hostServeFlags}, the checkout's own); SIGTERM closes it
 * (removing its state directory) and ends the process.
 */
export function startWsmanHost(o: WsmanHostOptions): Promise<ChildServer> {
  const root = o.checkout === undefined ? undefined : resolve(o.checkout);
  const module = root === undefined ? HOST_MODULE : join(root, 'dist/src/wbem/cimxml/index.js');
  const flags = hostServeFlags(root === undefined ? CLI_MAIN : join(root, 'dist/src/cli/main.js'));
  const script = `const { startTestHost } = await import(${JSON.stringify(module)});
    const h = await startTestHost({ vms: ${o.vms}, wsman: true });
    process.once('SIGTERM', () => h.close().finally(() => process.exit(0)));
    console.log(new URL(h.wsmanUrl).port);`;
  return startChild(script, [...flags, ...(o.nodeArgs ?? [])]);
}

/**
 * The shared HTTP server of the WBEM protocols (`startHttpServer`: gate, Basic authentication, body limits) with a
 * `POST /wsman` route that reads the body and answers `answer`, in a process of its own: the floor under any
 * protocol on that server, which tells the HTTP layer's cost from the protocol's.
 */
export function startHttpFloor(answer: string, nodeArgs: string[] = []): Promise<ChildServer> {
  const script = `const { startHttpServer } = await import(${JSON.stringify(HTTP_MODULE)});
    const { UserStore } = await import(${JSON.stringify(USERS_MODULE)});
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'vessel-bench-'));
    const users = new UserStore(join(dir, 'users.json'));
    await users.add('admin', 'admin', 'secret');
    const answer = process.env.BENCH_ANSWER;
    const handle = async ({ res, readBody }) => {
      await readBody();
      res.writeHead(200, { 'Content-Type': 'application/soap+xml;charset=UTF-8', 'Content-Length': Buffer.byteLength(answer) });
      res.end(answer);
    };
    const s = await startHttpServer({ routes: [{ path: '/wsman', methods: ['POST'], handle }], auth: { users }, http: { port: 0 } });
    process.once('SIGTERM', () => rm(dir, { recursive: true, force: true }).finally(() => process.exit(0)));
    console.log(s.httpPort);`;
  return startChild(script, nodeArgs, { BENCH_ANSWER: answer });
}

/** A bare Node HTTP server in a process of its own that reads each request's body and answers `answer` (200). */
export function startBareServer(answer: string): Promise<ChildServer> {
  const script = `import { createServer } from 'node:http';
    const answer = process.env.BENCH_ANSWER;
    const s = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/soap+xml;charset=UTF-8', 'Content-Length': Buffer.byteLength(answer) });
        res.end(answer);
      });
    });
    process.once('SIGTERM', () => process.exit(0));
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  return startChild(script, [], { BENCH_ANSWER: answer });
}

/** Ends a child server and waits for it to go. */
export function stopChild(s: ChildServer): Promise<void> {
  if (s.child.exitCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    s.child.once('exit', () => ok());
    s.child.kill('SIGTERM');
  });
}

/** A median with its quartiles. */
export interface Spread {
  median: number;
  q1: number;
  q3: number;
}

/** The median and quartiles of `xs` (nearest rank). */
export function spread(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
  return { median: at(0.5), q1: at(0.25), q3: at(0.75) };
}

/** One server's burst: requests per second and server CPU per request in µs. */
export interface BurstFigures {
  rate: number;
  cpuUs: number;
}

/** One round of a paired measurement. */
export interface PairRound {
  subject: BurstFigures;
  bare: BurstFigures;
}

/** What {@link pairedRounds} answers: every round, and the ratios' spreads. */
export interface PairResult {
  rounds: PairRound[];
  /** Requests per second, subject / bare: 1 is as fast as the bare server. */
  rate: Spread;
  /** Requests per CPU second, subject / bare (bare CPU per request / subject's): the aim's measure. */
  cpu: Spread;
  /** The subject's and the bare server's own medians. */
  subject: { rate: Spread; cpuUs: Spread };
  bare: { rate: Spread; cpuUs: Spread };
}

/** Options of {@link pairedRounds}. */
export interface PairOptions {
  rounds: number;
  /** Requests per burst. */
  requests: number;
  /** Called after each round (progress lines). */
  onRound?: (r: PairRound, index: number) => void;
}

async function measured(s: ChildServer, request: Buffer, n: number): Promise<BurstFigures> {
  const pid = s.child.pid ?? 0;
  const c0 = cpuNs(pid);
  const ms = await burst(s.port, request, n, 8, messageIdDigits(request));
  return { rate: (n * 1000) / ms, cpuUs: (cpuNs(pid) - c0) / 1000 / n };
}

/**
 * Paired rounds of `requests` requests to `subject` and to `bare` (each with its own request bytes), the order
 * alternating; both servers are warmed first.
 *
 * @example
 * const r = await pairedRounds(host, getRequest, bare, bareRequest, { rounds: 12, requests: 2000 });
 * r.cpu.median; // 0.6: the WS-Man server answers 0.6 as many requests per CPU second as the bare one
 */
export async function pairedRounds(
  subject: ChildServer,
  subjectRequest: Buffer,
  bare: ChildServer,
  bareRequest: Buffer,
  o: PairOptions,
): Promise<PairResult> {
  // One request alone first (the login throttle holds back eight new logins at once), then a warm-up of each
  // long enough for V8 to optimise the hot paths (the first bursts run at half speed).
  await burst(subject.port, subjectRequest, 1, 1);
  await burst(bare.port, bareRequest, 1, 1);
  for (let i = 0; i < 3; i++) {
    await burst(subject.port, subjectRequest, o.requests, 8, messageIdDigits(subjectRequest));
    await burst(bare.port, bareRequest, o.requests, 8, messageIdDigits(bareRequest));
  }
  const rounds: PairRound[] = [];
  for (let i = 0; i < o.rounds; i++) {
    let r: PairRound;
    if (i % 2 === 0) {
      const s = await measured(subject, subjectRequest, o.requests);
      r = { subject: s, bare: await measured(bare, bareRequest, o.requests) };
    } else {
      const b = await measured(bare, bareRequest, o.requests);
      r = { subject: await measured(subject, subjectRequest, o.requests), bare: b };
    }
    rounds.push(r);
    o.onRound?.(r, i);
  }
  return {
    rounds,
    rate: spread(rounds.map((r) => r.subject.rate / r.bare.rate)),
    cpu: spread(rounds.map((r) => r.bare.cpuUs / r.subject.cpuUs)),
    subject: {
      rate: spread(rounds.map((r) => r.subject.rate)),
      cpuUs: spread(rounds.map((r) => r.subject.cpuUs)),
    },
    bare: { rate: spread(rounds.map((r) => r.bare.rate)), cpuUs: spread(rounds.map((r) => r.bare.cpuUs)) },
  };
}
