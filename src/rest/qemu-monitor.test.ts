import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type ApiEvent, resultOf } from '../api/index.js';
import { Host, openSession, USERS_FILE, UserStore } from '../host/index.js';
import { ensureTestGuest, requireOperation, type TestGuest } from '../hypervisor/index.js';
import { buildDefinition } from '../model/index.js';
import { hostApiFactory } from '../wbem/index.js';
import { call } from './contract.case.test.js';
import { parsePrometheus } from './prometheus-parse.case.test.js';
import { type RestEndpoint, serveRest } from './serve.js';
import { openSse, type SseStream } from './sse-client.case.test.js';

// A real guest under QEMU (TCG) behind the REST edge: its state change made through REST is seen on the SSE
// stream, and its counters (CPU seconds, disk read bytes) rise in /metrics while it boots. One boot, ~20 s.

const ADMIN = ['admin', 'secret'] as const;
let state: string;
let guest: TestGuest;
let host: Host;
let api: Api;
let rest: RestEndpoint;
let base: string;
let sse: SseStream | undefined;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-rest-qemu-'));
  guest = await ensureTestGuest();
  host = await Host.open({
    stateDir: state,
    driverUri: 'qemu:///embed?accel=tcg',
    metrics: { intervalMs: 300 },
  });
  host.pools.add('guest', dirname(guest.stayDisk));
  await new UserStore(join(state, USERS_FILE)).add('admin', 'admin', 'secret');
  api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
  rest = await serveRest({ api: hostApiFactory(host), stateDir: state, http: { port: 0 } });
  base = `http://127.0.0.1:${rest.server.httpPort}`;
}, 180_000);

afterAll(async () => {
  sse?.close();
  await rest?.close();
  await api?.close();
  await host?.close({ stopVms: true });
  await rm(state, { recursive: true, force: true });
});

async function scrape() {
  const res = await fetch(`${base}/metrics`, {
    headers: { Authorization: `Basic ${Buffer.from(ADMIN.join(':')).toString('base64')}` },
  });
  expect(res.status).toBe(200);
  return parsePrometheus(await res.text());
}

const value = (
  m: Map<string, { samples: { labels: Record<string, string>; value: number }[] }>,
  name: string,
) => m.get(name)?.samples.find((s) => s.labels.vm === 'tcg1')?.value;

describe('a QEMU (TCG) guest through REST: events and metrics', () => {
  it('SSE delivers its start; /metrics shows CPU seconds and disk reads rising while it boots', async () => {
    resultOf(
      await api.systems.define(
        buildDefinition({
          name: 'tcg1',
          cpus: 1,
          memoryBytes: 128n << 20n,
          disks: [guest.stayDisk],
          nics: [{ network: 'user' }],
        }),
        { waitMs: Number.POSITIVE_INFINITY },
      ),
    );
    const from = (await api.events.list()).at(-1)?.seq ?? 0;
    sse = await openSse(`${base}/api/v1/events?system=tcg1`, ADMIN, { 'Last-Event-ID': String(from) });
    expect(sse.status).toBe(200);
    const started = await call(`${base}/api/v1`, ADMIN, 'POST', '/systems/tcg1/state', {
      body: { state: 'running' },
      headers: { Prefer: 'wait=60' },
    });
    expect(started.status).toBe(200);
    let running: ApiEvent | undefined;
    while (running === undefined) {
      const m = await sse.nextEvent(30_000);
      const e = JSON.parse(m?.data ?? 'null') as ApiEvent;
      expect(m?.id).toBe(String(e.seq));
      if (e.type === 'system.state' && e.state === 'running') running = e;
    }
    expect(running).toMatchObject({ system: 'tcg1', cause: { kind: 'api', user: 'admin' } });

    // Boot: samples every 300 ms; the counters of the first sample and of the one when the guest is ready.
    const uuid = host.get('tcg1').uuid;
    const con = await requireOperation(host.driver, 'console')(uuid);
    await expect
      .poll(async () => value(await scrape(), 'vessel_vm_cpu_seconds_total'), { timeout: 10_000 })
      .toBeDefined();
    const first = await scrape();
    const end = Date.now() + 120_000;
    while (!(await con.readLog()).includes(guest.markers.ready)) {
      if (Date.now() > end) throw new Error('the guest did not boot');
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 700)); // a sample after the guest is up
    const later = await scrape();
    expect(value(later, 'vessel_vm_cpu_seconds_total')).toBeGreaterThan(
      value(first, 'vessel_vm_cpu_seconds_total')!,
    );
    const reads = (m: typeof first) =>
      m.get('vessel_vm_disk_read_bytes_total')?.samples.find((s) => s.labels.vm === 'tcg1')?.value ?? 0;
    expect(reads(later)).toBeGreaterThan(reads(first));
    expect(reads(later)).toBeGreaterThan(64 << 10);
    expect(value(later, 'vessel_vm_memory_resident_bytes')).toBeGreaterThan(16 << 20);
    expect(value(later, 'vessel_vm_uptime_seconds')).toBeGreaterThan(0);
    // User-mode networking: no NIC counters, and the series says why.
    expect(later.get('vessel_vm_network_receive_bytes_total')?.samples ?? []).toEqual([]);
    const series = await call(`${base}/api/v1`, ADMIN, 'GET', '/systems/tcg1/metrics?range=5m');
    expect(series.json.items.length).toBeGreaterThan(2);
    expect(series.json.items.at(-1).nicsUnavailable).toMatch(/user-mode networking/);

    const stopped = await call(`${base}/api/v1`, ADMIN, 'POST', '/systems/tcg1/state', {
      body: { state: 'stopped' },
      headers: { Prefer: 'wait=60' },
    });
    expect(stopped.status).toBe(200);
    for (;;) {
      const e = JSON.parse((await sse.nextEvent(30_000))?.data ?? 'null') as ApiEvent;
      if (e.type === 'system.state' && e.state === 'stopped') break;
    }
  }, 240_000);
});
