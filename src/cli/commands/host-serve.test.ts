import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { serveHost } from '../../../test/helpers/host.js';
import { hostSocketPath } from '../../host/index.js';

// `vessel host serve` with a CIM port it cannot have: it refuses to start (exit 2, naming the address and port),
// leaves no socket, no stack trace, and the state directory free for the next host.

const root = mkdtempSync(join(tmpdir(), 'vessel-cli-serve-'));
const state = join(root, 'state');
let busy: Server;
let port: number;

beforeAll(async () => {
  busy = createServer();
  port = await new Promise<number>((resolve) =>
    busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
  );
});
afterAll(() => {
  busy.close();
  rmSync(root, { recursive: true, force: true });
});

describe('vessel host serve on a busy CIM port', () => {
  it('refuses to start: exit 2 with the port, no socket left, and the next host starts', async () => {
    const t0 = Date.now();
    const r = await runCli([
      'host',
      'serve',
      '--state',
      state,
      '--driver',
      'test:///default',
      '--cim-http',
      String(port),
    ]);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `vessel: Cannot serve CIM-XML on 127.0.0.1:${port} (--cim-http): the port is in use\n  hint: Choose another port, or stop what listens there\n`,
    ]);
    expect(existsSync(hostSocketPath(state))).toBe(false);
    expect((await runCli(['vm', 'list', '--state', state])).code).toBe(3);
    const next = await serveHost(state);
    try {
      expect(next.output()).toContain('serving');
      expect((await runCli(['vm', 'list', '--json', '--state', state])).stdout).toBe('[]\n');
    } finally {
      expect(await next.stop()).toBe(0);
    }
  }, 60_000);

  it('says the same of --cim-https, and refuses an address of another machine', async () => {
    const https = await runCli([
      'host',
      'serve',
      '--state',
      state,
      '--driver',
      'test:///default',
      '--cim-https',
      String(port),
      '--cim-listen',
      '127.0.0.1',
    ]);
    expect(https.code).toBe(2);
    expect(https.stderr).toContain(`127.0.0.1:${port} (--cim-https): the port is in use`);
    expect(https.stderr).not.toMatch(/internal error|\n\s+at /);
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
    const foreign = await runCli([
      'host',
      'serve',
      '--state',
      state,
      '--driver',
      'test:///default',
      '--cim-http',
      '0',
      '--cim-https',
      String(port),
      '--cim-listen',
      '192.0.2.1',
    ]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain(
      `192.0.2.1:${port} (--cim-https): the address is not one of this machine`,
    );
    expect(existsSync(hostSocketPath(state))).toBe(false);
    const bad = await runCli(['host', 'serve', '--state', state, '--cim-http', '70000']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'vessel: --cim-http must be a port number from 0 (off) to 65535, not "70000"\n',
    ]);
  }, 60_000);
});
