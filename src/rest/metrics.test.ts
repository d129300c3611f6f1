import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../api/index.js';
import { buildDefinition } from '../model/index.js';
import { RestApi } from './client/index.js';
import { call } from './contract.case.test.js';
import { escapeLabel, formatPrometheus } from './prometheus.js';
import { parsePrometheus } from './prometheus-parse.case.test.js';
import { rangeSeconds } from './routes-metrics.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// GET /metrics (Prometheus text format, parsed by a strict parser of the exposition format) and
// GET /api/v1/systems/{id}/metrics on a real host (test:///default), through real HTTP.

const READER = ['reader', 'rd-pass'] as const;
const HOSTILE = 'evil"} vessel_vm_running{vm="x\\';
const forever = { waitMs: Number.POSITIVE_INFINITY };
let h: RestTestHost;

async function scrape(user: readonly [string, string] | null = READER) {
  const headers: Record<string, string> = {};
  if (user) headers.Authorization = `Basic ${Buffer.from(user.join(':')).toString('base64')}`;
  const res = await fetch(`${h.restUrl.replace('/api/v1', '')}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

beforeAll(async () => {
  h = await startRestTestHost({
    vms: 2,
    users: [
      ['admin', 'admin', 'secret'],
      ['reader', 'reader', 'rd-pass'],
    ],
  });
  resultOf(
    await h.api.systems.define(
      buildDefinition({ name: HOSTILE, cpus: 1, memoryBytes: 32n << 20n, disks: [], nics: [] }),
      forever,
    ),
  );
  resultOf(await h.api.systems.changeState('vm1', 'start', forever));
  await new Promise((r) => setTimeout(r, 20)); // the test driver's CPU time is the time it has run
  await h.host.metrics.sample();
});
afterAll(async () => {
  await h?.close();
});

describe('GET /metrics', () => {
  it('answers the Prometheus text format that a strict parser reads, with HELP and TYPE', async () => {
    const r = await scrape();
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const m = parsePrometheus(r.text);
    for (const [name, f] of m) {
      expect(f.help, name).toBeDefined();
      expect(f.type, name).toMatch(/^(counter|gauge)$/);
      if (name.endsWith('_total')) expect(f.type, name).toBe('counter');
    }
    const cpu = m.get('vessel_vm_cpu_seconds_total')?.samples ?? [];
    expect(cpu.map((s) => s.labels)).toEqual([{ vm: 'vm1' }]);
    expect(cpu[0]!.value).toBeGreaterThan(0);
    expect(m.get('vessel_vm_running')?.samples.find((s) => s.labels.vm === 'vm1')?.value).toBe(1);
    expect(m.get('vessel_vm_running')?.samples.find((s) => s.labels.vm === 'vm2')?.value).toBe(0);
    expect(m.get('vessel_vm_memory_bytes')?.samples.find((s) => s.labels.vm === 'vm1')?.value).toBe(
      64 * 2 ** 20,
    );
    expect(m.get('vessel_vm_disk_read_bytes_total')?.samples.map((s) => Object.keys(s.labels))).toEqual([
      ['vm', 'device'],
    ]);
    expect(m.get('vessel_vm_network_receive_bytes_total')?.samples[0]?.labels).toMatchObject({ vm: 'vm1' });
    expect(m.get('vessel_host_systems')?.samples[0]?.value).toBe(3);
    expect(m.get('vessel_host_memory_total_bytes')?.samples[0]?.value).toBeGreaterThan(0);
    expect(m.get('vessel_host_pool_capacity_bytes')?.samples.map((s) => s.labels.pool)).toContain('default');
    expect(m.get('vessel_host_cpu_seconds_total')?.samples.map((s) => s.labels.mode)).toEqual([
      'busy',
      'idle',
    ]);
  });

  it('escapes a hostile system name so that it stays one label value', async () => {
    const m = parsePrometheus((await scrape()).text);
    const info = m.get('vessel_vm_info')?.samples.find((s) => s.labels.vm === HOSTILE);
    expect(info?.labels.state).toBe('stopped');
    expect(m.get('vessel_vm_running')?.samples.filter((s) => s.labels.vm === 'x\\')).toEqual([]);
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const text = formatPrometheus({
      intervalMs: 0,
      systems: [{ ...(await h.api.metrics.current()).systems[0]!, name: 'line\nfeed "q" \\' }],
    });
    expect(parsePrometheus(text).get('vessel_vm_vcpus')?.samples[0]?.labels.vm).toBe('line\nfeed "q" \\');
  });

  it('reads the sampler, never the driver: two scrapes between samples are the same', async () => {
    const a = await scrape();
    await new Promise((r) => setTimeout(r, 30));
    const b = await scrape();
    expect(b.text).toBe(a.text);
    await h.host.metrics.sample();
    const c = parsePrometheus((await scrape()).text);
    const before = parsePrometheus(a.text).get('vessel_vm_cpu_seconds_total')?.samples[0]?.value ?? 0;
    expect(c.get('vessel_vm_cpu_seconds_total')?.samples[0]?.value).toBeGreaterThan(before);
  });

  it('needs credentials (401 problem) and refuses a query', async () => {
    const r = await scrape(null);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text)).toMatchObject({ code: 'AUTH_FAILED' });
    const auth = `Basic ${Buffer.from(READER.join(':')).toString('base64')}`;
    const q = await fetch(`${h.restUrl.replace('/api/v1', '')}/metrics?x=1`, {
      headers: { Authorization: auth },
    });
    expect(q.status).toBe(400);
  });
});

describe('GET /api/v1/systems/{id}/metrics', () => {
  it("answers a system's series over ?range=, oldest first", async () => {
    await h.host.metrics.sample();
    const r = await call(h.restUrl, READER, 'GET', '/systems/vm1/metrics?range=1h');
    expect(r.status).toBe(200);
    expect(r.json.items.length).toBeGreaterThanOrEqual(3);
    expect(r.json.items[0].name).toBe('vm1');
    const t = r.json.items.map((s: { time: string }) => Date.parse(s.time));
    expect(t).toEqual([...t].sort((a, b) => a - b));
    const all = await call(h.restUrl, READER, 'GET', '/systems/vm1/metrics');
    expect(all.json.items).toHaveLength(r.json.items.length);
  });

  it('refuses a bad range (400) and an unknown system (404)', async () => {
    for (const bad of ['1', 'h', '1y', '8d', '0s', '9999999h'])
      expect((await call(h.restUrl, READER, 'GET', `/systems/vm1/metrics?range=${bad}`)).status, bad).toBe(
        400,
      );
    expect((await call(h.restUrl, READER, 'GET', '/systems/ghost/metrics')).status).toBe(404);
    expect(rangeSeconds('90s')).toBe(90);
    expect(rangeSeconds('7d')).toBe(7 * 86_400);
  });
});

describe('GET /api/v1/metrics/latest and the REST client', () => {
  it("answers the sampler's latest sample of the host and each system, to readers only", async () => {
    await h.host.metrics.sample();
    const r = await call(h.restUrl, READER, 'GET', '/metrics/latest');
    expect(r.status).toBe(200);
    expect(r.json.intervalMs).toBe((await h.api.metrics.current()).intervalMs);
    expect(r.json.host.cpus).toBeGreaterThan(0);
    const vm1 = r.json.systems.find((s: { name: string }) => s.name === 'vm1');
    expect(vm1).toMatchObject({ state: 'running', vcpus: 1 });
    expect(vm1.cpuSeconds).toBeGreaterThan(0);
    expect((await call(h.restUrl, undefined, 'GET', '/metrics/latest')).status).toBe(401);
    expect((await call(h.restUrl, READER, 'GET', '/metrics/latest?x=1')).status).toBe(400);
  });

  it('gives `vessel --connect rest+...` the same figures as the host itself (metrics.current and .series)', async () => {
    await h.host.metrics.sample();
    const rest = new RestApi({
      url: new URL(h.restUrl.replace('/api/v1', '')),
      user: READER[0],
      password: READER[1],
    });
    try {
      // No sample is taken between the reads: both sides answer from the same ring.
      expect(await rest.metrics.current()).toEqual(await h.api.metrics.current());
      expect(await rest.metrics.series('vm1', { rangeSeconds: 3600 })).toEqual(
        await h.api.metrics.series('vm1', { rangeSeconds: 3600 }),
      );
      await expect(rest.metrics.series('ghost')).rejects.toMatchObject({ code: 'VM_NOT_FOUND' });
    } finally {
      await rest.close();
    }
  });
});
