import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, resultOf } from '../../../api/index.js';
import { Host, openSession, USERS_FILE, UserStore } from '../../../host/index.js';
import { ensureTestGuest, requireOperation, type TestGuest } from '../../../hypervisor/index.js';
import { buildDefinition } from '../../../model/index.js';
import { hostApiFactory } from '../host-api.js';
import { type CimXmlEndpoint, serveCimXml } from '../serve.js';

// DSP1053 Base Metrics on real QEMU (TCG) and the tiny test guest, read with sblim wbemcli: the CPU time of a
// running guest rises between two samples, and its boot read its disk. One boot, ~20 s.

const run = promisify(execFile);
let state: string;
let guest: TestGuest;
let host: Host;
let api: Api;
let ep: CimXmlEndpoint;
let base: string;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-cim-metrics-'));
  guest = await ensureTestGuest();
  // Sampled only when the test asks (interval 0), so that each read below is of a known sample.
  host = await Host.open({
    stateDir: state,
    driverUri: 'qemu:///embed?accel=tcg',
    metrics: { intervalMs: 0 },
  });
  host.pools.add('guest', dirname(guest.stayDisk));
  await new UserStore(join(state, USERS_FILE)).add('admin', 'admin', 'secret');
  api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
  ep = await serveCimXml({
    api: hostApiFactory(host),
    hostName: 'qemuhost',
    stateDir: state,
    http: { port: 0 },
  });
  base = `http://admin:secret@127.0.0.1:${ep.server.httpPort}/root/virtualization`;
}, 180_000);

afterAll(async () => {
  await ep?.close();
  await api?.close();
  await host?.close({ stopVms: true });
  await rm(state, { recursive: true, force: true });
});

async function wbemcli(...args: string[]): Promise<string> {
  const r = await run('wbemcli', ['-nl', ...args], { timeout: 30_000 });
  return r.stdout;
}

function metric(out: string): number {
  const m = /-MetricValue="([^"]+)"/.exec(out);
  if (!m) throw new Error(`no MetricValue in ${out.slice(0, 500)}`);
  return Number(m[1]);
}

describe('Base Metrics of a real guest (QEMU TCG)', () => {
  it('CPU time rises between two samples; the boot read the disk; values follow from the drive', async () => {
    const fw = { waitMs: Number.POSITIVE_INFINITY };
    resultOf(
      await api.systems.define(
        buildDefinition({ name: 'mguest', cpus: 1, memoryBytes: 128n << 20n, disks: [guest.stayDisk] }),
        fw,
      ),
    );
    await api.systems.changeState('mguest', 'start', fw);
    const con = await requireOperation(host.driver, 'console')(host.get('mguest').uuid);
    const end = Date.now() + 90_000;
    while (!(await con.readLog()).includes(guest.markers.ready)) {
      if (Date.now() > end) throw new Error('the guest did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
    await host.metrics.sample();
    const cpu = `${base}:Vessel_BaseMetricValue.InstanceID="Vessel:Metric:SystemCPUTime/mguest"`;
    const first = metric(await wbemcli('gi', cpu));
    expect(first).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500));
    // No sample between: the same value, read from the sampler and not from QEMU.
    expect(metric(await wbemcli('gi', cpu))).toBe(first);
    // An idle guest may spend less than one clock tick (10 ms) of the host's CPU in a second or two: sample until
    // its time has moved, within a bound.
    let second = first;
    for (const until = Date.now() + 30_000; second === first && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 500));
      await host.metrics.sample();
      second = metric(await wbemcli('gi', cpu));
    }
    expect(second).toBeGreaterThan(first);

    const values = await wbemcli(
      'ai',
      '-ac',
      'CIM_MetricForME',
      `${base}:Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="mguest"`,
    );
    const read =
      /-InstanceID="(Vessel:Metric:DiskReadBytes\/mguest\/[^"]+)"[\s\S]*?-MetricValue="(\d+)"/.exec(values);
    expect(read, values.slice(0, 2000)).not.toBeNull();
    expect(Number(read![2])).toBeGreaterThan(0);
    expect(
      Number(
        /-InstanceID="Vessel:Metric:SystemMemoryResident\/mguest"[\s\S]*?-MetricValue="(\d+)"/.exec(
          values,
        )?.[1],
      ),
    ).toBeGreaterThan(1 << 20);
    const device = read![1]!.split('/').pop()!;
    const drive = await wbemcli(
      'ain',
      '-ac',
      'CIM_MetricForME',
      `${base}:Vessel_LogicalDisk.CreationClassName="Vessel_LogicalDisk",DeviceID="${device}",SystemCreationClassName="Vessel_ComputerSystem",SystemName="mguest"`,
    );
    expect(drive.match(/Vessel_BaseMetricValue\.InstanceID=/g)).toHaveLength(4);
  }, 180_000);
});
