import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchSuite, formatResult } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.js')).sort();
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { suite: BenchSuite };
  const suite = mod.suite;
  if (filters.length && !filters.some((x) => suite.name.includes(x) || f.includes(x))) continue;
  console.log(`\n# ${suite.name}`);
  try {
    for (const r of await suite.run()) console.log(formatResult(r));
  } catch (err) {
    console.log(`  FAILED: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  }
}
