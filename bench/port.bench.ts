import {
  DEFAULT_READ_LIMITS,
  DEFAULT_REQUEST_LIMITS,
  readCimXml,
  readCimXmlAsync,
  startTestHost,
} from '../src/wbem/cimxml/index.js';
import { parseXml } from '../src/xml/index.js';
import type { BenchResult, BenchSuite } from './harness.js';
import { type ClientOptions, loopbackAddresses, percentile, runScenario } from './port-attacks.js';

const WIDE = { ...DEFAULT_READ_LIMITS, maxBytes: 64 << 20, maxAttributes: 1e7, maxElements: 1e7 };

/** A CIM-XML document of about `bytes` made of small VALUE elements. */
function values(bytes: number): string {
  const one = '<VALUE>Vessel_ResourceAllocationSettingData</VALUE>';
  return `<CIM CIMVERSION="2.0" DTDVERSION="2.0"><A>${one.repeat(Math.floor(bytes / one.length))}</A></CIM>`;
}

/** One element with `n` attributes (about 10 bytes each). */
function attributes(n: number): string {
  const parts = ['<CIM'];
  for (let i = 0; i < n; i++) parts.push(` a${i}=""`);
  parts.push('/>');
  return parts.join('');
}

function ms(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** The longest the event loop was held while `fn` ran, ms: the worst gap between two timer ticks. */
async function longestBlock(fn: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let max = 0;
  let stop = false;
  const tick = () => {
    const now = performance.now();
    max = Math.max(max, now - last);
    last = now;
    if (!stop) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  await fn().catch(() => undefined);
  stop = true;
  await new Promise((r) => setTimeout(r, 5));
  return max;
}

/** The same for work done in 1 ms slices for `ms`: what the machine's scheduling alone costs. */
function noiseFloor(ms: number): Promise<number> {
  return longestBlock(async () => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const t = performance.now();
      while (performance.now() - t < 1);
      await new Promise((r) => setImmediate(r));
    }
  });
}

/** Median of `runs` measurements. */
async function median(runs: number, fn: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await fn());
  return percentile(xs, 50);
}

async function parsing(): Promise<BenchResult[]> {
  const doc = values(4 << 20);
  const bomb = attributes(300_000);
  const same = values(bomb.length);
  for (const d of [doc, bomb, same]) readCimXml(d, WIDE); // warm up
  parseXml(doc);
  const fast = ms(() => readCimXml(doc, WIDE));
  const saxes = ms(() => parseXml(doc));
  const mb = doc.length / 1e6;
  const bombMs = ms(() => readCimXml(bomb, WIDE));
  const sameMs = ms(() => readCimXml(same, WIDE));
  const results: BenchResult[] = [
    {
      name: 'fast CIM-XML reader, 4 MiB of VALUE elements',
      value: mb / (fast / 1000),
      unit: 'MB/s',
      baseline: { name: 'hardened reader (saxes)', value: mb / (saxes / 1000) },
    },
    {
      name: '300,000 attributes on one element (3 MB), fast reader',
      value: bombMs,
      unit: 'ms',
      baseline: { name: 'same bytes as elements', value: sameMs },
      target: 'a small constant (linear; it was 10 min)',
    },
  ];
  // Hostile bodies at the request limits (default 1 MiB, and 4 MiB): the most elements, with long texts; and a body
  // that is plain up to its last tag, so the fast reader reads it all and the hardened one reads it again.
  for (const maxBytes of [DEFAULT_REQUEST_LIMITS.maxBytes, 4 << 20]) {
    const limits = { ...DEFAULT_REQUEST_LIMITS, maxBytes };
    const n = limits.maxElements - 10;
    const text = 'x'.repeat(Math.floor((maxBytes - 200) / n) - 8);
    const wide = Buffer.from(
      `<CIM CIMVERSION="2.0" DTDVERSION="2.0"><A>${`<V>${text}</V>`.repeat(n)}</A></CIM>`,
    );
    const broken = Buffer.from(`${wide.toString().slice(0, -6)}</CIX>`);
    const mib = maxBytes >> 20;
    for (const [name, body] of [
      [`${n} elements, ${mib} MiB`, wide],
      [`${mib} MiB plain but for its last tag`, broken],
    ] as const) {
      const oneGo = ms(() => {
        try {
          readCimXml(body, limits);
        } catch {
          // refused: what is measured is the time
        }
      });
      const block = await median(5, () => longestBlock(() => readCimXmlAsync(body, limits)));
      const floor = await median(5, () => noiseFloor(Math.max(20, oneGo)));
      results.push({
        name: `longest event-loop block reading ${name}`,
        value: block,
        unit: 'ms',
        baseline: { name: '1 ms slices, same time', value: floor },
        notes: `read in one go: ${oneGo.toFixed(0)} ms`,
        target: '~1x',
      });
    }
  }
  return results;
}

