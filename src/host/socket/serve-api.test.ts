import { existsSync, lstatSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, parseConnectUri } from '../../api/index.js';
import { runDirFor } from '../../hypervisor/index.js';
import { Host } from '../host.js';
import { hostSocketPath } from '../paths.js';
import { connectHostApi, type HostSocketTarget } from './connect-api.js';
import { serveHostApi } from './serve-api.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-hostapi-'));
const hosts: Host[] = [];
afterAll(async () => {
  for (const h of hosts) await h.close();
  rmSync(root, { recursive: true, force: true });
});

async function openHost(name: string): Promise<Host> {
  const host = await Host.open({ stateDir: join(root, name), driverUri: 'test:///default' });
  hosts.push(host);
  return host;
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ApiError,
  );

describe('serveHostApi() and connectHostApi()', () => {
  it("serve the host's sessions on a private socket that appears only once ready, and remove it on close", async () => {
    const host = await openHost('a');
    const path = hostSocketPath(host.stateDir);
    const server = await serveHostApi(host);
    const st = lstatSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(path)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const api = await connectHostApi({ stateDir: host.stateDir });
    // The call reaches the host's session: it answers, or (while a namespace is not implemented yet) says so.
    const info = await api.host.info().catch((e: unknown) => e);
    if (info instanceof ApiError) expect(info.message).toMatch(/^The local host does not offer host.info/);
    else expect(info).toMatchObject({ transport: 'socket', local: { stateDir: host.stateDir } });
    await api.close();
    await server.close();
    expect(existsSync(path)).toBe(false);
  });

  it('refuse a second host on the same socket, and find a silent peer there PROTOCOL, not a hang', async () => {
    const host = await openHost('b');
    const path = hostSocketPath(host.stateDir);
    const server = await serveHostApi(host);
    expect(await refusal(serveHostApi(host))).toMatchObject({ code: 'HOST_ALREADY_RUNNING' });
    await server.close();
    // Something that accepts connections but never greets: another program, or a host of another protocol.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(`${path}.silent`, () => r()));
    renameSync(`${path}.silent`, path);
    expect(await refusal(serveHostApi(host))).toMatchObject({ code: 'HOST_ALREADY_RUNNING' });
    const e = await refusal(connectHostApi({ stateDir: host.stateDir }, { helloTimeoutMs: 300 }));
    expect(e).toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringMatching(/did not greet within 300 ms/),
    });
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('replace the stale socket of a host that died, which clients see as not running', async () => {
    const host = await openHost('c');
    const path = hostSocketPath(host.stateDir);
    // A socket whose server is gone: bound under another name, renamed into place, then closed.
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(`${path}.dead`, () => r()));
    renameSync(`${path}.dead`, path);
    await new Promise<void>((r) => dead.close(() => r()));
    expect(lstatSync(path).isSocket()).toBe(true);
    const e = await refusal(connectHostApi({ stateDir: host.stateDir }));
    expect(e).toMatchObject({
      code: 'HOST_NOT_RUNNING',
      hint: `Start one with: vessel host serve --state ${host.stateDir}`,
    });
    const server = await serveHostApi(host);
    const api = await connectHostApi({ stateDir: host.stateDir });
    await api.close();
    await server.close();
  });

  it('say how to start a host when none runs, and never connect to a socket that is not their own', async () => {
    const none = join(root, 'nobody');
    expect(await refusal(connectHostApi({ stateDir: none }))).toMatchObject({
      code: 'HOST_NOT_RUNNING',
      message: `No Vessel host is running for the state directory ${none}`,
      hint: `Start one with: vessel host serve --state ${none}`,
    });
    const file = join(root, 'not-a-socket');
    writeFileSync(file, '');
    expect(await refusal(connectHostApi({ stateDir: none, socketPath: file }))).toMatchObject({
      code: 'HOST_UNREACHABLE',
      detail: { domain: 'hypervisor', code: 'RUN_DIR_UNSAFE' },
    });
  });

  it('serve on and connect through another socket path (vessel:///STATE?socket=PATH)', async () => {
    const host = await openHost('d');
    const path = join(root, 'other.sock');
    const server = await serveHostApi(host, path);
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(hostSocketPath(host.stateDir))).toBe(false);
    const target = parseConnectUri(`vessel://${host.stateDir}?socket=${encodeURIComponent(path)}`);
    expect(target).toEqual({ transport: 'socket', stateDir: host.stateDir, socketPath: path });
    const api = await connectHostApi(target as HostSocketTarget);
    await api.close();
    await server.close();
    expect(existsSync(path)).toBe(false);
  });

  it('work from a state directory too long for a unix socket path (a private run directory elsewhere)', async () => {
    const long = join(root, 'x'.repeat(60), 'y'.repeat(60), 'state');
    expect(join(long, 'run', 'host.sock').length).toBeGreaterThan(108);
    const host = await Host.open({ stateDir: long, driverUri: 'test:///default' });
    hosts.push(host);
    const server = await serveHostApi(host);
    try {
      expect(lstatSync(join(long, 'run')).isSymbolicLink()).toBe(true);
      expect(hostSocketPath(long).length).toBeLessThan(108);
      const api = await connectHostApi({ stateDir: long });
      expect((await api.host.info()).local?.stateDir).toBe(long);
      await api.close();
    } finally {
      await server.close();
      rmSync(runDirFor(long), { recursive: true, force: true });
    }
  });
});
