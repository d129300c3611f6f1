import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectHostApi, Host, serveHostApi } from '../../src/host/index.js';
import { runDirFor } from '../../src/hypervisor/index.js';
import { NO_CIM_PORTS, runCli } from '../helpers/cli.js';

/**
 * Finding 5 of issue 9, replayed: the state directory's path is too long for sockets, so its run directory goes
 * to `$TMPDIR/vessel-UID/<hash>`; another user (nobody) makes that directory first and listens on `host.sock`
 * in it. The host must refuse to start there and clients (the socket Api client and the CLI) must refuse to connect:
 * the planted socket never receives a connection. TMPDIR is a private folder of the test (short enough to be
 * used), never the machine's own /tmp/vessel-UID.
 */

const NOBODY = 65534;
const uid = process.getuid?.() ?? 0;
const tmp = mkdtempSync('/tmp/vrh-');
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A listening socket that counts the connections it receives, owned by nobody. */
async function plantSocket(path: string): Promise<{ connections: number }> {
  const seen = { connections: 0 };
  const s = createServer((c) => {
    seen.connections++;
    c.destroy();
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(path, r));
  chownSync(path, NOBODY, NOBODY);
  return seen;
}

const failure = async (fn: () => Promise<unknown>) =>
  fn().then(
    () => 'no error',
    (e: unknown) => `${(e as { code?: string }).code}: ${(e as Error).message}`,
  );

describe.skipIf(uid !== 0)('a run directory planted by another user', () => {
  it('is refused by the host, the client and the CLI, and its socket is never connected to', async () => {
    process.env.TMPDIR = tmp;
    const state = join(tmp, 'states', 'a'.repeat(60));
    mkdirSync(state, { recursive: true, mode: 0o700 });
    const runDir = runDirFor(state);
    expect(runDir.startsWith(join(tmp, `vessel-${uid}`))).toBe(true);
    // nobody's layout: vessel-UID and the hash directory, open to all, with a listening host.sock.
    mkdirSync(runDir, { recursive: true });
    chmodSync(join(tmp, `vessel-${uid}`), 0o777);
    chmodSync(runDir, 0o777);
    const planted = await plantSocket(join(runDir, 'host.sock'));
    chownSync(runDir, NOBODY, NOBODY);
    chownSync(join(tmp, `vessel-${uid}`), NOBODY, NOBODY);

    expect(await failure(() => Host.open({ stateDir: state, driverUri: 'test:///default' }))).toBe(
      `RUN_DIR_UNSAFE: Cannot use the run directory ${join(tmp, `vessel-${uid}`)}: it is owned by uid 65534, not by this user (uid 0)`,
    );
    // A client that finds STATE/run linking there (as a host of an older Vessel left it) refuses too.
    symlinkSync(runDir, join(state, 'run'));
    expect(await failure(() => connectHostApi({ stateDir: state }))).toMatch(
      /^HOST_UNREACHABLE: Cannot reach the host of .*: Cannot use the run directory .* owned by uid 65534/,
    );
    // The CLI cannot reach a host it may trust: exit 3, saying why.
    const cli = await runCli(['vm', 'list', '--state', state], { env: { TMPDIR: tmp } });
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain(
      `vessel: Cannot reach the host of ${state}: Cannot use the run directory ${runDir}: it is owned by uid 65534`,
    );
    const serve = await runCli(
      ['host', 'serve', '--state', state, '--driver', 'test:///default', ...NO_CIM_PORTS],
      {
        env: { TMPDIR: tmp },
      },
    );
    expect(serve.code).toBe(1);
    expect(serve.stderr).toMatch(/Cannot use the run directory .*: it is owned by uid 65534/);
    expect(planted.connections).toBe(0);

    // Once the planted directory is gone, the host makes its own and the client reaches it.
    rmSync(join(tmp, `vessel-${uid}`), { recursive: true, force: true });
    const host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
    const server = await serveHostApi(host);
    try {
      const client = await connectHostApi({ stateDir: state });
      expect(await client.systems.list()).toEqual([]);
      await client.close();
    } finally {
      await server.close();
      await host.close();
    }
    expect(planted.connections).toBe(0);
  });

  it('is refused when it holds a socket another user put in our own directory', async () => {
    process.env.TMPDIR = tmp;
    const state = join(tmp, 'states', 'b'.repeat(60));
    mkdirSync(state, { recursive: true, mode: 0o700 });
    const host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
    await host.close();
    const planted = await plantSocket(join(runDirFor(state), 'host.sock'));
    expect(await failure(() => connectHostApi({ stateDir: state }))).toBe(
      `HOST_UNREACHABLE: Cannot reach the host of ${state}: Cannot use the host socket ${join(runDirFor(state), 'host.sock')}: it is owned by uid 65534, not by this user (uid 0)`,
    );
    expect(planted.connections).toBe(0);
  });
});
