import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes the benchmarks' sample raw disk of `size` bytes: its first `dataBytes` are copies of /usr/bin and
 * /usr/lib files (compressible machine code, like a real system disk), the rest zeros (a sparse tail).
 */
export function writeSampleDisk(path: string, size: number, dataBytes: number): void {
  const fd = openSync(path, 'w');
  try {
    let off = 0;
    outer: for (;;) {
      for (const d of ['/usr/bin', '/usr/lib/x86_64-linux-gnu']) {
        for (const f of readdirSync(d)) {
          let data: Buffer;
          try {
            data = readFileSync(join(d, f));
          } catch {
            continue;
          }
          const n = Math.min(data.length, dataBytes - off);
          writeSync(fd, data, 0, n, off);
          off += n;
          if (off >= dataBytes) break outer;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  execFileSync('truncate', ['-s', String(size), path]);
}
