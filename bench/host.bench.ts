import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectHostApi, Host, serveHostApi } from '../src/host/index.js';
import {
  buildQemuArgv,
  ensureOverlay,
  ensureTestGuest,
  openHandles,
  QemuHandles,
  QmpClient,
  requireOperation,
  type TestGuest,
} from '../src/hypervisor/index.js';
import { buildDefinition, readDevices } from '../src/model/index.js';
import type { BenchResult, BenchSuite } from './harness.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (bytes: number) => bytes / (1 << 20);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Bare QEMU: the same command line the host would use, spawned directly, until QMP reports running. */
async function bareStart(guest: TestGuest, dir: string, i: number): Promise<number> {
  const run = join(dir, `bare${i}`);
  mkdirSync(run, { recursive: true });
  const def = buildDefinition({
    name: `bare${i}`,
    cpus: 1,
    memoryBytes: 128n << 20n,
    disks: [guest.stayDisk],
  });
  const disk = readDevices(def).drives[0]!;
  const img = await ensureOverlay(run, disk.instanceId, guest.stayDisk);
  const qmpSocket = join(run, 'q.sock');
  const handles = new QemuHandles();
  const argv = buildQemuArgv(def, {
    uuid: '00000000-0000-4000-8000-00000000000' + (i % 10),
    accel: 'tcg',
    qmpSocket,
    handles,
    console: {
      socket: join(run, 'c.sock'),
      log: join(run, 'c.log'),
      extraLog: (n) => join(run, `s${n}.log`),
    },
    images: new Map([[disk.instanceId, img]]),
  });
  const t0 = performance.now();
  const opened = await openHandles(handles); // QEMU inherits the images, logs and sockets the host opened
  const child = spawn('qemu-system-x86_64', argv, {
    stdio: ['ignore', 'ignore', 'ignore', ...opened.stdio.slice(3)],
    detached: true,
  });
  opened.close();
  const qmp = await QmpClient.connect(qmpSocket); // the host listens already; QEMU accepts when it is up
  for (;;) {
    const s = await qmp.execute<{ running: boolean }>('query-status');
    if (s.running) break;
  }
  const ms = performance.now() - t0;
  await qmp.execute('quit').catch(() => undefined);
  await new Promise((r) => child.on('exit', r));
  return ms;
}

async function startLatency(guest: TestGuest): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-bench-start-'));
  const host = await Host.open({ stateDir: join(dir, 'state'), driverUri: 'qemu:///embed?accel=tcg' });
  host.pools.add('guest', dirname(guest.stayDisk));
  const hostTimes: number[] = [];
  const bareTimes: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      bareTimes.push(await bareStart(guest, dir, i));
      const t0 = performance.now();
      const def = buildDefinition({
        name: `lat${i}`,
        cpus: 1,
        memoryBytes: 128n << 20n,
        disks: [guest.stayDisk],
      });
      const vm = await host.define(def);
      await host.change(vm.uuid, 'start').done; // resolves once QMP has said the guest runs
      hostTimes.push(performance.now() - t0);
      await host.change(vm.uuid, 'powerOff').done;
    }
  } finally {
    await host.close({ stopVms: true });
    rmSync(dir, { recursive: true, force: true });
  }
  const h = median(hostTimes);
  const b = median(bareTimes);
  return [
    {
      name: 'define + start until QMP running (median of 5)',
      value: h,
      unit: 'ms',
      baseline: { name: 'bare qemu-system-x86_64, same argv', value: b },
      target: 'overhead < 100 ms',
      notes: `overhead ${(h - b).toFixed(0)} ms; includes the qcow2 overlay`,
    },
  ];
}

