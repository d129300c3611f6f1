import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from './cli.js';

/** A `vessel host serve` child process on its own state folder. */
export interface ServedHost {
  state: string;
  process: ChildProcess;
  /** What the host printed until it was ready (its endpoint lines). */
  banner: string;
  /** Stops the host (SIGTERM, waits for its exit) and removes its state folder. */
  close(): Promise<void>;
}

/** Options of {@link serveHost}. */
export interface ServeHostOptions {
  /** Users added before the host starts: name, role, password. */
  users?: readonly (readonly [string, string, string])[];
  /** `host serve` arguments after `--state` and `--driver test:///default`, e.g. `['--http', '8080']`. */
  args: readonly string[];
  /** The text of the banner line that says the host is ready (`REST:`, `CIM-XML:`, `WS-Man:`). */
  ready: string;
  /** The state folder's name prefix. */
  prefix?: string;
  /** Copy the host's stderr to this process's (default true). */
  stderr?: boolean;
}

/**
 * Adds `users` to a new state folder, starts `vessel host serve` on test:///default with `args` from the built
 * CLI, and resolves once the host prints `ready` (rejects when it exits before).
 *
 * @example
 * const h = await serveHost({ users: [['admin', 'admin', 'secret']], args: ['--http', String(port)], ready: 'REST:' });
 * afterAll(() => h.close());
 */
export async function serveHost(o: ServeHostOptions): Promise<ServedHost> {
  const state = await mkdtemp(join(tmpdir(), o.prefix ?? 'vessel-served-'));
  for (const [name, role, password] of o.users ?? []) {
    const r = await runCli(['user', 'add', name, '--role', role, '--state', state], {
      input: `${password}\n`,
    });
    if (r.code !== 0) throw new Error(`user add ${name} exited ${r.code}: ${r.stderr}`);
  }
  const child = spawn(
    process.execPath,
    [CLI, 'host', 'serve', '--state', state, '--driver', 'test:///default', ...o.args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (o.stderr !== false) child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
  const banner = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(o.ready)) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`host exited with ${code}: ${out}`)));
  });
  return {
    state,
    process: child,
    banner,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(state, { recursive: true, force: true });
    },
  };
}
