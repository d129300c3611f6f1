/**
 * Disk engine benchmarks (issue 3), on one 2 GiB raw image built in /tmp: a third written zeros, the rest
 * copies of the ELF binaries under /usr, in alternating 64 MiB data / 32 MiB zero blocks. Each tool runs as its
 * own process under /usr/bin/time, so peak memory (max RSS, worker threads included) is measured the same way.
 * - raw -> streamOptimized: native (default level, and levels 1 and 6 for the level choice) vs
 *   `qemu-img convert -O vmdk -o subformat=streamOptimized`. Target: >= 3x qemu-img, output <= 1.10x.
 * - streamOptimized -> raw and -> qcow2: native vs `qemu-img convert`, both reading qemu-img's file.
 *   Target: >= 1.5x.
 * Every native output is checked with `qemu-img compare` against the source. The image is deleted at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LEVEL } from '../src/disk/index.js';
import type { BenchResult, BenchSuite } from './harness.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const SIZE = 2 * GiB;
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

/** Lists ELF files under the /usr binary and library folders, in a stable order. */
function elfFiles(): string[] {
  const out: string[] = [];
  const magic = Buffer.alloc(4);
  const walk = (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && statSync(p).size > 16 * 1024) {
        const fd = openSync(p, 'r');
        readSync(fd, magic, 0, 4, 0);
        closeSync(fd);
        if (magic.toString('latin1') === '\x7fELF') out.push(p);
      }
    }
  };
  for (const d of ['/usr/bin', '/usr/sbin', '/usr/libexec', '/usr/lib']) walk(d);
  return out;
}

/** Builds the 2 GiB image: per 96 MiB, 64 MiB of /usr binaries then 32 MiB of written zeros. */
function buildImage(path: string): number {
  const files = elfFiles();
  const out = openSync(path, 'w');
  const buf = Buffer.alloc(4 * MiB);
  const zeros = Buffer.alloc(4 * MiB);
  let pos = 0;
  let data = 0;
  let fi = 0;
  let src = -1;
  const fill = (n: number) => {
    let got = 0;
    while (got < n) {
      if (src < 0) src = openSync(files[fi++ % files.length]!, 'r');
      const r = readSync(src, buf, got, n - got, null);
      if (r === 0) {
        closeSync(src);
        src = -1;
      } else got += r;
    }
  };
  while (pos < SIZE) {
    const inBlock = pos % (96 * MiB);
    const n = Math.min(buf.length, SIZE - pos);
    if (inBlock < 64 * MiB) {
      fill(n);
      writeSync(out, buf, 0, n, pos);
      data += n;
    } else writeSync(out, zeros, 0, n, pos);
    pos += n;
  }
  if (src >= 0) closeSync(src);
  closeSync(out);
  return data;
}

interface Run {
  seconds: number;
  peakMiB: number;
  /** User + system CPU seconds: the work done, whatever else the machine is running. */
  cpu: number;
}

/**
 * Runs a command under /usr/bin/time; returns wall time, CPU time and peak RSS. Dirty pages are flushed first
 * (`sync`) so one run's writeback does not slow down the next.
 */
function timed(cmd: string, args: string[]): Promise<Run> {
  spawnSync('sync');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'VESSEL_TIME %M %U %S', cmd, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const m = /VESSEL_TIME (\d+) ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 || !m)
        reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.slice(0, 2000)}`));
      else resolve({ seconds, peakMiB: Number(m[1]) / 1024, cpu: Number(m[2]) + Number(m[3]) });
    });
  });
}

/** The fastest of some runs, with the highest peak memory seen in any of them. */
function fastest(runs: Run[]): Run {
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...best, peakMiB: Math.max(...runs.map((r) => r.peakMiB)) };
}

function compare(a: string, b: string, fa: string, fb: string): void {
  const r = spawnSync('qemu-img', ['compare', '-f', fa, '-F', fb, a, b], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qemu-img compare ${a} ${b}: ${r.stdout}${r.stderr}`);
}

