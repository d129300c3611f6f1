import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type CliResult, NO_CIM_PORTS, runCli } from '../../../test/helpers/cli.js';
import { type ServedHost, serveHost } from '../../../test/helpers/host.js';
import { startTestHost } from '../../wbem/index.js';

// `vessel vm stats` against a real host (`host serve --metrics-interval 1`, test driver) over its socket.

let state: string;
let host: ServedHost;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-vmstats-'));
  host = await serveHost(state, [...NO_CIM_PORTS, '--metrics-interval', '1']);
  for (const args of [
    ['vm', 'define', '--name', 'st1', '--cpus', '2', '--memory', '64M', '--nic', 'user'],
    ['vm', 'start', 'st1'],
  ]) {
    const r = await runCli([...args, '--state', state]);
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(async () => {
  await host?.stop();
  await rm(state, { recursive: true, force: true });
});

describe('vessel vm stats', () => {
  it("prints a running system's latest sample, as text and as JSON", async () => {
    await expect
      .poll(async () => (await runCli(['vm', 'stats', 'st1', '--json', '--state', state])).code, {
        timeout: 10_000,
      })
      .toBe(0);
    const json = JSON.parse((await runCli(['vm', 'stats', 'st1', '--json', '--state', state])).stdout);
    expect(json).toMatchObject({ name: 'st1', state: 'running', vcpus: 2, memoryBytes: 64 * 2 ** 20 });
    expect(json.cpuSeconds).toBeGreaterThan(0);
    expect(json.nics).toHaveLength(1);
    // The CPU rate needs a second sample: the host takes one a second, later than that on a loaded machine.
    let text: CliResult = { code: -1, stdout: '', stderr: '' };
    await expect
      .poll(
        async () => {
          text = await runCli(['vm', 'stats', 'st1', '--state', state]);
          return text.stdout;
        },
        { timeout: 20_000 },
      )
      .toMatch(/^cpu: +[0-9.]+ s {2}\([0-9.]+% of one CPU over [0-9]+ s, 2 vCPU\)$/m);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^st1 {2}running {2}up /);
    expect(text.stdout).toMatch(/^memory: +64 MiB defined/m);
  });

  it('--watch prints each new sample until SIGINT, then exits 0', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'vm', 'stats', 'st1', '--watch', '--json', '--state', state],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await expect
        .poll(() => out.split('\n').filter(Boolean).length, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(2);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    const times = out
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { time: string }).time);
    expect(new Set(times).size).toBe(times.length);
  });

  it('names an unknown system and refuses a bad interval', async () => {
    const r = await runCli(['vm', 'stats', 'ghost', '--state', state]);
    expect(r.stderr).toMatch(/ghost/);
    expect(r.code).not.toBe(0);
    const bad = await runCli(['host', 'serve', '--metrics-interval', 'x', '--state', state]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--metrics-interval/);
  });

  it("over CIM-XML, prints the host's DSP1053 values of the system", { timeout: 60_000 }, async () => {
    const cim = await startTestHost({ vms: 1 });
    try {
      const url = cim.url.replace('http://', 'http://admin:secret@');
      // Until the host's sampler has sampled vm1 it has no values of it: exit 1, saying so.
      const first = await runCli(['vm', 'stats', 'vm1', '-c', url]);
      if (first.code === 1)
        expect(first.stdout).toMatch(/No samples of "vm1" yet: the host has no metric values/);
      await expect
        .poll(async () => (await runCli(['vm', 'stats', 'vm1', '-c', url])).code, { timeout: 30_000 })
        .toBe(0);
      const r = await runCli(['vm', 'stats', 'vm1', '-c', url]);
      expect(r.stdout).toMatch(/^vm1 {2}\w+/);
      expect(r.stdout).toMatch(/^memory: +\S+ \S+ defined/m);
    } finally {
      await cim.close();
    }
  });
});
