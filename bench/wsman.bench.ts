import type { BenchResult, BenchSuite } from './harness.js';
import { Connection, postOnce, wsmanRequest } from './wsman-client.js';
import { ENUMERATE_BODY, GET_BODY, pullBody } from './wsman-get.js';
import {
  type ChildServer,
  pairedRounds,
  type Spread,
  startBareServer,
  startWsmanHost,
  stopChild,
} from './wsman-pair.js';

const VMS = 1000;
/** Paired rounds of the Get measurement, and requests per burst (about a second of WS-Man load each). */
const ROUNDS = 12;
const REQUESTS = 2000;

/** Enumerate then Pull (500 a time) to the end over one keep-alive connection: ms per call, calls and items. */
async function enumeratePull(host: ChildServer): Promise<{ ms: number; calls: number; items: number }> {
  const c = await Connection.open(host.port);
  try {
    const t0 = performance.now();
    let r = await c.send(wsmanRequest(host.port, ENUMERATE_BODY));
    let calls = 1;
    let items = 0;
    let ctx = /<wsen:EnumerationContext>([^<]+)</.exec(r)?.[1];
    while (ctx) {
      r = await c.send(wsmanRequest(host.port, pullBody(ctx)));
      calls++;
      items += r.split('<p:InstanceID>').length - 1;
      ctx = r.includes('<wsen:EndOfSequence/>')
        ? undefined
        : /<wsen:EnumerationContext>([^<]+)</.exec(r)?.[1];
    }
    return { ms: (performance.now() - t0) / calls, calls, items };
  } finally {
    c.close();
  }
}

const quartiles = (s: Spread, digits = 2) => `quartiles ${s.q1.toFixed(digits)} .. ${s.q3.toFixed(digits)}`;

/**
 * WS-Man server with 1,000 virtual systems on the test driver (issue 12 benchmarks): Enumerate+Pull of every RASD,
 * and Get against a bare Node server answering the same bytes, as the median of paired rounds (bench/wsman-pair.ts)
 * of requests per second and of requests per CPU second of the server process, so that a loaded machine moves both
 * servers alike.
 */
export const suite: BenchSuite = {
  name: 'wsman: WS-Man server, 1,000 VMs on the test driver',
  async run(): Promise<BenchResult[]> {
    const host = await startWsmanHost({ vms: VMS });
    try {
      const ep = await enumeratePull(host);
      const answer = await postOnce(host.port, GET_BODY);
      const bare = await startBareServer(answer);
      let r: Awaited<ReturnType<typeof pairedRounds>>;
      try {
        r = await pairedRounds(
          host,
          wsmanRequest(host.port, GET_BODY),
          bare,
          wsmanRequest(bare.port, GET_BODY),
          { rounds: ROUNDS, requests: REQUESTS },
        );
      } finally {
        await stopChild(bare);
      }
      const paired = `median of ${ROUNDS} paired rounds`;
      return [
        {
          name: `Enumerate+Pull CIM_ResourceAllocationSettingData (${ep.items} in ${ep.calls} calls)`,
          value: ep.ms,
          unit: 'ms/call',
        },
        {
          name: 'WS-Man Get / bare Node, requests/s, 8 keep-alive clients',
          value: r.rate.median,
          unit: 'x',
          target: '>= 0.5x',
          notes: `${paired}, ${quartiles(r.rate)}; WS-Man ${r.subject.rate.median.toFixed(0)} req/s, bare ${r.bare.rate.median.toFixed(0)} req/s`,
        },
        {
          name: 'WS-Man Get / bare Node, requests per server CPU second',
          value: r.cpu.median,
          unit: 'x',
          target: '>= 0.5x',
          notes: `${paired}, ${quartiles(r.cpu)}; WS-Man ${r.subject.cpuUs.median.toFixed(1)} µs/req, bare ${r.bare.cpuUs.median.toFixed(1)} µs/req`,
        },
      ];
    } finally {
      await stopChild(host);
    }
  },
};
