import type { Command } from 'commander';
import type { Api, SystemSample } from '../../api/index.js';
import { formatBytes } from '../../model/index.js';
import { connectApi } from '../connect.js';
import { action, printJson, println } from '../output.js';

/**
 * `vessel vm stats NAME [--watch] [--json]`: a system's latest metrics sample from the host's sampler
 * (api.metrics), with rates against the sample before it; `--watch` prints each new sample until interrupted.
 */

function duration(s: number): string {
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0
    ? `${d}d${h}h`
    : h > 0
      ? `${h}h${m}m`
      : m > 0
        ? `${m}m${Math.floor(s % 60)}s`
        : `${s.toFixed(1)}s`;
}

/**
 * A sample as lines, with CPU use against the sample before it when there is one.
 *
 * @example
 * statsText(latest, previous); // ['web1  running  up 2h5m  (sampled 2026-...)', 'cpu:     ...', ...]
 */
export function statsText(s: SystemSample, prev: SystemSample | undefined): string[] {
  const up = s.uptimeSeconds === undefined ? '' : `  up ${duration(s.uptimeSeconds)}`;
  const out = [`${s.name}  ${s.state}${up}  (sampled ${s.time})`];
  if (s.cpuSeconds !== undefined) {
    let rate = '';
    if (prev?.cpuSeconds !== undefined) {
      const dt = (Date.parse(s.time) - Date.parse(prev.time)) / 1000;
      if (dt > 0) {
        const pct = ((s.cpuSeconds - prev.cpuSeconds) / dt) * 100;
        rate = `  (${pct.toFixed(1)}% of one CPU over ${dt.toFixed(0)} s, ${s.vcpus} vCPU)`;
      }
    }
    out.push(`cpu:     ${s.cpuSeconds.toFixed(2)} s${rate}`);
  } else out.push(`cpu:     ${s.vcpus} vCPU`);
  const mem = [`${formatBytes(s.memoryBytes)} defined`];
  if (s.residentBytes !== undefined) mem.push(`${formatBytes(s.residentBytes)} resident`);
  if (s.balloonBytes !== undefined) mem.push(`balloon ${formatBytes(s.balloonBytes)}`);
  out.push(`memory:  ${mem.join(', ')}`);
  for (const d of s.disks)
    out.push(
      `disk ${d.device}: read ${formatBytes(d.readBytes)} (${d.readOps} ops), ` +
        `written ${formatBytes(d.writeBytes)} (${d.writeOps} ops)`,
    );
  for (const n of s.nics)
    out.push(`nic ${n.nic}: received ${formatBytes(n.receiveBytes)}, sent ${formatBytes(n.transmitBytes)}`);
  if (s.nicsUnavailable !== undefined) out.push(`nics:    no counters: ${s.nicsUnavailable}`);
  return out;
}

/** The last two samples of a system (the host keeps an hour). */
async function lastTwo(api: Api, vm: string): Promise<[SystemSample | undefined, SystemSample | undefined]> {
  const series = await api.metrics.series(vm, { rangeSeconds: 3600 });
  return [series.at(-1), series.at(-2)];
}

async function watch(api: Api, vm: string, json: boolean): Promise<number> {
  const interval = Math.max(1000, Math.min(10_000, (await api.metrics.current()).intervalMs / 2));
  let stopped = false;
  let wake = () => {};
  const stop = () => {
    stopped = true;
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    let shown: SystemSample | undefined;
    while (!stopped) {
      const [s, prev] = await lastTwo(api, vm);
      if (s !== undefined && s.time !== shown?.time) {
        // A host whose series is its latest sample only (CIM's DSP1053): the rate is against the one shown before.
        const before = prev ?? shown;
        shown = s;
        if (json) printJson(s);
        else println([...statsText(s, before), ''].join('\n'));
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, interval);
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}

/**
 * Adds `stats` to the `vm` command group.
 *
 * @example
 * addStatsCommand(program.command('vm'));
 */
export function addStatsCommand(cmd: Command): void {
  cmd
    .command('stats')
    .description(
      "Show a system's metrics from the host's sampler: CPU, memory, disks, NICs (--watch to follow)",
    )
    .argument('<vm>', 'name or UUID')
    .option('--watch', 'print each new sample until interrupted')
    .option('--json', 'print the sample as JSON (with --watch, one object per line)')
    .action(
      action(async (vm: string, opts: { watch?: boolean; json?: boolean }, command: Command) => {
        const api = await connectApi(command);
        try {
          if (opts.watch) return await watch(api, vm, opts.json === true);
          const [s, prev] = await lastTwo(api, vm);
          if (s === undefined) {
            const every = (await api.metrics.current()).intervalMs;
            // Over CIM (DSP1053) the interval is not carried: 0.
            println(
              every > 0
                ? `No samples of "${vm}" yet: the host samples every ${every / 1000} s`
                : `No samples of "${vm}" yet: the host has no metric values of it`,
            );
            return 1;
          }
          if (opts.json) printJson(s);
          else for (const line of statsText(s, prev)) println(line);
          return 0;
        } finally {
          await api.close();
        }
      }),
    );
}
