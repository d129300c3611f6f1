import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGuestPackage, connectHostApi } from '../../src/host/index.js';
import { checkedHostSocket } from '../../src/host/paths.js';
import { ensureTestGuest } from '../../src/hypervisor/index.js';
import { CLI, NO_CIM_PORTS, runCli } from '../helpers/cli.js';
import { exposed, filesContaining, walkTree } from './tree.js';

/**
 * Where a deploy request with a password property travels: the CLI, the host socket, the job, the store, the
 * events, the answers of `vm info`/`vm list`/`vm.metadata`/`job.list`, an export, the host's own output. The
 * password (a unique marker) must be found only inside the system's OVF environment CD: never elsewhere in the
 * state directory, never printed. A second deploy whose password breaks its qualifiers fails without saying it.
 */

const MARKER = `cli-pw-${process.pid}-${Date.now().toString(36)}`;
const BAD = `${MARKER}-too-long-${'y'.repeat(80)}`;
let work: string;
let state: string;
let host: ChildProcess;
const hostOut: Buffer[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vessel-secrets-'));
  state = join(work, 'state');
  const guest = await ensureTestGuest();
  await buildGuestPackage({
    disk: guest.disk,
    out: join(work, 'guest.ova'),
    properties: [
      { key: 'greeting', type: 'string', value: 'hello', userConfigurable: true },
      { key: 'secret', type: 'string', password: true, userConfigurable: true, qualifiers: 'MaxLen(64)' },
    ],
  });
  host = spawn(process.execPath, [CLI, 'host', 'serve', '--state', state, ...NO_CIM_PORTS], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VESSEL_DRIVER: 'test:///default' },
  });
  host.stdout!.on('data', (d: Buffer) => hostOut.push(d));
  host.stderr!.on('data', (d: Buffer) => hostOut.push(d));
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if (checkedHostSocket(state) !== undefined) break;
    } catch {
      // not made yet
    }
    if (Date.now() > end) throw new Error('the host did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  if (host.exitCode === null) {
    host.kill('SIGTERM');
    await new Promise((r) => host.once('exit', r));
  }
  rmSync(work, { recursive: true, force: true });
});

describe('a password property', () => {
  it('is found only in the OVF environment CD after a deploy, queries and an export', async () => {
    const printed: string[] = [];
    const cli = async (args: string[], expected = 0) => {
      const r = await runCli([...args, '--state', state]);
      printed.push(r.stdout, r.stderr);
      expect(r.code, r.stderr).toBe(expected);
      return r;
    };
    const ova = join(work, 'guest.ova');
    await cli(['deploy', ova, '--name', 'sec1', '--prop', `secret=${MARKER}`, '--json']);
    const bad = await cli(['deploy', ova, '--name', 'sec2', '--prop', `secret=${BAD}`], 1);
    expect(bad.stderr).toMatch(/Property "secret" \(string MaxLen\(64\)\): the value is \d+ characters/);
    await cli(['deploy', ova, '--name', 'sec3', '--prop', `secret=${BAD}`, '--json'], 1);
    await cli(['vm', 'info', 'sec1', '--json']);
    await cli(['vm', 'info', 'sec1']);
    await cli(['vm', 'list', '--json']);
    const out = join(work, 'sec1.ova');
    await cli(['export', 'sec1', '-o', out, '--json']);
    const client = await connectHostApi({ stateDir: state });
    try {
      const metadata = JSON.stringify(await client.systems.metadata('sec1'));
      expect(metadata).toContain(
        '"ovf.properties":"{\\"greeting\\":\\"hello\\",\\"secret\\":\\"********\\"}"',
      );
      printed.push(
        metadata,
        // Job results are decoded as the Api types them: an export's file sizes are bigints.
        JSON.stringify(await client.jobs.list(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
        JSON.stringify(await client.events.list()),
        JSON.stringify(await client.systems.get('sec1')),
      );
    } finally {
      await client.close();
    }
    host.kill('SIGTERM');
    await new Promise((r) => host.once('exit', r));
    printed.push(Buffer.concat(hostOut).toString());

    for (const text of printed) {
      expect(text).not.toContain(MARKER);
    }
    expect(readFileSync(out).includes(MARKER)).toBe(false);
    const tree = walkTree(state);
    const uuid = tree.find((e) => /^vms\/[0-9a-f-]{36}$/.test(e.path))!.path.slice(4);
    expect(filesContaining(tree, MARKER)).toEqual([`vms/${uuid}/ovf-env.iso`]);
    expect(exposed(tree)).toEqual([]);
  }, 120_000);
});