async function scale(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-bench-scale-'));
  const disk = join(dir, 'disk.raw');
  writeFileSync(disk, '');
  gc();
  const before = process.memoryUsage();
  const host = await Host.open({ stateDir: join(dir, 'state'), driverUri: 'test:///default' });
  host.pools.add('bench', dir);
  const server = await serveHostApi(host);
  const N = 10_000;
  try {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      await host.define(
        buildDefinition({
          name: `vm${i}`,
          cpus: 1,
          memoryBytes: 256n << 20n,
          disks: [disk],
          nics: [{ network: 'user' }],
        }),
      );
    }
    const defineMs = performance.now() - t0;
    gc();
    const after = process.memoryUsage();
    const perVm = (after.heapUsed + after.external - before.heapUsed - before.external) / N;
    const listTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      if ((await host.list()).length !== N) throw new Error('list is short');
      listTimes.push(performance.now() - t);
    }
    const listMs = median(listTimes);
    const getMs = median(
      Array.from({ length: 50 }, (_, i) => {
        const t = performance.now();
        host.get(`vm${(i * 197) % N}`);
        return performance.now() - t;
      }),
    );
    const driverTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await host.driver.list();
      driverTimes.push(performance.now() - t);
    }
    const driverListMs = median(driverTimes);
    const client = await connectHostApi({ stateDir: host.stateDir });
    const socketTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      if ((await client.systems.list()).length !== N) throw new Error('the socket list is short');
      socketTimes.push(performance.now() - t);
    }
    const t1 = performance.now();
    await requireOperation(host.driver, 'start')(host.get('vm5').uuid);
    const startMs = performance.now() - t1;
    await client.close();
    return [
      {
        name: `define ${N} systems (test driver, SQLite)`,
        value: defineMs,
        unit: 'ms',
        notes: `${((defineMs / N) * 1000).toFixed(0)} µs each`,
      },
      {
        name: `list all ${N} (host store)`,
        value: listMs,
        unit: 'ms',
        baseline: { name: 'driver in-memory list', value: driverListMs },
      },
      { name: `list all ${N} over the unix socket`, value: median(socketTimes), unit: 'ms' },
      { name: `get one of ${N}`, value: getMs, unit: 'ms' },
      {
        name: 'host memory per defined system (heap + external)',
        value: perVm / 1024,
        unit: 'KiB',
        notes: `RSS ${mib(process.memoryUsage().rss).toFixed(0)} MiB`,
      },
      { name: 'test driver start (one of 10,000)', value: startMs, unit: 'ms' },
    ];
  } finally {
    await server.close();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts tiny TCG guests in batches of 4 until a batch is not ready within 90 s or 16 run. */
async function capacity(guest: TestGuest): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-bench-cap-'));
  const host = await Host.open({ stateDir: join(dir, 'state'), driverUri: 'qemu:///embed?accel=tcg' });
  host.pools.add('guest', dirname(guest.stayDisk));
  const ready: string[] = [];
  let lastBatchMs = 0;
  try {
    for (let batch = 0; batch < 4; batch++) {
      const names = Array.from({ length: 4 }, (_, i) => `cap${batch * 4 + i}`);
      const t0 = performance.now();
      for (const name of names) {
        await host.define(
          buildDefinition({ name, cpus: 1, memoryBytes: 128n << 20n, disks: [guest.stayDisk] }),
        );
      }
      await Promise.all(names.map((n) => host.change(n, 'start').done));
      const deadline = Date.now() + 90_000;
      const pending = new Set(names);
      while (pending.size > 0 && Date.now() < deadline) {
        for (const n of [...pending]) {
          if ((await (await host.console(n)).readLog()).includes(guest.markers.ready)) pending.delete(n);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      lastBatchMs = performance.now() - t0;
      ready.push(...names.filter((n) => !pending.has(n)));
      if (pending.size > 0) break;
    }
    const t = performance.now();
    await host.list();
    await host.change(ready[0]!, 'pause').done;
    await host.change(ready[0]!, 'resume').done;
    const controlMs = performance.now() - t;
    return [
      {
        name: 'tiny TCG guests running at once (batches of 4, 128 MiB)',
        value: ready.length,
        unit: 'guests',
        notes: `last batch ready in ${(lastBatchMs / 1000).toFixed(1)} s; pause+resume with all running ${controlMs.toFixed(0)} ms; stopped at 16 by design`,
      },
    ];
  } finally {
    await host.close({ stopVms: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The host's benchmarks: start latency against bare QEMU, scale on the test driver, real guest capacity. */
export const suite: BenchSuite = {
  name: 'host',
  async run() {
    const guest = await ensureTestGuest();
    return [...(await startLatency(guest)), ...(await scale()), ...(await capacity(guest))];
  },
};
