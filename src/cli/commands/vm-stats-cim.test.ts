import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';
import type { Api, MetricsSnapshot } from '../../api/index.js';
import { connectHostApi } from '../../host/index.js';
import { CimXmlApi, connectWsmanHost } from '../../wbem/index.js';

// `vessel vm stats` and the metrics namespace over CIM-XML and WS-Man alone (DSP1053's classes) against a real
// `host serve` (test driver, a sample every second): the figures equal the host's own for the same sample.

let host: ServedHost;
let cim: string;
let wsman: string;

beforeAll(async () => {
  const [c, w] = [await freePort(), await freePort()];
  host = await serveHost({
    users: [['admin', 'admin', 'secret']],
    args: [
      '--cim-http',
      String(c),
      '--cim-https',
      '0',
      '--wsman-http',
      String(w),
      '--wsman-https',
      '0',
      '--http',
      '0',
      '--https',
      '0',
      '--metrics-interval',
      '1',
    ],
    ready: 'WS-Man:',
    prefix: 'vessel-statscim-',
  });
  cim = `http://admin:secret@127.0.0.1:${c}`;
  wsman = `wsman+http://admin:secret@127.0.0.1:${w}`;
  await promisify(execFile)('qemu-img', [
    'create',
    '-q',
    '-f',
    'qcow2',
    join(host.state, 'images', 'sc1.qcow2'),
    '16M',
  ]);
  for (const args of [
    [
      'vm',
      'define',
      '--name',
      'sc1',
      '--cpus',
      '2',
      '--memory',
      '64M',
      '--nic',
      'user',
      '--disk',
      join(host.state, 'images', 'sc1.qcow2'),
    ],
    ['vm', 'define', '--name', 'sc2', '--cpus', '1', '--memory', '32M'],
    ['vm', 'start', 'sc1'],
  ]) {
    const r = await runCli([...args, '--state', host.state]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 60_000);
afterAll(async () => {
  await host?.close();
});

/** Runs `fn` until the two readings are of the same sample (the sampler moves on every second). */
async function sameSample<T extends { time?: string | undefined }>(
  read: () => Promise<[T, T]>,
): Promise<[T, T]> {
  for (let i = 0; ; i++) {
    const [a, b] = await read();
    if (a.time === b.time || i === 20) return [a, b];
  }
}

const statsJson = async (connect: string[]) => {
  const r = await runCli(['vm', 'stats', 'sc1', '--json', ...connect]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { time: string; nics: unknown[] };
};

describe.each([
  ['CIM-XML', () => cim],
  ['WS-Man', () => wsman],
])('vessel vm stats over %s', (_name, url) => {
  it("prints the host's own sample of the system (the same JSON as the local host's)", async () => {
    await expect
      .poll(async () => (await runCli(['vm', 'stats', 'sc1', '--json', '-c', url()])).code, {
        timeout: 15_000,
      })
      .toBe(0);
    const remote = await statsJson(['-c', url()]);
    // The host's own sample of that time, from its ring (a CLI run outlasts the one-second interval).
    const local = await connectHostApi({ stateDir: host.state });
    const series = await local.metrics.series('sc1').finally(() => local.close());
    const own = series.find((x) => x.time === remote.time);
    expect(own, `the host's sample of ${remote.time}`).toBeDefined();
    expect(remote).toEqual(own);
    expect(remote).toMatchObject({ name: 'sc1', state: 'running', vcpus: 2, memoryBytes: 64 * 2 ** 20 });
    expect(remote.nics).toHaveLength(1);
    const text = await runCli(['vm', 'stats', 'sc1', '-c', url()]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^sc1 {2}running {2}up /);
    expect(text.stdout).toMatch(/^memory: +64 MiB defined/m);
  }, 60_000);

  it('--watch shows the CPU rate against the sample shown before (DSP1053 keeps the latest only)', async () => {
    const child = spawn(process.execPath, [CLI, 'vm', 'stats', 'sc1', '--watch', '-c', url()], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await expect.poll(() => out, { timeout: 20_000 }).toMatch(/% of one CPU over \d+ s, 2 vCPU\)/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 30_000);

  it('names an unknown system (exit 1)', async () => {
    const ghost = await runCli(['vm', 'stats', 'ghost', '-c', url()]);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toMatch(/No virtual system "ghost"/);
  });
});

/** The Api of each way in: the host's socket, CIM-XML and WS-Man. */
async function apis(): Promise<Api[]> {
  const o = (u: string) => ({ url: u.replace('admin:secret@', ''), user: 'admin', password: 'secret' });
  return [
    await connectHostApi({ stateDir: host.state }),
    await CimXmlApi.connect(o(cim)),
    await connectWsmanHost(o(wsman.replace('wsman+', ''))),
  ];
}

describe('metrics.current and systems.stats over CIM-XML and WS-Man', () => {
  it("equal the host's own figures for the same sample: every system, the host and its pools", async () => {
    const [local, ...remote] = await apis();
    try {
      for (const api of remote) {
        const [mine, theirs] = await sameSample<MetricsSnapshot & { time: string | undefined }>(async () => {
          const a = await api.metrics.current();
          const b = await local!.metrics.current();
          return [
            { ...a, time: a.host?.time },
            { ...b, time: b.host?.time },
          ];
        });
        // DSP1053 has no word for the sampling interval: the client says 0 (unknown).
        expect(mine.intervalMs).toBe(0);
        expect({ ...mine, intervalMs: theirs.intervalMs }).toEqual(theirs);
        expect(mine.host?.pools.map((p) => p.pool)).toContain('default');
        expect(mine.systems.map((s) => s.name).sort()).toEqual(['sc1', 'sc2']);
        const stats = await api.systems.stats('sc1');
        const series = await local!.metrics.series('sc1');
        const s = series.find(
          (x) => x.cpuSeconds !== undefined && BigInt(Math.round(x.cpuSeconds * 1e9)) === stats.cpuTimeNs,
        );
        expect(s, "the stats are one of the host sampler's samples").toBeDefined();
        expect(stats.memoryBytes).toBe(64n * 2n ** 20n);
        expect(stats.nics.map((n) => n.instanceId)).toEqual(s!.nics.map((n) => n.nic));
        expect(stats.uptimeMs).toBe(Math.round(s!.uptimeSeconds! * 1000));
        await expect(api.systems.stats('sc2')).rejects.toMatchObject({ code: 'INVALID_STATE' });
      }
    } finally {
      for (const a of [local, ...remote]) await a?.close();
    }
  }, 60_000);
});
