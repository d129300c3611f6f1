import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process's CPU time so far in ns: the sum over its threads of the run time the scheduler counted (the first
 * field of /proc/PID/task/TID/schedstat: the main thread and V8's GC and compiler threads, not 10 ms ticks). A
 * thread that ended between two readings takes its time with it, which V8's threads, alive as long as the
 * process, do not.
 *
 * @example
 * const t0 = cpuNs(child.pid); await burst(); const usPerRequest = (cpuNs(child.pid) - t0) / 1000 / n;
 */
export function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended while being read
    }
  }
  return ns;
}
