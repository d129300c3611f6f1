import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import type { HypervisorError } from '../errors.js';
import { ensureTestGuest } from '../guest.js';
import type { DriverEvent } from '../types.js';
import { parseDriverUri } from '../uri.js';
import type { QemuDriver } from './driver.js';
import { openQemuDriver } from './open.js';
import { QmpClient } from './qmp.js';

/**
 * QEMU confined, on real TCG guests: the seccomp sandbox, the unprivileged user, descriptors instead of paths,
 * and refusals of monitor commands that would reach host files or spawn programs. The state directory is a
 * mkdtemp folder (0700, the host's), as a real state directory is.
 */
const state = mkdtempSync(join(tmpdir(), 'vessel-confine-'));
const drivers: QemuDriver[] = [];
afterAll(async () => {
  for (const d of drivers) await d.close({ stopAll: true }).catch(() => undefined);
  rmSync(state, { recursive: true, force: true });
});

const root = process.getuid?.() === 0;
const uidOf = (name: string) => Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
const status = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');
/** A field of /proc/PID/status, e.g. `Seccomp` -> '2', `Uid` -> the real uid (the first of four). */
const field = (pid: number, name: string) =>
  new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status(pid))?.[1]?.trim().split(/\s+/)[0] ?? '';
const pidOf = (d: QemuDriver, uuid: string) => Number(readFileSync(d.runPaths(uuid).pidFile, 'utf8'));

/** Each descriptor QEMU holds on a file: its path and access mode (0 read-only, 1 write-only, 2 read-write). */
function openFiles(pid: number): { path: string; access: number }[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      const path = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const flags = /flags:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))![1]!;
      return path.startsWith('/') ? [{ path, access: Number.parseInt(flags, 8) & 3 }] : [];
    } catch {
      return []; // closed meanwhile
    }
  });
}

