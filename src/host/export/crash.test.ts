import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, NO_CIM_PORTS } from '../../../test/helpers/cli.js';
import { randomImageBytes } from '../../../test/helpers/random-image.js';
import { buildDefinition } from '../../model/index.js';
import { Host } from '../host.js';
import { hostSocketPath } from '../paths.js';
import { connectHostApi } from '../socket/index.js';
import { cleanupExports, EXPORT_TEMP_PREFIX, exportTempRoot } from './staging.js';

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'vessel-export-crash-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function until<T>(what: string, fn: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The entries of a folder (none when it does not exist). */
const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

/** A temporary file of an export beside its output that has grown past 1 MiB. */
const growing = (dir: string) =>
  entries(dir).find((f) => f.includes(EXPORT_TEMP_PREFIX) && statSync(join(dir, f)).size > 1 << 20);

/** A state directory with one stopped system `big` on a 256 MiB disk of random data (nothing to compress). */
async function stateWithBigSystem(): Promise<string> {
  const state = mkdtempSync(join(work, 'state-'));
  const images = join(state, 'images');
  mkdirSync(images);
  const disk = join(images, 'big.raw');
  const buf = randomImageBytes(256 << 20);
  writeFileSync(disk, buf);
  const host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
  await host.define(buildDefinition({ name: 'big', cpus: 1, memoryBytes: 256n << 20n, disks: [disk] }));
  await host.close();
  return state;
}

/** Starts `vessel host serve` on `state`, asks for an export, and SIGKILLs the host once it has written 1 MiB. */
async function killMidExport(
  state: string,
  format: 'ova' | 'ovf',
  output: string,
  watch: string,
): Promise<string> {
  let child: ChildProcess | undefined = spawn(
    process.execPath,
    [CLI, 'host', 'serve', '--state', state, '--driver', 'test:///default', ...NO_CIM_PORTS],
    { stdio: 'ignore' },
  );
  try {
    await until('the host socket', () => (existsSync(hostSocketPath(state)) ? true : undefined));
    const client = await connectHostApi({ stateDir: state });
    const { id: job } = await client.packages.export('big', {
      destination: { kind: 'hostPath', path: output },
      format,
      level: 1,
      waitMs: 0,
    });
    await until('a partly written package', () => growing(watch));
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    child = undefined;
    await client.close();
    return job;
  } finally {
    child?.kill('SIGKILL');
  }
}

describe('an interrupted export', () => {
  it('killed with SIGKILL while writing an OVA leaves only recorded temporaries, which the next start removes', async () => {
    const state = await stateWithBigSystem();
    const out = join(work, 'out-ova');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), "not the export's");
    const job = await killMidExport(state, 'ova', join(out, 'big.ova'), out);
    expect(entries(out).filter((f) => f.includes(EXPORT_TEMP_PREFIX)).length).toBeGreaterThan(0); // the crash left it
    expect(entries(exportTempRoot(state))).toHaveLength(1);
    const host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
    try {
      expect(entries(out)).toEqual(['keep.txt']); // ...and the next start removed it, and nothing else
      expect(entries(exportTempRoot(state))).toEqual([]);
      expect(host.getJob(job)).toMatchObject({ state: 'failed', error: { code: 'HOST_RESTARTED' } });
    } finally {
      await host.close();
    }
  }, 180_000);

  it('killed while writing a new OVF folder leaves a folder that the next start removes whole', async () => {
    const state = await stateWithBigSystem();
    const folder = join(work, 'out-ovf', 'big');
    await killMidExport(state, 'ovf', folder, folder);
    expect(entries(folder).some((f) => f.startsWith(EXPORT_TEMP_PREFIX))).toBe(true);
    const host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
    await host.close();
    expect(existsSync(folder)).toBe(false);
    expect(entries(exportTempRoot(state))).toEqual([]);
  }, 180_000);
});

describe('cleanupExports()', () => {
  it('removes only what dead exports recorded: their temporaries by prefix, never other files or live exports', () => {
    const state = mkdtempSync(join(work, 'st-'));
    const out = mkdtempSync(join(work, 'o-'));
    const record = (tag: string, pid: number, outDir: string, createdOutDir = false) => {
      const dir = join(exportTempRoot(state), tag);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'owner.pid'), `${pid}\n`);
      const prefix = `${EXPORT_TEMP_PREFIX}${tag}-`;
      writeFileSync(join(dir, 'output.json'), JSON.stringify({ outDir, prefix, createdOutDir }));
      return prefix;
    };
    const dead = record('dead', 999_999_999, out);
    const live = record('live', process.ppid, out);
    const created = join(work, 'created-by-dead');
    mkdirSync(created);
    const dead2 = record('dead2', 999_999_999, created, true);
    for (const f of [`${dead}web1.ova`, `.${dead}web1.ova.123.abcd.partial`, `${live}web1.ova`, 'keep.ova'])
      writeFileSync(join(out, f), 'x');
    writeFileSync(join(out, `${EXPORT_TEMP_PREFIX}unrecorded-web1.ova`), 'x');
    mkdirSync(join(out, `${dead}folder`)); // never one of ours: left
    writeFileSync(join(created, `${dead2}web1.ovf`), 'x');
    const removed = cleanupExports(state);
    expect(removed).toContain(join(out, `${dead}web1.ova`));
    expect(readdirSync(out).sort()).toEqual(
      [`${EXPORT_TEMP_PREFIX}unrecorded-web1.ova`, `${dead}folder`, `${live}web1.ova`, 'keep.ova'].sort(),
    );
    expect(existsSync(created)).toBe(false);
    expect(readdirSync(exportTempRoot(state))).toEqual(['live']);
  });

  it('runs before each export: what a dead export left is gone after the next one', async () => {
    const state = mkdtempSync(join(work, 'next-'));
    const host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
    try {
      const disk = join(state, 'images', 'small.raw'); // the default pool;
      writeFileSync(disk, randomImageBytes(1 << 20));
      await host.define(buildDefinition({ name: 'small', cpus: 1, memoryBytes: 64n << 20n, disks: [disk] }));
      const out = mkdtempSync(join(work, 'o2-'));
      const tag = 'crashed';
      mkdirSync(join(exportTempRoot(state), tag), { recursive: true });
      writeFileSync(join(exportTempRoot(state), tag, 'owner.pid'), '999999999\n');
      const prefix = `${EXPORT_TEMP_PREFIX}${tag}-`;
      writeFileSync(
        join(exportTempRoot(state), tag, 'output.json'),
        JSON.stringify({ outDir: out, prefix, createdOutDir: false }),
      );
      writeFileSync(join(out, `.${prefix}old.ova.1.ab.partial`), 'x');
      await host.exportVm('small', { format: 'ova', output: join(out, 'small.ova'), level: 1 }).done;
      expect(readdirSync(out)).toEqual(['small.ova']);
      expect(readdirSync(exportTempRoot(state))).toEqual([]);
    } finally {
      await host.close();
    }
  });
});
