import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from './cli.js';

/** A `vessel host serve` child process and what it printed. */
export interface ServedHost {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once it ends. */
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the end. */
  stop(): Promise<number | null>;
}

/**
 * Starts the built CLI's `vessel host serve --state STATE --driver test:///default ...args` and waits until it
 * says it is serving (or ends).
 *
 * @example
 * const host = await serveHost(state);
 * try { ... } finally { await host.stop(); }
 */
export async function serveHost(state: string, args: string[] = []): Promise<ServedHost> {
  const child = spawn(
    process.execPath,
    [CLI, 'host', 'serve', '--state', state, '--driver', 'test:///default', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let ended = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      ended = true;
      resolve(code);
    }),
  );
  // Until it serves, however long a loaded machine takes (the caller's hook timeout bounds it), or exits.
  while (!ended && !out.includes('serving')) await new Promise((r) => setTimeout(r, 25));
  return {
    child,
    output: () => out,
    exited,
    stop: async () => {
      if (!ended) child.kill('SIGTERM');
      return exited;
    },
  };
}
