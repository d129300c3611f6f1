/**
 * OVF descriptor throughput over the real-world corpus (../shared/ovf-corpus, every well-formed descriptor, read
 * into memory first): parse + validate, in descriptors per second, against parse alone in the same process and
 * run as the baseline. The ratio is the share of parse-only speed that validation leaves (higher is better).
 * Each side runs for at least a second of whole passes over the corpus, after a warm-up; the sides take turns for
 * three rounds (so that load from other work on the machine hits them alike) and each side's best round counts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOvf, validateOvf } from '../src/ovf/index.js';
import type { BenchResult, BenchSuite } from './harness.js';

/** The repository root: this file runs as dist/bench/ovf.bench.js. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CORPUS = join(process.env.VESSEL_SHARED ?? join(ROOT, '..', 'shared'), 'ovf-corpus');

function loadCorpus(): Buffer[] {
  const rows = readFileSync(join(CORPUS, 'index.tsv'), 'utf8').trim().split('\n').slice(1);
  const out: Buffer[] = [];
  for (const row of rows) {
    const [file = '', expect = ''] = row.split('\t');
    if (expect === 'malformed') continue;
    const bytes = readFileSync(join(CORPUS, file));
    try {
      parseOvf(bytes);
      out.push(bytes);
    } catch {
      // Roots that are not OVF (a FakeEnvelope, an unknown namespace) are left out of both sides.
    }
  }
  return out;
}

/** Descriptors per second of one run of `pass` over the corpus, repeated for at least `minMs`. */
function rate(files: Buffer[], pass: (b: Buffer) => void, minMs: number): number {
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (const f of files) pass(f);
    n += files.length;
    elapsed = performance.now() - t0;
  }
  return (n * 1000) / elapsed;
}

/** The best rate of each pass, measured in interleaved rounds so that load on the machine hits all alike. */
function bestRates(files: Buffer[], passes: Array<(b: Buffer) => void>, rounds = 3): number[] {
  for (const pass of passes) rate(files, pass, 300);
  const best = passes.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    passes.forEach((pass, i) => {
      best[i] = Math.max(best[i] ?? 0, rate(files, pass, 1000));
    });
  }
  return best;
}

export const suite: BenchSuite = {
  name: 'ovf parse + validate (corpus)',
  async run(): Promise<BenchResult[]> {
    const files = loadCorpus();
    const bytes = files.reduce((s, f) => s + f.length, 0);
    let diagnostics = 0;
    const [parseOnly = 0, parseValidate = 0, withTarget = 0] = bestRates(files, [
      (b) => parseOvf(b),
      (b) => {
        diagnostics += validateOvf(parseOvf(b)).length;
      },
      (b) => validateOvf(parseOvf(b), { target: 'vmware' }),
    ]);
    return [
      {
        name: `parse + validate, ${files.length} descriptors`,
        value: parseValidate,
        unit: 'descr/s',
        baseline: { name: 'parse only', value: parseOnly },
        notes: `${(bytes / 1024 / 1024).toFixed(1)} MiB; ${diagnostics > 0 ? 'diagnostics found' : 'no diagnostics'}`,
      },
      {
        name: 'parse + validate --target vmware',
        value: withTarget,
        unit: 'descr/s',
        baseline: { name: 'parse only', value: parseOnly },
      },
    ];
  },
};
