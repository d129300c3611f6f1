import type { Command } from 'commander';
import type { SurfaceReport } from '../../api/index.js';
import { withApi } from '../connect.js';
import { action, printJson, println } from '../output.js';

/** `vessel host surface`: the host's own attack-surface report (issue 16), read through the Api's host.surface. */

const SECCOMP = ['none', 'strict', 'filter'] as const;

/** A name from the peer fit for a terminal: control characters (escape sequences) shown as `?`. */
const safe = (text: string): string => text.replace(/\p{Cc}/gu, '?');

const list = (names: readonly string[]): string => (names.length === 0 ? 'none' : safe(names.join(' ')));

/**
 * The report as text: the listening sockets, the processes with their users, and the host process's own user,
 * capabilities, no_new_privs and seccomp mode. The report may come from a remote peer: its names are shown without
 * control characters.
 *
 * @example
 * formatSurface(await api.host.surface()); // ['listening (3):', '  tcp    0.0.0.0   443', ...]
 */
export function formatSurface(r: SurfaceReport): string[] {
  const out = [`listening (${r.listening.length}):`];
  for (const l of r.listening) out.push(`  ${l.protocol.padEnd(6)} ${safe(l.address).padEnd(40)} ${l.port}`);
  out.push(`processes (${r.processes.length}):`, `  ${'PID'.padStart(7)}  ${'USER'.padEnd(16)} NAME`);
  for (const p of r.processes)
    out.push(`  ${String(p.pid).padStart(7)}  ${safe(p.user ?? String(p.uid)).padEnd(16)} ${safe(p.name)}`);
  const s = r.self;
  out.push(
    `host process: pid ${s.pid}, user ${safe(s.user ?? '?')} (uid ${s.uid})`,
    `  effective capabilities: ${list(s.effective)}`,
    `  permitted capabilities: ${list(s.permitted)}`,
    `  bounding set:           ${list(s.bounding)}`,
    `  no_new_privs: ${s.noNewPrivileges ? 'yes' : 'no'}; seccomp: ${SECCOMP[s.seccomp] ?? s.seccomp}`,
  );
  return out;
}

/**
 * Adds `surface` to the `host` command group.
 *
 * @example
 * addSurfaceCommand(program.command('host'));
 */
export function addSurfaceCommand(host: Command): void {
  host
    .command('surface')
    .description(
      "The host's attack-surface report (admins): listening sockets, processes and their users, the host's capabilities",
    )
    .option('--json', 'print JSON: the Api SurfaceReport')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        const r = await withApi(command, (api) => api.host.surface());
        if (opts.json) printJson(r);
        else for (const line of formatSurface(r)) println(line);
        return 0;
      }),
    );
}
