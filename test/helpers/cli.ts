import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shared reference folder beside the repository (`../shared`). */
export const SHARED = process.env.VESSEL_SHARED ?? join(ROOT, '..', 'shared');
/** The built CLI entry point; tests run `npm run build` first through scripts/test.sh. */
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/**
 * `host serve` options that keep a test's host off the CIM-XML and REST ports: the defaults (5988, 5989, 8080,
 * 8443) are the machine's, and test files run in parallel.
 */
export const NO_CIM_PORTS = [
  '--cim-http',
  '0',
  '--cim-https',
  '0',
  '--wsman-http',
  '0',
  '--wsman-https',
  '0',
  '--http',
  '0',
  '--https',
  '0',
] as const;

/** What a finished `vessel` run printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `vessel` command with arguments and optional stdin; never throws on a non-zero exit. */
export function runCli(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}
