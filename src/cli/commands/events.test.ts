import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, NO_CIM_PORTS, runCli } from '../../../test/helpers/cli.js';
import { type ServedHost, serveHost } from '../../../test/helpers/host.js';
import { startTestHost } from '../../wbem/index.js';

// `vessel events` against a real host (`host serve`, test driver) over its socket, and against a CIM-XML host.

let state: string;
let host: ServedHost;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-events-'));
  host = await serveHost(state, [...NO_CIM_PORTS]);
  const d = await runCli([
    'vm',
    'define',
    '--name',
    'ev1',
    '--cpus',
    '1',
    '--memory',
    '64M',
    '--state',
    state,
  ]);
  expect(d.code, d.stderr).toBe(0);
});
afterAll(async () => {
  await host?.stop();
  await rm(state, { recursive: true, force: true });
});

describe('vessel events', () => {
  it('prints the stored events, as lines and as JSON, filtered by system, type and --since', async () => {
    const text = await runCli(['events', '--state', state]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^\d+ {2}\S+ {2}system\.defined {2}ev1$/m);
    const json = await runCli([
      'events',
      '--json',
      '--vm',
      'ev1',
      '--type',
      'system.defined',
      '--state',
      state,
    ]);
    const events = JSON.parse(json.stdout) as { seq: number; type: string; system: string }[];
    expect(events.map((e) => [e.type, e.system])).toEqual([['system.defined', 'ev1']]);
    const after = await runCli(['events', '--json', '--since', String(events[0]!.seq), '--state', state]);
    expect((JSON.parse(after.stdout) as { seq: number }[]).every((e) => e.seq > events[0]!.seq)).toBe(true);
  });

  it('--follow replays from --since, prints live events, and ends with 0 on SIGINT', async () => {
    const last = JSON.parse((await runCli(['events', '--json', '--state', state])).stdout) as {
      seq: number;
    }[];
    const since = last.at(-1)!.seq;
    const child = spawn(
      process.execPath,
      [CLI, 'events', '--follow', '--json', '--since', String(since), '--state', state],
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
      expect((await runCli(['vm', 'start', 'ev1', '--state', state])).code).toBe(0);
      await expect
        .poll(
          () =>
            out
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as { type: string; state?: string }),
          {
            timeout: 10_000,
          },
        )
        .toContainEqual(expect.objectContaining({ type: 'system.state', state: 'running' }));
      const seqs = out
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { seq: number }).seq);
      expect(seqs[0]).toBe(since + 1);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect((await runCli(['vm', 'stop', 'ev1', '--force', '--state', state])).code).toBe(0);
  });

  it('refuses bad options as usage errors', async () => {
    expect((await runCli(['events', '--since', 'x', '--state', state])).code).toBe(2);
    expect((await runCli(['events', '--type', 'nope', '--state', state])).code).toBe(2);
    expect((await runCli(['events', '--follow', '--limit', '3', '--state', state])).code).toBe(2);
  });

  it('says NOT_SUPPORTED over CIM-XML', async () => {
    const cim = await startTestHost({ vms: 1 });
    try {
      const url = cim.url.replace('http://', 'http://admin:secret@');
      const r = await runCli(['events', '-c', url]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/Cannot read the events over CIM-XML/);
      const f = await runCli(['events', '--follow', '-c', url]);
      expect(f.code).toBe(4);
      expect(f.stderr).toMatch(/Cannot subscribe to events over CIM-XML/);
    } finally {
      await cim.close();
    }
  });
});
