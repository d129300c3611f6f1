import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, NO_CIM_PORTS } from '../../../test/helpers/cli.js';
import { Host } from '../host.js';
import { hostSocketPath } from '../paths.js';
import { connectHostApi } from '../socket/index.js';
import { buildGuestPackage } from './guest.js';
import { cleanupDeploys, DEPLOY_MARKER } from './staging.js';

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'vessel-deploy-crash-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Files under a folder, recursively, with their sizes. */
function files(dir: string): { path: string; size: number }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((p) => statSync(p).isFile())
    .map((p) => ({ path: p, size: statSync(p).size }));
}

async function until<T>(what: string, fn: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('an interrupted deploy', () => {
  it('killed with SIGKILL while converting leaves no system, and the next host start removes what it wrote', async () => {
    const raw = join(work, 'noise.raw');
    const chunk = randomBytes(1 << 20);
    const buf = Buffer.alloc(256 << 20);
    for (let o = 0; o < buf.length; o += chunk.length) {
      chunk.copy(buf, o);
      chunk.writeUInt32LE(o, (o >> 20) % 1000); // every MiB differs: nothing for the encoder to share
    }
    writeFileSync(raw, buf);
    const ova = await buildGuestPackage({ disk: raw, out: join(work, 'big.ova'), level: 1 });
    rmSync(raw);
    const state = join(work, 'state');
    let child: ChildProcess | undefined = spawn(
      process.execPath,
      [CLI, 'host', 'serve', '--state', state, '--driver', 'test:///default', ...NO_CIM_PORTS],
      { stdio: 'ignore' },
    );
    try {
      await until('the host socket', () => (existsSync(hostSocketPath(state)) ? true : undefined));
      const client = await connectHostApi({ stateDir: state });
      const { id: job } = await client.packages.deploy({ kind: 'hostPath', path: ova }, { waitMs: 0 });
      const partial = await until('a partly written disk', () =>
        files(join(state, 'deploy')).find((f) => f.path.endsWith('.qcow2') && f.size > 1 << 20),
      );
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      child = undefined;
      await client.close();
      expect(existsSync(partial.path)).toBe(true); // the crash left it there...
      const host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
      try {
        expect(await host.list()).toEqual([]);
        expect(files(join(state, 'deploy'))).toEqual([]); // ...and the next start removed it
        expect(files(join(state, 'vms'))).toEqual([]);
        expect(host.getJob(job)).toMatchObject({ state: 'failed', error: { code: 'HOST_RESTARTED' } });
      } finally {
        await host.close();
      }
    } finally {
      child?.kill('SIGKILL');
    }
  }, 120_000);
});

describe('cleanupDeploys()', () => {
  it('removes staging folders and marked system folders the store does not know, nothing else', () => {
    const state = mkdtempSync(join(work, 'st-'));
    const dir = (...p: string[]) => {
      mkdirSync(join(state, ...p), { recursive: true });
      return join(state, ...p);
    };
    writeFileSync(join(dir('deploy', 'job1', 'uuid-a'), 'image-1.qcow2'), 'partial');
    writeFileSync(join(dir('vms', 'orphan'), DEPLOY_MARKER), '999999999\n/pkg.ova\n'); // renamed, never registered
    writeFileSync(join(dir('vms', 'registered'), DEPLOY_MARKER), '999999999\n/pkg.ova\n');
    writeFileSync(join(dir('vms', 'defined-by-hand'), 'console.log'), '');
    writeFileSync(join(dir('deploy', 'live'), 'owner.pid'), `${process.ppid}\n`); // a deploy still running
    const removed = cleanupDeploys(state, (uuid) => uuid === 'registered');
    expect(removed.sort()).toEqual([join(state, 'deploy', 'job1'), join(state, 'vms', 'orphan')]);
    expect(readdirSync(join(state, 'vms')).sort()).toEqual(['defined-by-hand', 'registered']);
    expect(readdirSync(join(state, 'deploy'))).toEqual(['live']);
  });
});
