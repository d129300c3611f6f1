import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type CliResult, NO_CIM_PORTS, runCli } from '../../test/helpers/cli.js';
import { connectHostApi } from '../host/index.js';
import './commands/index.js';
import { type CommandKind, kindOf } from './connect/kinds.js';
import { createProgram } from './program.js';

/**
 * Every command of the program, found by walking the commander tree (a new command cannot escape), run through
 * the built CLI against a host that does not answer: it works against the host it was given or exits 3/4 naming
 * it, and a local host running meanwhile on another state directory (the default one: $VESSEL_STATE) is never
 * touched: its systems, jobs, events, pools, users and files are the same afterwards.
 */

const root = mkdtempSync(join(tmpdir(), 'vessel-connect-'));
const state = join(root, 'host');
const fresh = join(root, 'fresh');
const pools = join(root, 'pooldir');
const env = { VESSEL_STATE: state, XDG_CONFIG_HOME: join(root, 'cfg'), VESSEL_CIM_URL: '' };
let host: ChildProcess;

/** Leaves of the command tree with their path (`['vm', 'start']`). */
function leaves(cmd: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return [{ path, cmd }];
  return subs.flatMap((c) => leaves(c, [...path, c.name()]));
}

/** Values for arguments by name: a system, pool and user that exist on the running host, so a stray call shows. */
const VALUES: Record<string, string> = {
  vm: 'keep1',
  name: 'keep',
  dir: pools,
  class: 'CIM_ComputerSystem',
  path: 'CIM_ComputerSystem.Name="keep1"',
  method: 'RequestStateChange',
  role: 'admin',
  '--role': 'admin',
};
/** What a command needs beyond its arguments to get past its own usage checks. */
const EXTRA: Record<string, string[]> = {
  'vm define': ['--name', 'keep2'],
  // An admin's reset of another user's password (one line on stdin), not a change of one's own (two lines).
  'user password': ['keep'],
};

function argsOf(path: string[], cmd: Command): string[] {
  const args = cmd.registeredArguments
    .filter((a) => a.required)
    .map((a) => VALUES[a.name()] ?? join(root, 'x'));
  const mandatory = cmd.options
    .filter((o) => o.mandatory)
    .flatMap((o) => [o.long!, VALUES[o.long!] ?? o.argChoices?.[0] ?? 'x']);
  return [...path, ...args, ...mandatory, ...(EXTRA[path.join(' ')] ?? [])];
}

/** What the running host holds: systems and states, jobs, events, pools, users, and its files. */
async function snapshot(): Promise<unknown> {
  const api = await connectHostApi({ stateDir: state });
  try {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else {
          const st = statSync(p);
          files.push(`${relative(state, p)} ${st.size} ${st.mtimeMs}`);
        }
      }
    };
    walk(state);
    return {
      systems: await api.systems.list({ detail: true }),
      jobs: await api.jobs.list(),
      events: await api.events.list(),
      pools: (await api.pools.list()).map((p) => [p.id, p.path]),
      users: readFileSync(join(state, 'users.json'), 'utf8'),
      files: files.sort(),
    };
  } finally {
    await api.close();
  }
}

async function inTurn<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

beforeAll(async () => {
  mkdirSync(fresh);
  mkdirSync(pools);
  // An input file that exists (an empty package, descriptor, image): commands get past reading it to the host.
  writeFileSync(join(root, 'x'), '');
  const user = await runCli(['user', 'add', 'keep', '--role', 'admin', '--state', state], { input: 'pw\n' });
  expect(user.code, user.stderr).toBe(0);
  host = spawn(
    process.execPath,
    [CLI, 'host', 'serve', '--state', state, '--driver', 'test:///default', ...NO_CIM_PORTS],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    host.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('serving')) resolve();
    });
    host.on('exit', (code) => reject(new Error(`host exited with ${code}: ${out}`)));
  });
  for (const args of [
    ['pool', 'add', 'keep', pools],
    ['vm', 'define', '--name', 'keep1'],
    ['vm', 'start', 'keep1'],
  ]) {
    const r = await runCli(args, { env });
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  host?.kill('SIGTERM');
  await new Promise((r) => host?.once('exit', r));
  rmSync(root, { recursive: true, force: true });
});

