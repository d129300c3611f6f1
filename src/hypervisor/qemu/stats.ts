import { readFileSync } from 'node:fs';

/**
 * What the host can read of a QEMU process and its taps without asking QEMU: CPU time and resident memory from
 * /proc (proc(5)), a tap's counters from sysfs.
 */

/** USER_HZ, the unit of /proc/PID/stat's times (100 on every Linux architecture Vessel runs on). */
const USER_HZ = 100n;

/**
 * CPU time (utime + stime of every thread, live and exited, as /proc/PID/stat sums them) and resident memory
 * (VmRSS of /proc/PID/status) of a process.
 *
 * @example
 * processStats(qemuPid); // { cpuTimeNs: 1230000000n, residentBytes: 52428800n }
 */
export function processStats(pid: number): { cpuTimeNs: bigint; residentBytes: bigint | undefined } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces and parentheses: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = BigInt(fields[11] ?? '0') + BigInt(fields[12] ?? '0');
  let residentBytes: bigint | undefined;
  try {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    residentBytes = kib === undefined ? undefined : BigInt(kib) * 1024n;
  } catch {
    residentBytes = undefined;
  }
  return { cpuTimeNs: (ticks * 1_000_000_000n) / USER_HZ, residentBytes };
}

/**
 * A tap's counters as the guest sees them: what the tap transmits reaches the guest (the guest's receive), what
 * it receives came from the guest. Undefined when the tap is gone.
 *
 * @example
 * tapCounters('vt1a2b3c4d5e6f'); // { rxBytes: 5120n, txBytes: 880n }
 */
export function tapCounters(name: string): { rxBytes: bigint; txBytes: bigint } | undefined {
  try {
    const read = (f: string) => BigInt(readFileSync(`/sys/class/net/${name}/statistics/${f}`, 'utf8').trim());
    return { rxBytes: read('tx_bytes'), txBytes: read('rx_bytes') };
  } catch {
    return undefined;
  }
}

/** Why user-mode NICs have no counters (what `stats` says instead of inventing zeros). */
export const USER_NET_NO_COUNTERS =
  'user-mode networking (slirp) keeps no per-NIC counters the host can read, and QMP has no query for them; ' +
  'a bridge network (tap) or a guest agent would give them';
