/**
 * The paired WS-Man Get measurement of `npm run bench wsman` on its own, with a line per round: the WS-Man server
 * of the test host (1,000 systems) and a bare Node server answering the same bytes, each in a process of its own,
 * in alternating bursts over 8 keep-alive connections (bench/wsman-pair.ts).
 *
 *   npm run build && node dist/bench/wsman-ab.js [--rounds 12] [--requests 2000] [--profile DIR] [--server-flags FLAGS]
 *
 * With `--profile DIR` this checkout's servers (WS-Man, and the floor with `--floor`) write V8 CPU profiles into DIR
 * when they end (`node --cpu-prof`). With `--floor` the subject is the shared HTTP server of src/wbem/http with a route answering the same bytes, not the
 * WS-Man server: what that layer costs before any protocol runs. With `--base DIR` (a built checkout, e.g. a `git
 * archive` of an older commit with node_modules linked, after `npx tsc -p tsconfig.build.json`) the baseline is that
 * checkout's WS-Man server instead of the bare one: an A/B of a change to the WS-Man path ("bare" then names the
 * base in the output). Each WS-Man server runs with the node flags of its checkout's `vessel host serve`;
 * `--server-flags "FLAGS"` adds node flags to this checkout's servers only (e.g. `--max-semi-space-size=64` against
 * `--base` of the same build: an A/B of a flag).
 */
import { parseArgs } from 'node:util';
import { postOnce, wsmanRequest } from './wsman-client.js';
import { GET_BODY } from './wsman-get.js';
import { pairedRounds, startBareServer, startHttpFloor, startWsmanHost, stopChild } from './wsman-pair.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '12' },
    requests: { type: 'string', default: '2000' },
    profile: { type: 'string' },
    floor: { type: 'boolean', default: false },
    base: { type: 'string' },
    'server-flags': { type: 'string', default: '' },
  },
});
const serverFlags = values['server-flags'].split(' ').filter((f) => f !== '');
const nodeArgs = [
  ...serverFlags,
  ...(values.profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values.profile]),
];
const wsman = await startWsmanHost({ vms: 1000, nodeArgs });
const answer = await postOnce(wsman.port, GET_BODY);
const host = values.floor ? await startHttpFloor(answer, nodeArgs) : wsman;
try {
  const bare =
    values.base === undefined
      ? await startBareServer(answer)
      : await startWsmanHost({ vms: 1000, checkout: values.base });
  try {
    const r = await pairedRounds(
      host,
      wsmanRequest(host.port, GET_BODY),
      bare,
      wsmanRequest(bare.port, GET_BODY),
      {
        rounds: Number(values.rounds),
        requests: Number(values.requests),
        onRound: (x, i) =>
          process.stdout.write(
            `round ${i}: WS-Man ${x.subject.rate.toFixed(0)} req/s ${x.subject.cpuUs.toFixed(1)} µs/req, ` +
              `bare ${x.bare.rate.toFixed(0)} req/s ${x.bare.cpuUs.toFixed(1)} µs/req\n`,
          ),
      },
    );
    const f = (s: { median: number; q1: number; q3: number }) =>
      `median ${s.median.toFixed(3)} (quartiles ${s.q1.toFixed(3)} .. ${s.q3.toFixed(3)})`;
    process.stdout.write(`WS-Man Get / bare, requests per second: ${f(r.rate)}\n`);
    process.stdout.write(`WS-Man Get / bare, requests per CPU second: ${f(r.cpu)}\n`);
    process.stdout.write(
      `medians: WS-Man ${r.subject.rate.median.toFixed(0)} req/s ${r.subject.cpuUs.median.toFixed(1)} µs/req, ` +
        `bare ${r.bare.rate.median.toFixed(0)} req/s ${r.bare.cpuUs.median.toFixed(1)} µs/req\n`,
    );
  } finally {
    await stopChild(bare);
  }
} finally {
  await stopChild(host);
  await stopChild(wsman);
}
