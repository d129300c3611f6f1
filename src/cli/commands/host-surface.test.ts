import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';
import type { SurfaceReport } from '../../api/index.js';

// `vessel host surface` (issue 16): the host's attack-surface report through the Api, over the local host's socket
// and over REST (rest+http://); CIM-XML has no profile for it; readers are refused; a hostile REST peer's malformed
// or oversized report is refused, not printed.

let served: ServedHost;
let rest: number;
let cim: number;
let empty: string;
let hostile: Server | undefined;
const admin = { VESSEL_PASSWORD: 'secret' };

beforeAll(async () => {
  rest = await freePort();
  cim = await freePort();
  served = await serveHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['viewer', 'reader', 'look'],
    ],
    args: [
      ...['--cim-http', String(cim), '--cim-https', '0', '--wsman-http', '0', '--wsman-https', '0'],
    ].concat(['--http', String(rest), '--https', '0']),
    ready: 'REST:',
    prefix: 'vessel-surface-',
  });
  empty = await mkdtemp(join(tmpdir(), 'vessel-surface-local-'));
}, 60_000);
afterAll(async () => {
  await served?.close();
  await rm(empty, { recursive: true, force: true });
  await new Promise((r) => (hostile === undefined ? r(undefined) : hostile.close(r)));
});

const report = (stdout: string) => JSON.parse(stdout) as SurfaceReport;

describe('vessel host surface', () => {
  it('says that no host runs for a state folder without one (exit 3), and how to start it', async () => {
    const r = await runCli(['host', 'surface', '--json', '--state', empty]);
    expect(r.code).toBe(3);
    const e = JSON.parse(r.stdout) as { error: { code: string; hint: string } };
    expect(e.error.code).toBe('HOST_NOT_RUNNING');
    expect(e.error.hint).toContain(`vessel host serve --state ${empty}`);
  });

  it('asks the running host over its socket: the report is the served process’s own', async () => {
    const r = await runCli(['host', 'surface', '--json', '--state', served.state]);
    expect(r.code, r.stderr).toBe(0);
    const s = report(r.stdout);
    expect(s.self.pid).toBe(served.process.pid);
    expect(s.processes.find((p) => p.pid === s.self.pid)?.uid).toBe(s.self.uid);
    expect(s.listening).toContainEqual({ protocol: 'tcp', address: '127.0.0.1', port: cim });
    expect(s.listening).toContainEqual({ protocol: 'tcp', address: '127.0.0.1', port: rest });
  });

  it('asks over REST (rest+http://) and prints the sockets, the processes and the capabilities as text', async () => {
    const r = await runCli(['-c', `rest+http://admin@127.0.0.1:${rest}`, 'host', 'surface'], { env: admin });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ {2}tcp {4}127\\.0\\.0\\.1 +${rest}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^ +${served.process.pid} {2}\\S+ +node$`, 'm'));
    expect(r.stdout).toMatch(
      new RegExp(`^host process: pid ${served.process.pid}, user \\S+ \\(uid \\d+\\)$`, 'm'),
    );
    expect(r.stdout).toMatch(/^ {2}effective capabilities: .+$/m);
    expect(r.stdout).toMatch(/^ {2}no_new_privs: (yes|no); seccomp: (none|strict|filter)$/m);
  });

  it('refuses a reader over REST (exit 1): who runs what is an admin’s business', async () => {
    const r = await runCli(['-c', `rest+http://viewer@127.0.0.1:${rest}`, 'host', 'surface'], {
      env: { VESSEL_PASSWORD: 'look' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/denied|not allowed|admin/i);
  });

  it('says over CIM-XML that no profile has the report and where to ask instead (exit 4)', async () => {
    const r = await runCli(['-c', `http://admin@127.0.0.1:${cim}`, 'host', 'surface'], { env: admin });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('no profile has it');
    expect(r.stderr).toContain('rest+https://');
  });

  it('refuses a hostile REST peer’s malformed, oversized or control-character report, printing none of it', async () => {
    let body = '';
    hostile = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    const port = await freePort();
    await new Promise<void>((r) => hostile?.listen(port, '127.0.0.1', r));
    const self = {
      pid: 1,
      uid: 0,
      effective: [],
      permitted: [],
      bounding: [],
      noNewPrivileges: true,
      seccomp: 2,
    };
    const cases: [string, unknown][] = [
      ['not JSON', '{"listening": ['],
      [
        'a port out of range',
        { listening: [{ protocol: 'tcp', address: '::', port: 70000 }], processes: [], self },
      ],
      [
        'too many sockets',
        {
          listening: Array.from({ length: 5000 }, () => ({ protocol: 'tcp', address: '::', port: 1 })),
          processes: [],
          self,
        },
      ],
      [
        'an overlong process name',
        { listening: [], processes: [{ pid: 2, uid: 0, name: 'x'.repeat(5000) }], self },
      ],
      ['no self', { listening: [], processes: [] }],
    ];
    for (const [what, value] of cases) {
      body = typeof value === 'string' ? value : JSON.stringify(value);
      const r = await runCli(['-c', `rest+http://admin@127.0.0.1:${port}`, 'host', 'surface'], {
        env: admin,
      });
      expect(r.code, what).not.toBe(0);
      expect(r.stdout, what).toBe('');
      expect(r.stderr, what).toMatch(/malformed|not JSON|JSON/i);
      expect(r.stderr, what).not.toContain('xxxxxxxxxx');
    }
    // A well-formed report whose names carry terminal escapes: printed, the control characters as `?`.
    const evil = '\u001b]0;owned\u0007\u001b[2J';
    body = JSON.stringify({
      listening: [],
      processes: [{ pid: 7, uid: 0, name: evil, user: `r\u001b[1m` }],
      self: { ...self, user: '\u009b31m' },
    });
    const r = await runCli(['-c', `rest+http://admin@127.0.0.1:${port}`, 'host', 'surface'], { env: admin });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/\p{Cc}(?<!\n)/u);
    expect(r.stdout).toMatch(/^ +7 {2}r\?\[1m +\?\]0;owned\?\?\[2J$/m);
    expect(r.stdout).toContain('user ?31m (uid 0)');
  }, 60_000);
});
