import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from './cli.js';

/** The real OVF descriptors in ../shared/ovf-corpus, read in place, with the expectation index.tsv gives. */
export interface CorpusCase {
  file: string;
  path: string;
  expect: 'positive' | 'positive-lax' | 'negative' | 'malformed' | 'nonstandard';
  ovfVersion: string;
  producer: string;
}

/** The corpus folder. */
export const CORPUS = join(SHARED, 'ovf-corpus');

/** Every case of the corpus index. */
export function corpusCases(): CorpusCase[] {
  const rows = readFileSync(join(CORPUS, 'index.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows.map((line) => {
    const [file = '', expect = '', ovfVersion = '', producer = ''] = line.split('\t');
    return { file, path: join(CORPUS, file), expect: expect as CorpusCase['expect'], ovfVersion, producer };
  });
}
