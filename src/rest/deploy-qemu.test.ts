import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/cli.js';
import type { Api } from '../api/index.js';
import { buildGuestPackage, Host, openSession, USERS_FILE, UserStore } from '../host/index.js';
import { ensureTestGuest, type TestGuest } from '../hypervisor/index.js';
import { hostApiFactory } from '../wbem/index.js';
import { RestApi } from './client/index.js';
import { type RestEndpoint, serveRest } from './serve.js';

// A real deploy through REST alone onto qemu:///embed (TCG): the test guest's OVA is streamed up by the REST client
// with an OVF property, the guest prints its OVF environment on the serial console, powers off, and is exported
// back through REST as an artifact that `vessel ova verify` accepts. One boot: about 10 s here.

let work: string;
let guest: TestGuest;
let ova: string;
let host: Host;
let rest: RestEndpoint;
let api: RestApi;
let local: Api;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vessel-rest-qemu-'));
  guest = await ensureTestGuest();
  ova = await buildGuestPackage({
    disk: guest.disk,
    out: join(work, 'guest.ova'),
    name: 'rest-guest',
    properties: [{ key: 'greeting', type: 'string', userConfigurable: true, qualifiers: 'MaxLen(64)' }],
  });
  const state = join(work, 'state');
  host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
  await new UserStore(join(state, USERS_FILE)).add('admin', 'admin', 'secret');
  rest = await serveRest({
    api: hostApiFactory(host),
    stateDir: state,
    tokens: host.tokens,
    http: { port: 0 },
  });
  api = new RestApi({
    url: new URL(`http://127.0.0.1:${rest.server.httpPort}/`),
    user: 'admin',
    password: 'secret',
  });
  local = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await rest?.close();
  await host?.close({ stopVms: true });
  await rm(work, { recursive: true, force: true });
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('deploy and export through REST onto qemu:///embed', () => {
  it('the guest prints the OVF property given over REST; its export downloads and verifies', async () => {
    const value = `rest-${process.pid}-${Date.now()}`;
    const job = await api.packages.deploy(
      {
        kind: 'upload',
        fileName: 'guest.ova',
        body: createReadStream(ova),
        sizeBytes: BigInt((await stat(ova)).size),
      },
      { name: 'rq1', properties: { greeting: value }, powerOn: true, waitMs: Number.POSITIVE_INFINITY },
    );
    expect(job.state, job.error?.message).toBe('completed');
    expect(job.result?.started).toHaveLength(1);
    const log = await until(
      'GUEST-DONE on the console',
      async () => {
        const text = await local.consoles.log('rq1', { maxBytes: 1 << 20 });
        return text.includes(guest.markers.done) ? text : undefined;
      },
      120_000,
    );
    const env = log.slice(log.indexOf(guest.markers.envBegin), log.indexOf(guest.markers.envEnd));
    expect(env).toContain(`<Property oe:key="greeting" oe:value="${value}"/>`);
    await until(
      'the guest to power off',
      async () => ((await api.systems.get('rq1')).state === 'stopped' ? true : undefined),
      60_000,
    );

    const exported = await api.packages.export('rq1', {
      destination: { kind: 'artifact' },
      format: 'ova',
      waitMs: Number.POSITIVE_INFINITY,
    });
    expect(exported.state, exported.error?.message).toBe('completed');
    const id = exported.result?.artifact ?? '';
    const info = await api.artifacts.get(id);
    const out = join(work, 'rq1.ova');
    const fh = await open(out, 'w');
    let size = 0n;
    for await (const chunk of await api.artifacts.download(id)) {
      size += BigInt(chunk.length);
      await fh.write(chunk);
    }
    await fh.close();
    expect(size).toBe(info.sizeBytes);
    const v = await runCli(['ova', 'verify', out]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    // A resumed download from the middle gives the rest of the same bytes.
    let tail = 0n;
    for await (const chunk of await api.artifacts.download(id, { offset: info.sizeBytes - 1000n }))
      tail += BigInt(chunk.length);
    expect(tail).toBe(1000n);
    await api.artifacts.delete(id);
  }, 300_000);
});
