import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The host's own readings from /proc (Linux): CPU time of all CPUs and memory. */

/** USER_HZ: the unit of /proc/stat's times (100 on every Linux architecture Vessel runs on). */
const USER_HZ = 100;

/** CPU and memory of the host, as {@link hostReadings} reads them. */
export interface HostReadings {
  cpus: number;
  cpuBusySeconds: number;
  cpuIdleSeconds: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
}

/**
 * Reads the host's CPU times (the `cpu` line of /proc/stat: idle and iowait count as idle, the rest busy) and its
 * memory (MemTotal, MemAvailable of /proc/meminfo). Zeroes where /proc is missing.
 *
 * @example
 * const r = hostReadings(); // { cpus: 8, cpuBusySeconds: 81234.5, ... }
 */
export function hostReadings(): HostReadings {
  const out: HostReadings = {
    cpus: cpus().length,
    cpuBusySeconds: 0,
    cpuIdleSeconds: 0,
    memoryTotalBytes: 0,
    memoryAvailableBytes: 0,
  };
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal (guest and guest_nice are inside user and nice)
    const t = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = (t[3] ?? 0) + (t[4] ?? 0);
    const all = t.reduce((a, b) => a + b, 0);
    out.cpuIdleSeconds = idle / USER_HZ;
    out.cpuBusySeconds = (all - idle) / USER_HZ;
  } catch {
    // not Linux: no CPU times
  }
  try {
    const info = readFileSync('/proc/meminfo', 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(info)?.[1] ?? 0) * 1024;
    out.memoryTotalBytes = kib('MemTotal');
    out.memoryAvailableBytes = kib('MemAvailable');
  } catch {
    // not Linux: no memory figures
  }
  return out;
}
