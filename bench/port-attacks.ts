import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Hostile and legitimate clients of the CIM-XML port, for the load test (src/wbem/cimxml/port.load.test.ts) and the
 * port benchmark. Each runs in a child process of its own for a bounded time, so that the load generator does not
 * share the server's event loop, and reports what it saw as JSON. Attackers connect from other loopback addresses
 * (127.0.0.2 and up; Linux routes all of 127/8 to lo) so that the server sees them as other peers than the
 * legitimate client on 127.0.0.1, as it would on a network.
 */

/** What a client saw: answers by HTTP status (`reset`, `timeout`, `closed` for connections that got none). */
export interface AttackStats {
  kind: AttackKind;
  /** Connections opened (slowloris, silent TLS, guessing, probe). */
  opened: number;
  /** Answers and endings by status, e.g. `{ "200": 40, "503": 12, "closed": 300 }`. */
  outcomes: Record<string, number>;
  /** Request latencies in ms (probe, bomb, and guesses actually checked): connect to the end of the answer. */
  latenciesMs: number[];
  /** The most connections open at once. */
  maxOpen: number;
  /** The start of the first answer body seen for each outcome (what the server said). */
  samples: Record<string, string>;
  /** How long the client ran, ms. */
  elapsedMs: number;
}

/** The clients: a legitimate prober, slowloris, TLS sockets that never say hello, password guessing, a body bomb. */
export type AttackKind = 'probe' | 'slowloris' | 'silent' | 'guess' | 'bomb';

/** Options of {@link runClient}. */
export interface ClientOptions {
  kind: AttackKind;
  port: number;
  /** Use TLS (the probe, guessing and bombs; silent sockets never get that far). */
  tls?: boolean;
  /** How long to run, ms. */
  durationMs: number;
  /** Parallel connections (slowloris, silent, guess); 1 for the probe and bomb. */
  connections?: number;
  /** Source addresses to spread the connections over (default 127.0.0.1). */
  from?: string[];
  /** `user:password` for Basic authentication. */
  credentials?: string;
  /** Pause between probes or bombs, or between slowloris bytes, ms. */
  intervalMs?: number;
  /** A request that gets no answer within this is counted as `timeout`, ms (default 10 s). */
  timeoutMs?: number;
  /** The bomb: how many attributes on the root element (a valid EnumerateInstances around them). */
  attributes?: number;
}

/** Loopback source addresses `127.0.0.<first>` .. `127.0.0.<first + n - 1>`. */
export function loopbackAddresses(first: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${first + i}`);
}

/** Runs one client process for `durationMs` and returns what it saw. */
export function runClient(o: ClientOptions): Promise<AttackStats> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, JSON.stringify(o)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(err || `the ${o.kind} client exited ${code}`));
      resolve(JSON.parse(out) as AttackStats);
    });
  });
}

/** The p-th percentile (0..100) of a list of numbers; NaN for an empty list. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** What a legitimate prober and an attacker saw side by side, and how late the server's event loop ran. */
export interface ScenarioResult {
  attack: AttackStats;
  probe: AttackStats;
  /** The longest the server's event loop was late during the scenario, ms (scheduling on a busy machine included). */
  maxEventLoopDelayMs: number;
  /** The 99th percentile of that delay, ms. */
  p99EventLoopDelayMs: number;
}

/**
 * Runs an attacker and, alongside, a legitimate client that sends EnumerateInstances on a fresh connection every
 * `probeIntervalMs` from 127.0.0.1 (starting once the attack is under way), measuring the event loop of this
 * process (the server's) meanwhile. The legitimate client logs in once before the attack starts, as a regular
 * client of the host has.
 */
export async function runScenario(
  attack: ClientOptions,
  probe: { port: number; tls?: boolean; credentials: string; probeIntervalMs?: number; warmupMs?: number },
): Promise<ScenarioResult> {
  // One request (a probe always sends at least one), which must succeed: the login a regular client has made.
  const login = await runClient({
    kind: 'probe',
    port: probe.port,
    tls: probe.tls ?? false,
    credentials: probe.credentials,
    durationMs: 1,
  });
  if (login.outcomes['200'] !== 1)
    throw new Error(`The legitimate client's first login failed: ${JSON.stringify(login.outcomes)}`);
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const warmupMs = probe.warmupMs ?? 1000;
  const attacking = runClient(attack);
  await new Promise((r) => setTimeout(r, warmupMs));
  const probing = runClient({
    kind: 'probe',
    port: probe.port,
    tls: probe.tls ?? false,
    credentials: probe.credentials,
    durationMs: Math.max(1000, attack.durationMs - warmupMs - 500),
    intervalMs: probe.probeIntervalMs ?? 200,
  });
  const [a, p] = await Promise.all([attacking, probing]);
  h.disable();
  return {
    attack: a,
    probe: p,
    maxEventLoopDelayMs: h.max / 1e6,
    p99EventLoopDelayMs: h.percentile(99) / 1e6,
  };
}

/** One line of figures: count, p50 and max latency, outcomes. */
export function describeStats(s: AttackStats): string {
  const lat = s.latenciesMs;
  const outcomes = Object.entries(s.outcomes)
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
  const l = lat.length
    ? ` p50 ${percentile(lat, 50).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms;`
    : '';
  return `${s.kind}: ${s.opened} connections (max ${s.maxOpen} open);${l} ${outcomes}`;
}

