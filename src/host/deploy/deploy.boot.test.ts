import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, NO_CIM_PORTS, runCli, SHARED } from '../../../test/helpers/cli.js';
import { convert } from '../../disk/index.js';
import { ensureTestGuest, type TestGuest } from '../../hypervisor/index.js';
import { Host } from '../host.js';
import { hostSocketPath } from '../paths.js';
import { writeGuestDescriptor } from './guest.js';

/**
 * Real boots (QEMU, TCG): the acceptance test of deploy, through the CLI and the host's socket, and packages laid
 * out as VirtualBox and VMware write them, from the corpus, with the test guest's disk in place of theirs. Each
 * boot takes about 10 s here; keep them few.
 */

let work: string;
let guest: TestGuest;
let guestVmdk: string;
let guestSize: number;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vessel-deploy-boot-'));
  guest = await ensureTestGuest();
  guestVmdk = join(work, 'guest-stream.vmdk');
  guestSize = (await convert(guest.disk, guestVmdk, 'vmdk-stream')).virtualSize;
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('deploy, end to end', () => {
  it('the guest reads the property given with --prop from its OVF environment CD and prints it', async () => {
    const pkg = join(work, 'authored');
    mkdirSync(pkg);
    const ovf = await writeGuestDescriptor(pkg, {
      disk: guest.disk,
      name: 'acceptance',
      properties: [{ key: 'greeting', type: 'string', userConfigurable: true, qualifiers: 'MaxLen(64)' }],
    });
    const ova = join(work, 'acceptance.ova');
    const packed = await runCli(['ova', 'pack', '--disk-format', 'stream', ovf, ova]);
    // stderr holds progress and the summary; the pack must succeed without a warning.
    expect(packed.code).toBe(0);
    expect(packed.stderr).not.toMatch(/warn|error/i);
    expect(packed.stderr).toMatch(/acceptance\.ova: packed 2 members/);
    const state = join(work, 'state');
    const host: ChildProcess = spawn(
      process.execPath,
      [CLI, 'host', 'serve', '--state', state, ...NO_CIM_PORTS],
      {
        stdio: 'ignore',
        env: { ...process.env, VESSEL_DRIVER: 'qemu:///embed?accel=tcg' },
      },
    );
    try {
      await until('the host', async () => (existsSync(hostSocketPath(state)) ? true : undefined), 30_000);
      const value = `prop-${process.pid}-${Date.now()}`;
      const r = await runCli([
        'deploy',
        ova,
        '--name',
        'accept1',
        '--prop',
        `greeting=${value}`,
        '--power-on',
        '--json',
        '--state',
        state,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const deployed = JSON.parse(r.stdout);
      expect(deployed).toMatchObject({ systems: [{ name: 'accept1' }], manifest: true });
      expect(deployed.started).toEqual([deployed.systems[0].uuid]);
      const log = await until(
        'GUEST-DONE on the console',
        async () => {
          const c = await runCli(['vm', 'console', 'accept1', '--log', '--state', state]);
          return c.stdout.includes(guest.markers.done) ? c.stdout : undefined;
        },
        90_000,
      );
      const env = log.slice(log.indexOf(guest.markers.envBegin), log.indexOf(guest.markers.envEnd));
      expect(env).toContain(`<Property oe:key="greeting" oe:value="${value}"/>`);
      expect(env).toContain('<Kind>Vessel</Kind>');
    } finally {
      host.kill('SIGTERM');
      await new Promise((r) => host.once('exit', r));
    }
  }, 150_000);
});

/** A corpus descriptor with its disks replaced by the test guest's, as an .ovf folder package. */
function substituted(file: string, edit: (ovf: string) => string = (t) => t): string {
  let text = readFileSync(join(SHARED, 'ovf-corpus', file), 'utf8');
  const dir = mkdtempSync(join(work, 'corpus-'));
  text = text
    .replace(/(<File[^>]*ovf:href=")[^"]*(")/g, '$1disk.vmdk$2')
    .replace(/\sovf:size="\d+"/g, '')
    .replace(/\sovf:populatedSize="\d+"/g, '')
    .replace(/(<Disk[^>]*ovf:capacity=")[^"]*(")/g, `$1${guestSize}$2`)
    .replace(/\sovf:capacityAllocationUnits="[^"]*"/g, '');
  writeFileSync(join(dir, 'package.ovf'), edit(text));
  writeFileSync(join(dir, 'disk.vmdk'), readFileSync(guestVmdk));
  return join(dir, 'package.ovf');
}

describe('packages of other producers, with the test guest disk', () => {
  let host: Host;
  beforeAll(async () => {
    host = await Host.open({ stateDir: join(work, 'corpus-state'), driverUri: 'qemu:///embed?accel=tcg' });
  });
  afterAll(() => host.close({ stopVms: true }));

  async function bootsToDone(ovf: string, name: string): Promise<string> {
    const r = await host.deploy({ package: ovf, name, powerOn: true }).done;
    const con = await host.console(r.vms[0]!.uuid);
    return until(
      `${name} to power off`,
      async () => {
        const log = await con.readLog();
        return host.get(name).state === 'stopped' && log.includes(guest.markers.done) ? log : undefined;
      },
      90_000,
    );
  }

  it('a VirtualBox export (SATA AHCI disk, empty CD on SATA, vbox:Machine) boots', async () => {
    const ovf = substituted('stephen-fox__vmwareify__vmwareify_test.go__basicOvfFileContents.ovf');
    const log = await bootsToDone(ovf, 'vbox1');
    expect(log).toContain(guest.markers.up);
    const hw = host
      .get('vbox1')
      .definition.resources.map((r) => [r.properties.ResourceType, r.properties.ResourceSubType]);
    expect(hw).toContainEqual(['20', 'AHCI']);
  }, 120_000);

  it('a vCenter export (BusLogic SCSI disk, PCNet32, optional floppy) boots once given enough memory', async () => {
    const ovf = substituted(
      'vmware__govmomi__ovf__fixtures__external__standard_ovas__ttylinux__ttylinux.ovf',
      (t) =>
        t
          .replace('<rasd:Limit>16</rasd:Limit>', '')
          .replace(
            '<rasd:VirtualQuantity>16</rasd:VirtualQuantity>',
            '<rasd:VirtualQuantity>256</rasd:VirtualQuantity>',
          ),
    );
    const log = await bootsToDone(ovf, 'tty1');
    expect(log).toContain(guest.markers.up);
    const hw = host
      .get('tty1')
      .definition.resources.map((r) => [r.properties.ResourceType, r.properties.ResourceSubType]);
    expect(hw).toContainEqual(['6', 'buslogic']);
    expect(hw).toContainEqual(['10', 'PCNet32']);
  }, 120_000);
});