const mbps = (r: Run) => SIZE / 1e6 / r.seconds;
const native = (args: string[]) => timed(process.execPath, [CLI, 'disk', 'convert', ...args]);

export const suite: BenchSuite = {
  name: 'disk',
  async run(): Promise<BenchResult[]> {
    const dir = await mkdtemp('/tmp/vessel-bench-disk-');
    try {
      const raw = join(dir, 'mix.raw');
      const data = buildImage(raw);
      const out: BenchResult[] = [];
      const image = `2 GiB, ${(data / GiB).toFixed(2)} GiB data`;

      const qVmdk = join(dir, 'qemu.vmdk');
      const q = await timed('qemu-img', [
        'convert',
        '-f',
        'raw',
        '-O',
        'vmdk',
        '-o',
        'subformat=streamOptimized',
        raw,
        qVmdk,
      ]);
      const qSize = statSync(qVmdk).size;
      const baseline = { name: 'qemu-img convert', value: mbps(q) };
      for (const level of [DEFAULT_LEVEL, 1, 6]) {
        const nVmdk = join(dir, `native-${level}.vmdk`);
        const n = await native([raw, nVmdk, '--format', 'vmdk-stream', '--level', String(level)]);
        compare(raw, nVmdk, 'raw', 'vmdk');
        const ratio = statSync(nVmdk).size / qSize;
        out.push({
          name: `raw -> streamOptimized, level ${level}${level === DEFAULT_LEVEL ? ' (default)' : ''} (${image})`,
          value: mbps(n),
          unit: 'MB/s',
          baseline,
          ...(level === DEFAULT_LEVEL ? { target: '>= 3x, size <= 1.10x' } : {}),
          notes: `${n.seconds.toFixed(1)} s vs ${q.seconds.toFixed(1)} s; cpu ${n.cpu.toFixed(1)} s vs ${q.cpu.toFixed(1)} s; size ${(statSync(nVmdk).size / 1e6).toFixed(1)} MB = ${ratio.toFixed(3)}x qemu-img's ${(qSize / 1e6).toFixed(1)} MB; peak ${n.peakMiB.toFixed(0)} MiB vs ${q.peakMiB.toFixed(0)} MiB`,
        });
        if (level !== DEFAULT_LEVEL) await rm(nVmdk);
      }

      for (const target of ['raw', 'qcow2'] as const) {
        const qOut = join(dir, `q.${target}`);
        const nOut = join(dir, `n.${target}`);
        // Each tool runs twice, in the order q n n q, each time writing a fresh file.
        const runQ = () =>
          rm(qOut, { force: true }).then(() =>
            timed('qemu-img', ['convert', '-f', 'vmdk', '-O', target, qVmdk, qOut]),
          );
        const runN = () => rm(nOut, { force: true }).then(() => native([qVmdk, nOut, '--format', target]));
        const qRuns: Run[] = [];
        const nRuns: Run[] = [];
        qRuns.push(await runQ());
        nRuns.push(await runN());
        nRuns.push(await runN());
        qRuns.push(await runQ());
        const qd = fastest(qRuns);
        const nd = fastest(nRuns);
        compare(raw, nOut, 'raw', target);
        const sizes = `output ${(statSync(nOut).size / 1e6).toFixed(0)} MB vs ${(statSync(qOut).size / 1e6).toFixed(0)} MB`;
        out.push({
          name: `streamOptimized -> ${target} (${image})`,
          value: mbps(nd),
          unit: 'MB/s',
          baseline: { name: 'qemu-img convert', value: mbps(qd) },
          target: '>= 1.5x',
          notes: `best of 2: ${nd.seconds.toFixed(2)} s vs ${qd.seconds.toFixed(2)} s; cpu ${nd.cpu.toFixed(1)} s vs ${qd.cpu.toFixed(1)} s; ${sizes}; peak ${nd.peakMiB.toFixed(0)} MiB vs ${qd.peakMiB.toFixed(0)} MiB`,
        });
        await rm(qOut);
        await rm(nOut);
      }
      return out;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