/** What each kind of command does with a connection it cannot use. */
function expectRefusal(
  kind: CommandKind,
  r: CliResult,
  given: string,
  unreachable: boolean,
  group?: string,
): void {
  if (kind === 'offline') {
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      `works on local files; it does not talk to a host, so it cannot take --connect ${given}`,
    );
  } else if (kind === 'runs-host') {
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      `it does not connect to one (give its state directory with --state), so it cannot take --connect ${given}`,
    );
  } else if (kind === 'cim') {
    // vessel wsman takes a wsman+ connection only: an http:// one is a CIM-XML host, refused before any request.
    expect(r.code).toBe(unreachable && group !== 'wsman' ? 3 : 4);
    expect(r.stderr).toContain(unreachable ? '127.0.0.1:1' : given);
  } else if (kind === 'state-dir' && !unreachable) {
    // No host runs on the fresh state directory: it edits that directory's files (remove of no user exits 1).
    expect([0, 1]).toContain(r.code);
  } else if (unreachable) {
    expect([3, 4]).toContain(r.code);
    expect(r.stderr).toContain('127.0.0.1:1');
  } else {
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`No Vessel host is running for the state directory ${fresh}`);
  }
}

describe('vessel --connect on every command', () => {
  const all = leaves(createProgram());

  it('walks a tree that has every kind of command', () => {
    const kinds = new Set(all.map((l) => kindOf(l.cmd)));
    expect([...kinds].sort()).toEqual(['cim', 'host', 'offline', 'runs-host', 'state-dir']);
    expect(all.length).toBeGreaterThan(30);
  });

  it('with an unreachable host or a state directory without one: works there or exits 3/4 naming it; the running host is untouched', async () => {
    const before = await snapshot();
    const cases = all.flatMap((l) => [
      { ...l, given: 'http://127.0.0.1:1', unreachable: true },
      { ...l, given: `vessel://${fresh}`, unreachable: false },
    ]);
    const results = await inTurn(cases, 3, (c) =>
      runCli(['--connect', c.given, ...argsOf(c.path, c.cmd)], { env, input: 'pw\n' }),
    );
    const wrong: string[] = [];
    for (const [i, c] of cases.entries()) {
      const r = results[i]!;
      try {
        expectRefusal(kindOf(c.cmd), r, c.given, c.unreachable, c.path[0]);
      } catch {
        wrong.push(`vessel --connect ${c.given} ${c.path.join(' ')}: exit ${r.code} ${r.stderr.trim()}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
    // Only what `vessel user` wrote went to the fresh state directory.
    expect(readdirSync(fresh)).toEqual(['users.json']);
  }, 600_000);

  it('vessel --host http://nosuchhost:1 host info exits 3 naming the host (it once printed the local host)', async () => {
    const r = await runCli(['--host', 'http://nosuchhost:1', 'host', 'info'], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('nosuchhost:1');
    expect(r.stdout).toBe('');
  });

  it('--connect vessel:///STATE reaches the running host: vm list, define, start', async () => {
    const c = ['--connect', `vessel://${state}`];
    const list = await runCli([...c, 'vm', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['keep1', 'running'],
    ]);
    const define = await runCli([...c, 'vm', 'define', '--name', 'web3', '--json']);
    expect(define.code, define.stderr).toBe(0);
    expect(JSON.parse(define.stdout)).toMatchObject({ name: 'web3', state: 'stopped' });
    const start = await runCli(['vm', 'start', 'web3', ...c]);
    expect([start.code, start.stdout]).toEqual([0, 'Started "web3": running (started)\n']);
    const after = await runCli(['vm', 'list', '--json', '--state', state]);
    expect(JSON.parse(after.stdout).map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['keep1', 'running'],
      ['web3', 'running'],
    ]);
  });
});