// The client program, plain JavaScript run by `node --input-type=module -e` (as bench/cim.bench.ts does).
const CLIENT = String.raw`
import net from 'node:net';
import tls from 'node:tls';
const o = JSON.parse(process.argv[1]);
const t0 = Date.now();
const end = t0 + o.durationMs;
const from = o.from && o.from.length ? o.from : ['127.0.0.1'];
const timeoutMs = o.timeoutMs ?? 10000;
const stats = { kind: o.kind, opened: 0, outcomes: {}, latenciesMs: [], maxOpen: 0, elapsedMs: 0, samples: {} };
let open = 0;
let next = 0;
const count = (k) => { stats.outcomes[k] = (stats.outcomes[k] ?? 0) + 1; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const head = (method, length, credentials) =>
  'POST /cimom HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/xml; charset="utf-8"\r\n' +
  'Content-Length: ' + length + '\r\nCIMOperation: MethodCall\r\nCIMMethod: ' + method +
  '\r\nCIMObject: root/virtualization\r\n' +
  (credentials ? 'Authorization: Basic ' + Buffer.from(credentials).toString('base64') + '\r\n' : '') + '\r\n';
const ENUM_HEAD = '<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"';
const ENUM_TAIL = '><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="EnumerateInstances">' +
  '<LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virtualization"/></LOCALNAMESPACEPATH>' +
  '<IPARAMVALUE NAME="ClassName"><CLASSNAME NAME="CIM_ComputerSystem"/></IPARAMVALUE></IMETHODCALL></SIMPLEREQ>' +
  '</MESSAGE></CIM>\n';
function enumerate(attributes) {
  const parts = [ENUM_HEAD];
  for (let i = 0; i < attributes; i++) parts.push(' a' + i + '=""');
  parts.push(ENUM_TAIL);
  return Buffer.from(parts.join(''));
}
function connect(useTls) {
  const localAddress = from[next++ % from.length];
  const raw = net.connect({ port: o.port, host: '127.0.0.1', localAddress });
  stats.opened++;
  open++;
  stats.maxOpen = Math.max(stats.maxOpen, open);
  raw.once('close', () => { open--; });
  if (!useTls) return raw;
  return tls.connect({ socket: raw, rejectUnauthorized: false, servername: 'localhost' });
}
/** One request on a fresh connection: resolves with the status (or reset/timeout/closed) and the latency. */
function request(body, credentials, method) {
  return new Promise((resolve) => {
    const start = performance.now();
    const s = connect(o.tls);
    let buf = '';
    let done = false;
    const finish = (outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ outcome, ms: performance.now() - start });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    s.on(o.tls ? 'secureConnect' : 'connect', () => {
      s.write(head(method, body.length, credentials));
      s.write(body);
    });
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const e = buf.indexOf('\r\n\r\n');
      if (e < 0) return;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 'garbled';
      const len = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, e))?.[1] ?? 0);
      if (buf.length - e - 4 < len) return;
      stats.samples[status] ??= buf.slice(e + 4, e + 4 + 160);
      finish(status);
    });
    s.on('error', (err) => finish(err.code === 'ECONNRESET' ? 'reset' : (err.code ?? 'error')));
    s.on('close', () => finish('closed'));
  });
}
async function probe() {
  const body = enumerate(0);
  do {
    const r = await request(body, o.credentials, 'EnumerateInstances');
    count(r.outcome);
    stats.latenciesMs.push(r.ms);
    if (Date.now() < end) await sleep(o.intervalMs ?? 200);
  } while (Date.now() < end);
}
async function bomb() {
  const body = enumerate(o.attributes ?? 100000);
  do {
    const r = await request(body, o.credentials, 'EnumerateInstances');
    count(r.outcome);
    stats.latenciesMs.push(r.ms);
    await sleep(o.intervalMs ?? 100);
  } while (Date.now() < end);
}
async function guess() {
  const body = enumerate(0);
  const user = (o.credentials ?? 'admin:x').split(':')[0];
  let n = 0;
  const loop = async () => {
    while (Date.now() < end) {
      const r = await request(body, user + ':guess' + n++, 'EnumerateInstances');
      count(r.outcome);
      if (r.outcome === '401') stats.latenciesMs.push(r.ms);
      if (r.outcome !== '401') await sleep(5);
    }
  };
  await Promise.all(Array.from({ length: o.connections ?? 200 }, loop));
}
/** Sockets that hold a slot: slowloris sends a header byte every interval, silent ones (TLS port) never speak. */
async function hold(slowloris) {
  const sockets = new Set();
  let stopping = false;
  const one = () => {
    if (stopping || Date.now() >= end) return;
    const s = connect(false);
    sockets.add(s);
    let timer;
    let buf = '';
    s.on('connect', () => {
      if (!slowloris) return;
      s.write('POST /cimom HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      timer = setInterval(() => s.write('a'), o.intervalMs ?? 2000);
    });
    s.on('data', (d) => { buf += d.toString('latin1'); });
    s.on('error', () => {});
    s.on('close', () => {
      clearInterval(timer);
      sockets.delete(s);
      if (stopping) return;
      count(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 'closed');
      setTimeout(one, 50);
    });
  };
  for (let i = 0; i < (o.connections ?? 400); i++) one();
  await sleep(o.durationMs);
  stopping = true;
  for (const s of sockets) s.destroy();
}
const run = { probe, bomb, guess, slowloris: () => hold(true), silent: () => hold(false) }[o.kind];
await run();
stats.elapsedMs = Date.now() - t0;
process.stdout.write(JSON.stringify(stats), () => process.exit(0));
`;
