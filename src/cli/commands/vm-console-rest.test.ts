import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../../test/helpers/cli.js';
import { type ServedHost, serveHost } from '../../../test/helpers/host.js';
import { freePort } from '../../../test/helpers/ports.js';

// `vessel --connect rest+http://... vm console NAME`: the built CLI attaches to a serial console over the REST
// WebSocket (the test driver's line echoes what is typed), and is refused at once on a stopped system.

let state: string;
let host: ServedHost;
let connect: string[];
const env = { VESSEL_USER: 'admin', VESSEL_PASSWORD: 'secret' };

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-cli-console-rest-'));
  const port = await freePort();
  expect(
    (await runCli(['user', 'add', 'admin', '--role', 'admin', '--state', state], { input: 'secret\n' })).code,
  ).toBe(0);
  host = await serveHost(state, ['--cim-http', '0', '--cim-https', '0', '--http', String(port)]);
  connect = ['--connect', `rest+http://127.0.0.1:${port}`];
  for (const args of [
    ['vm', 'define', '--name', 'r1'],
    ['vm', 'define', '--name', 'r2'],
    ['vm', 'start', 'r1'],
  ])
    expect((await runCli([...args, ...connect], { env })).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await host?.stop();
  if (state) await rm(state, { recursive: true, force: true });
});

describe('vessel vm console over REST', () => {
  it('attaches over the WebSocket: typed bytes come back on the loopback line; Ctrl-] detaches', async () => {
    const child = spawn(process.execPath, [CLI, 'vm', 'console', 'r1', ...connect], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const ended = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await expect.poll(() => err, { timeout: 15_000 }).toContain('Connected to the console of "r1"');
    child.stdin.write('hello over rest\n');
    await expect.poll(() => out, { timeout: 10_000 }).toContain('hello over rest');
    child.stdin.write(Buffer.from([0x1d]));
    expect(await ended, `stdout: ${out}\nstderr: ${err}`).toBe(0);
  }, 60_000);

  it('a stopped system is refused at once with the hint', async () => {
    const r = await runCli(['vm', 'console', 'r2', ...connect], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot open the serial console of "r2": it is stopped');
    expect(r.stderr).toContain('hint: Start it (vessel vm start r2)');
  }, 30_000);
});
