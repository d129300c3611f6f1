/**
 * The benchmark harness: every `bench/*.bench.ts` file exports `suite: BenchSuite`. `npm run bench` runs them all
 * (or those whose name contains an argument) and prints each measurement with its ratio against the baseline
 * measured in the same run, so figures are comparable on any machine.
 */
export interface BenchResult {
  /** What was measured, e.g. `ova verify 2 GiB`. */
  name: string;
  /** The measured value, e.g. MB/s or ms. */
  value: number;
  unit: string;
  /** The same measurement of the baseline tool in the same run, when there is one. */
  baseline?: { name: string; value: number };
  /** What the issue aims for, e.g. `>= 0.9x` (free text, printed as is). */
  target?: string;
  /** Anything else worth printing (peak memory, output size). */
  notes?: string;
}

/** A named group of measurements. */
export interface BenchSuite {
  name: string;
  run(): Promise<BenchResult[]>;
}

/** Times an async function once, in milliseconds. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Formats one result line: value, baseline, ratio and target. */
export function formatResult(r: BenchResult): string {
  const v = `${round(r.value)} ${r.unit}`;
  let line = `  ${r.name.padEnd(58)} ${v.padStart(16)}`;
  if (r.baseline) {
    const ratio = r.value / r.baseline.value;
    line += `   vs ${r.baseline.name}: ${round(r.baseline.value)} ${r.unit}  ratio ${ratio.toFixed(2)}x`;
  }
  if (r.target) line += `  (target ${r.target})`;
  if (r.notes) line += `  [${r.notes}]`;
  return line;
}

function round(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}
