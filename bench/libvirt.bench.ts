import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Host, openSession } from '../src/host/index.js';
import { type HypervisorDriver, openDriver } from '../src/hypervisor/index.js';
import { HAVE_LIBVIRTD, startLibvirtd } from '../test/helpers/libvirtd.js';
import type { BenchResult, BenchSuite } from './harness.js';

/**
 * The libvirt driver against virsh on the same private, unprivileged libvirtd (as test/helpers/libvirtd.ts starts
 * one): its test driver loaded from a node file of 1,000 domains (`test:///FILE` gives each connection its own
 * copy, so Vessel and virsh each work on 1,000). Measured: listing them (the driver's one RPC, the host's Api
 * list with its store sync) against `virsh list --all` run in one interactive virsh (no process start per list),
 * and state changes per second (pause + resume) against virsh's suspend + resume in the same way.
 */
const DOMAINS = 1000;
const LISTS = 20;
const CHANGES = 400;

/** The node file: DOMAINS running test domains. */
function nodeXml(): string {
  const doms: string[] = [];
  for (let i = 0; i < DOMAINS; i++) {
    const uuid = `6695eb01-f6a4-8304-79aa-${i.toString(16).padStart(12, '0')}`;
    doms.push(
      `<domain type='test'><name>b${i}</name><uuid>${uuid}</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`,
    );
  }
  return `<node>${doms.join('')}</node>\n`;
}

/** Runs `commands` in one interactive virsh and resolves with the time it took (ms), from the first to the end. */
async function virshSession(uri: string, commands: string[]): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const v = spawn('virsh', ['-q', '-c', uri], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    v.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    v.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`virsh exited ${code}: ${err}`))));
    v.stdin!.end(`${commands.join('\n')}\nquit\n`);
  });
  return performance.now() - t0;
}

export const suite: BenchSuite = {
  name: 'libvirt: 1,000 domains on the test driver, against virsh',
  async run(): Promise<BenchResult[]> {
    if (!HAVE_LIBVIRTD) throw new Error('libvirtd is not installed');
    const daemon = await startLibvirtd();
    const { dir, socket } = daemon;
    const node = join(dir, 'home', 'node.xml');
    writeFileSync(node, nodeXml(), { mode: 0o644 });
    const lvUri = `test://${node}?socket=${socket}`;
    const virshUri = `test+unix://${node}?socket=${socket}`;
    const out: BenchResult[] = [];
    let driver: HypervisorDriver | undefined;
    let host: Host | undefined;
    let stateDir: string | undefined;
    try {
      // virsh: one process per run; a run of 2N commands less a run of N is N commands without the process start
      // and the connection (which loads the node file).
      const marginal = async (cmds: string[]) =>
        (await virshSession(virshUri, [...cmds, ...cmds])) - (await virshSession(virshUri, cmds));
      const virshList = (await marginal(Array(LISTS).fill('list --all'))) / LISTS;
      const count = execFileSync('virsh', ['-q', '-c', virshUri, 'list', '--all', '--name'])
        .toString()
        .split('\n')
        .filter((l) => l !== '').length;
      if (count !== DOMAINS) throw new Error(`virsh lists ${count} domains, not ${DOMAINS}`);

      driver = await openDriver(`libvirt:${lvUri}`);
      const d = driver;
      if ((await d.list()).length !== DOMAINS) throw new Error('the driver does not list every domain');
      let t0 = performance.now();
      for (let i = 0; i < LISTS; i++) await d.list();
      const driverList = (performance.now() - t0) / LISTS;
      out.push({
        name: `driver list(), ${DOMAINS} domains`,
        value: driverList,
        unit: 'ms',
        baseline: { name: 'virsh list --all', value: virshList },
        target: '<= 1x',
      });

      const ops = Array.from({ length: CHANGES / 2 }, (_, i) => `b${i % DOMAINS}`);
      t0 = performance.now();
      for (const n of ops) {
        await d.pause!(n);
        await d.resume!(n);
      }
      const driverRate = CHANGES / ((performance.now() - t0) / 1000);
      const virshMs = await marginal(ops.flatMap((n) => [`suspend ${n}`, `resume ${n}`]));
      const virshRate = CHANGES / (virshMs / 1000);
      out.push({
        name: 'driver state changes (pause, resume)',
        value: driverRate,
        unit: 'ops/s',
        baseline: { name: 'virsh suspend/resume', value: virshRate },
        target: '>= 1x',
      });
      await d.close();
      driver = undefined;

      // The host over the same driver: the Api's list (a store sync of 1,000 rows) and its state-change jobs.
      const state = mkdtempSync(join(tmpdir(), 'vessel-bench-libvirt-host-'));
      stateDir = state;
      host = await Host.open({ stateDir: state, driverUri: `libvirt:${lvUri}` });
      const api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
      await api.systems.list(); // the first sync makes 1,000 rows
      t0 = performance.now();
      for (let i = 0; i < LISTS; i++) await api.systems.list();
      out.push({
        name: `host Api systems.list, ${DOMAINS} systems`,
        value: (performance.now() - t0) / LISTS,
        unit: 'ms',
        baseline: { name: 'virsh list --all', value: virshList },
        notes: 'with the store sync of every row',
      });
      const forever = { waitMs: Number.POSITIVE_INFINITY };
      const few = ops.slice(0, 50);
      t0 = performance.now();
      for (const n of few) {
        await api.systems.changeState(n, 'pause', forever);
        await api.systems.changeState(n, 'resume', forever);
      }
      out.push({
        name: 'host Api changeState jobs (pause, resume)',
        value: (few.length * 2) / ((performance.now() - t0) / 1000),
        unit: 'ops/s',
        baseline: { name: 'virsh suspend/resume', value: virshRate },
        notes: 'each a job with its events',
      });
      await api.close();
    } finally {
      await driver?.close();
      await host?.close();
      await daemon.stop();
      if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
    }
    return out;
  },
};
