import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';

const run = promisify(execFile);

let state: string;
let served: ServedHost | undefined;
let port: number;
let httpsPort: number;

beforeAll(async () => {
  port = await freePort();
  httpsPort = await freePort();
  served = await serveHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['viewer', 'reader', 'look'],
    ],
    args: ['--cim-http', '0', '--cim-https', '0', '--http', String(port), '--https', String(httpsPort)],
    ready: 'REST:',
    prefix: 'vessel-hostrest-',
  });
  state = served.state;
  const d = await runCli([
    'vm',
    'define',
    '--name',
    'web1',
    '--cpus',
    '1',
    '--memory',
    '128M',
    '--state',
    state,
  ]);
  expect(d.stderr).toBe('');
}, 60_000);

afterAll(async () => {
  await served?.close();
});

const curl = (...args: string[]) => run('curl', ['-sS', ...args]);

describe('vessel host serve --http/--https', () => {
  it('serves the REST API to curl, and a state change through REST is seen by vessel vm list', async () => {
    const list = await curl('-u', 'viewer:look', `http://127.0.0.1:${port}/api/v1/systems`);
    expect(JSON.parse(list.stdout).items.map((s: { name: string }) => s.name)).toEqual(['web1']);
    const r = await curl(
      '-u',
      'admin:secret',
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"state":"running"}',
      `http://127.0.0.1:${port}/api/v1/systems/web1/state`,
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'completed', operation: 'start' });
    const l = await runCli(['vm', 'list', '--json', '--state', state]);
    expect((JSON.parse(l.stdout) as Array<{ name: string; state: string }>)[0]?.state).toBe('running');
  });

  it('refuses a reader who changes a state, with a problem', async () => {
    const r = await curl(
      '-u',
      'viewer:look',
      '-w',
      '\n%{http_code} %{content_type}',
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"state":"stopped"}',
      `http://127.0.0.1:${port}/api/v1/systems/web1/state`,
    );
    const [body, status] = r.stdout.split('\n');
    expect(status).toBe('403 application/problem+json');
    expect(JSON.parse(body ?? '').code).toBe('ACCESS_DENIED');
  });

  it("serves HTTPS with the host's generated certificate", async () => {
    const r = await curl('-k', '-u', 'viewer:look', `https://127.0.0.1:${httpsPort}/api/v1/host`);
    expect(JSON.parse(r.stdout).info.transport).toBe('rest');
  });

  it('a browser session over HTTPS gets a Secure cookie, and curl keeps using it with its CSRF token', async () => {
    const jar = join(state, 'jar.txt');
    const open = await curl(
      '-k',
      '-c',
      jar,
      '-u',
      'admin:secret',
      '-X',
      'POST',
      `https://127.0.0.1:${httpsPort}/api/v1/session`,
    );
    const { csrfToken } = JSON.parse(open.stdout) as { csrfToken: string };
    const head = await curl(
      '-k',
      '-o',
      '/dev/null',
      '-D',
      '-',
      '-u',
      'admin:secret',
      '-X',
      'POST',
      `https://127.0.0.1:${httpsPort}/api/v1/session`,
    );
    expect(head.stdout).toMatch(
      /set-cookie: vessel_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Secure/i,
    );
    const me = await curl('-k', '-b', jar, `https://127.0.0.1:${httpsPort}/api/v1/session`);
    expect(JSON.parse(me.stdout)).toEqual({ user: 'admin', role: 'admin', via: 'cookie', csrfToken });
    const bare = await curl(
      '-k',
      '-b',
      jar,
      '-w',
      '\n%{http_code}',
      '-X',
      'DELETE',
      `https://127.0.0.1:${httpsPort}/api/v1/session`,
    );
    expect(bare.stdout.split('\n').pop()).toBe('403');
    const out = await curl(
      '-k',
      '-b',
      jar,
      '-w',
      '%{http_code}',
      '-H',
      `X-CSRF-Token: ${csrfToken}`,
      '-X',
      'DELETE',
      `https://127.0.0.1:${httpsPort}/api/v1/session`,
    );
    expect(out.stdout).toBe('204');
  });

  it('vessel token create/list/revoke: a token made over the socket works with curl until revoked', async () => {
    const made = await runCli([
      'token',
      'create',
      '--role',
      'reader',
      '--user',
      'viewer',
      '--label',
      'ci',
      '--json',
      '--state',
      state,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const t = JSON.parse(made.stdout) as { id: string; token: string; user: string; role: string };
    expect(t).toMatchObject({ user: 'viewer', role: 'reader' });
    const get = await curl(
      '-H',
      `Authorization: Bearer ${t.token}`,
      `http://127.0.0.1:${port}/api/v1/systems`,
    );
    expect(JSON.parse(get.stdout).items.map((s: { name: string }) => s.name)).toEqual(['web1']);
    const list = await runCli(['token', 'list', '--state', state]);
    expect(list.stdout).toContain(`${t.id}\tviewer\treader\tnever\tci`);
    expect(list.stdout).not.toContain(t.token);
    // The local admin is no user of the ports: a token for it names one.
    const nobody = await runCli(['token', 'create', '--role', 'reader', '--state', state]);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('--user NAME');
    expect((await runCli(['token', 'revoke', t.id, '--state', state])).code).toBe(0);
    const after = await curl(
      '-w',
      '%{http_code}',
      '-o',
      '/dev/null',
      '-H',
      `Authorization: Bearer ${t.token}`,
      `http://127.0.0.1:${port}/api/v1/systems`,
    );
    expect(after.stdout).toBe('401');
    const again = await runCli(['token', 'revoke', t.id, '--state', state]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`No token ${t.id}`);
  });

  it('refuses a bad port, and a port in use, naming the flag', async () => {
    const bad = await runCli(['host', 'serve', '--state', state, '--http', '70000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--http must be a port number');
    const other = await mkdtemp(join(tmpdir(), 'vessel-hostrest2-'));
    try {
      const busy = await runCli([
        'host',
        'serve',
        '--state',
        other,
        '--driver',
        'test:///default',
        '--http',
        String(port),
      ]);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`Cannot serve REST on 127.0.0.1:${port} (--http): the port is in use`);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