const ADMIN = 'admin:secret';

async function port(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const scenarios: [string, Omit<ClientOptions, 'port' | 'durationMs'>, boolean][] = [
    ['no attack', { kind: 'probe', credentials: ADMIN, from: ['127.0.0.9'] }, false],
    [
      'slowloris, 400 connections, 1 address',
      { kind: 'slowloris', connections: 400, from: ['127.0.0.2'] },
      false,
    ],
    [
      'slowloris, 400 connections, 20 addresses',
      { kind: 'slowloris', connections: 400, from: loopbackAddresses(10, 20) },
      false,
    ],
    ['silent TLS, 256 sockets, 1 address', { kind: 'silent', connections: 256, from: ['127.0.0.3'] }, true],
    [
      'attribute bomb 300k (3 MB, 4 MiB cap), reader',
      { kind: 'bomb', attributes: 300_000, from: ['127.0.0.4'], credentials: 'rita:r3ad' },
      false,
    ],
    [
      'guessing, 200 connections, 1 address',
      { kind: 'guess', connections: 200, from: ['127.0.0.5'], credentials: 'admin:x' },
      false,
    ],
    [
      'guessing, 200 connections, 50 addresses',
      { kind: 'guess', connections: 200, from: loopbackAddresses(100, 50), credentials: 'admin:x' },
      false,
    ],
  ];
  let idleP50 = 0;
  for (const [name, attack, tls] of scenarios) {
    const host = await startTestHost({
      vms: 3,
      https: tls,
      limits: { maxBodyBytes: 4 << 20 },
      users: [
        ['admin', 'admin', 'secret'],
        ['rita', 'reader', 'r3ad'],
      ],
    });
    try {
      const p = Number(new URL(tls ? host.httpsUrl! : host.url).port);
      const r = await runScenario(
        { ...attack, port: p, durationMs: 10_000 },
        { port: p, tls, credentials: ADMIN },
      );
      const lat = r.probe.latenciesMs;
      const ok = r.probe.outcomes['200'] ?? 0;
      const p50 = percentile(lat, 50);
      if (name === 'no attack') idleP50 = p50;
      const guesses =
        attack.kind === 'guess' ? ` guesses checked ${(r.attack.outcomes['401'] ?? 0) / 10}/s;` : '';
      out.push({
        name: `legit EnumerateInstances p50, ${name}`,
        value: p50,
        unit: 'ms',
        baseline: { name: 'no attack', value: idleP50 },
        notes: `max ${Math.max(...lat).toFixed(0)} ms; ${ok}/${r.probe.opened} ok;${guesses} event loop p99 ${r.p99EventLoopDelayMs.toFixed(0)} ms max ${r.maxEventLoopDelayMs.toFixed(0)} ms`,
      });
    } finally {
      await host.close();
    }
  }
  return out;
}

/** The parsers and the management port under abuse (issue 9): linear reading, short slices, a port that holds. */
export const suite: BenchSuite = {
  name: 'port: CIM-XML parsing and the management port under abuse',
  async run(): Promise<BenchResult[]> {
    return [...(await parsing()), ...(await port())];
  },
};