async function open(): Promise<QemuDriver> {
  const d = await openQemuDriver(parseDriverUri('qemu:///embed?accel=tcg'), { stateDir: state });
  drivers.push(d);
  return d;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('QEMU confined', () => {
  it('runs unprivileged and sandboxed, holds base images read-only, refuses host paths, and keeps its lifecycle', async () => {
    const guest = await ensureTestGuest();
    const d = await open();
    const def = buildDefinition({
      name: 'confined',
      cpus: 1,
      memoryBytes: 256n << 20n,
      disks: [guest.stayDisk],
      cdroms: [guest.iso],
    });
    const vm = await d.define(def);
    await d.start(vm.uuid);
    const pid = pidOf(d, vm.uuid);

    // Who: vessel-qemu under a root host, else the host's own user; never root. Sandbox: seccomp filter mode 2.
    expect(Number(field(pid, 'Uid'))).toBe(root ? uidOf('vessel-qemu') : process.getuid?.());
    expect(Number(field(pid, 'Uid'))).not.toBe(0);
    expect(field(pid, 'Seccomp')).toBe('2');
    expect(field(pid, 'NoNewPrivs')).toBe('1');
    expect(field(pid, 'Groups')).toBe(''); // supplementary groups dropped

    // The guest boots from the image and prints to its console.
    const con = await d.console(vm.uuid);
    await waitFor('the guest', async () => (await con.readLog()).includes(guest.markers.ready));

    // Images: the base and the CD read-only, only the VM's own overlay writable; in the state directory QEMU
    // holds nothing but this VM's own files.
    const files = openFiles(pid);
    const vmDir = d.vmDir(vm.uuid);
    const access = (path: string) => [...new Set(files.filter((f) => f.path === path).map((f) => f.access))];
    expect(access(guest.stayDisk)).toEqual([0]);
    expect(access(guest.iso)).toEqual([0]);
    const overlay = files.find((f) => f.path.startsWith(vmDir) && f.path.endsWith('.qcow2'));
    expect(overlay?.access).toBe(2);
    expect(statSync(overlay!.path).mode & 0o777).toBe(0o600);
    expect(files.filter((f) => f.path.startsWith(state) && !f.path.startsWith(`${vmDir}/`))).toEqual([]);

    // A hot-plugged disk arrives the same way: its image read-only, on a descriptor the host passed.
    await d.attachDevice(vm.uuid, {
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: 'hot', ResourceType: '17', HostResource: [guest.disk] },
    });
    expect([
      ...new Set(
        openFiles(pid)
          .filter((f) => f.path === guest.disk)
          .map((f) => f.access),
      ),
    ]).toEqual([0]);

    // Monitor commands naming host paths fail: QEMU cannot open them (the second monitor is the hot-plug one).
    const qmp = await QmpClient.connect(d.runPaths(vm.uuid).fdSocket);
    try {
      const refused = async (filename: string) =>
        (
          (await qmp
            .execute('blockdev-add', { driver: 'file', filename, 'node-name': 'evil', 'read-only': true })
            .catch((e: unknown) => e)) as HypervisorError
        ).message;
      expect(await refused('/etc/shadow')).toMatch(/Could not open '\/etc\/shadow': Permission denied/);
      if (root) {
        // The state directory is the host's (0700): not even this VM's own files are reachable by path.
        expect(await refused(overlay!.path)).toMatch(/Permission denied/);
        expect(await refused(join(vmDir, 'console.log'))).toMatch(/Permission denied/);
        const hmp = await qmp.execute<string>('human-monitor-command', {
          'command-line': `drive_add 0 if=none,id=evil2,file=${overlay!.path}`,
        });
        expect(hmp).toMatch(/Permission denied/);
      }
    } finally {
      qmp.close();
    }

    // The lifecycle still works: pause, resume, reset.
    const events: DriverEvent[] = [];
    const off = d.subscribe((e) => events.push(e));
    await d.pause(vm.uuid);
    expect((await d.getState(vm.uuid)).state).toBe('paused');
    await d.resume(vm.uuid);
    expect((await d.getState(vm.uuid)).state).toBe('running');
    await d.reset(vm.uuid);
    await waitFor('the reset event', () => events.some((e) => e.kind === 'reset'));
    off();

    // Adoption: a new host finds the running QEMU by the pid file it wrote and the socket it made.
    await d.close();
    const d2 = await open();
    await d2.define(await d.getDefinition(vm.uuid));
    const adopted = await d2.adopt(vm.uuid);
    expect(adopted.state).toBe('running');
    expect(field(pid, 'Seccomp')).toBe('2');
    await d2.powerOff(vm.uuid);
    expect((await d2.getState(vm.uuid)).state).toBe('stopped');
    await waitFor('QEMU to go', () => {
      try {
        return field(pid, 'State') === 'Z';
      } catch {
        return true;
      }
    });
  }, 150_000);

  it('kills a QEMU that is made to spawn a program (seccomp spawn=deny)', async () => {
    const guest = await ensureTestGuest();
    const d = await open();
    const vm = await d.define(
      buildDefinition({ name: 'spawner', cpus: 1, memoryBytes: 128n << 20n, disks: [guest.stayDisk] }),
    );
    await d.start(vm.uuid);
    const stopped = new Promise<DriverEvent>((resolve) =>
      d.subscribe((e) => {
        if (e.uuid === vm.uuid && e.kind === 'state' && e.state === 'stopped') resolve(e);
      }),
    );
    const qmp = await QmpClient.connect(d.runPaths(vm.uuid).fdSocket);
    // `migrate exec:` forks a shell; the sandbox kills QEMU before anything runs.
    void qmp
      .execute('human-monitor-command', { 'command-line': 'migrate "exec:cat /etc/shadow"' })
      .catch(() => undefined);
    const e = await stopped;
    qmp.close();
    expect(e.reason).toContain('SIGSYS');
  }, 90_000);

  it.runIf(root)('refuses to start QEMU as root when its user is missing', async () => {
    const guest = await ensureTestGuest();
    process.env.VESSEL_QEMU_USER = 'vessel-no-such-user';
    let d: QemuDriver;
    try {
      d = await open();
    } finally {
      delete process.env.VESSEL_QEMU_USER;
    }
    const vm = await d.define(
      buildDefinition({ name: 'nouser', cpus: 1, memoryBytes: 128n << 20n, disks: [guest.stayDisk] }),
    );
    const err = (await d.start(vm.uuid).catch((e: unknown) => e)) as HypervisorError;
    expect([err.code, err.message]).toEqual([
      'QEMU_START',
      'Cannot start QEMU: the host runs as root and QEMU\'s user "vessel-no-such-user" does not exist',
    ]);
    expect(err.hint).toContain(
      'useradd --system --no-create-home --shell /usr/sbin/nologin vessel-no-such-user',
    );
    expect((await d.getState(vm.uuid)).state).toBe('stopped');
  });
});
