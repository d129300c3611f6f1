import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { wbemcli } from '../../../test/helpers/wbemcli.js';

// `vessel pool` and the pool check through the built CLI and through CIM-XML (Vessel's own remote client and
// sblim wbemcli), against `vessel host serve` on the test driver: admins' paths must lie in a storage pool.

const root = realpathSync(mkdtempSync(join(tmpdir(), 'vessel-cli-pool-')));
const state = join(root, 'state');
const pool = join(root, 'pool');
const s = ['--state', state];
let host: ChildProcess;
let port: number;

beforeAll(async () => {
  mkdirSync(pool);
  writeFileSync(join(pool, 'disk.raw'), '');
  symlinkSync('/etc/passwd', join(pool, 'evil.raw'));
  execFileSync('mkfifo', [join(pool, 'fifo.raw')]);
  port = await freePort();
  const user = await runCli(['user', 'add', 'admin', '--role', 'admin', ...s], { input: 'secret\n' });
  expect(user.code).toBe(0);
  host = spawn(
    process.execPath,
    [
      CLI,
      'host',
      'serve',
      ...s,
      '--driver',
      'test:///default',
      '--cim-http',
      String(port),
      '--cim-https',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    host.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('CIM-XML:')) resolve();
    });
    host.on('exit', (code) => reject(new Error(`host exited with ${code}: ${out}`)));
  });
}, 60_000);

afterAll(async () => {
  host?.kill('SIGTERM');
  await new Promise((r) => host?.once('exit', r));
  rmSync(root, { recursive: true, force: true });
});

const url = () => `http://admin:secret@127.0.0.1:${port}`;
const base = () => `${url()}/root/virtualization`;
const vsms = () =>
  'Vessel_VirtualSystemManagementService.CreationClassName="Vessel_VirtualSystemManagementService",' +
  `Name="Management Service",SystemCreationClassName="Vessel_HostSystem",SystemName="${hostName}"`;
let hostName = '';

describe('vessel pool', () => {
  it('lists the default pool with its sizes; the pools file is 0600', async () => {
    const r = await runCli(['pool', 'list', '--json', ...s]);
    expect(r.code, r.stderr).toBe(0);
    const [d] = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(d).toMatchObject({
      id: 'default',
      isDefault: true,
      available: true,
      path: join(state, 'images'),
      allowDevices: false,
    });
    expect(d!.capacityBytes).toBeGreaterThan(0);
    expect(d!.freeBytes).toBeGreaterThan(0);
    expect(statSync(join(state, 'pools.json')).mode & 0o777).toBe(0o600);
  });

  it('adds a pool given relative to the current folder, lists it, and refuses bad ones', async () => {
    const r = await runCli(['pool', 'add', 'lab', 'pool', '--json', ...s], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      id: 'lab',
      isDefault: false,
      path: pool,
      allowDevices: false,
    });
    const list = await runCli(['pool', 'list', ...s]);
    expect(list.stdout).toMatch(/^NAME +CAPACITY +USED +FREE +IMAGES +DEVICES +PATH\n/);
    expect(list.stdout).toMatch(new RegExp(`\\nlab +\\S+ \\S+ +\\S+ \\S+ +\\S+ \\S+ +1 +no +${pool}\\n`));
    const bad = await runCli(['pool', 'add', '../etc', '/srv', ...s]);
    // The Api's schema refuses the name before the host sees it: a usage error (exit 2).
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "vessel: Invalid parameters of pools.add: /spec/id: Expected string to match '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'\n",
    ]);
    const slash = await runCli(['pool', 'add', 'all', '/', '--json', ...s]);
    expect(slash.code).toBe(2);
    expect(JSON.parse(slash.stdout).error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: { domain: 'host', code: 'POOL_INVALID' },
      message: 'Cannot use / as a storage pool: it is the root of the file system',
    });
    const taken = await runCli(['pool', 'add', 'lab', root, ...s]);
    expect([taken.code, taken.stderr]).toEqual([1, 'vessel: A storage pool named "lab" exists already\n']);
    // Through CIM-XML the pools are DSP1047 resource pools, read-only: listed, never added (exit 4).
    const remote = await runCli(['--host', url(), 'pool', 'list', '--json']);
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout).map((p: { id: string }) => p.id)).toEqual(['default', 'lab']);
    const remoteAdd = await runCli(['--connect', url(), 'pool', 'add', 'far', root]);
    expect(remoteAdd.code).toBe(4);
    expect(remoteAdd.stderr).toContain('Cannot add a storage pool over CIM-XML');
  });

  it('defines with an image in a pool, and refuses paths outside every pool for the admin', async () => {
    const ok = await runCli(['vm', 'define', '--name', 'web1', '--disk', 'pool/disk.raw', ...s], {
      cwd: root,
    });
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    const hint = `  hint: Storage pools: default (${join(state, 'images')}), lab (${pool}). Copy the image into one, or add its folder: vessel pool add NAME DIR\n`;
    const cases: [string[], string][] = [
      [['--disk', '/etc/passwd'], 'the image of drive "4" is outside every storage pool: /etc/passwd'],
      [['--cdrom', '/dev/null'], 'the image of drive "4" is outside every storage pool: /dev/null'],
      [['--disk', '/dev/loop0'], 'the image of drive "4" is outside every storage pool: /dev/loop0'],
      [
        ['--disk', 'pool/evil.raw'],
        `the image of drive "4" is outside every storage pool (it resolves to /etc/passwd): ${pool}/evil.raw`,
      ],
      [
        ['--disk', 'pool/../../../../../../etc/shadow'],
        'the image of drive "4" is outside every storage pool: /etc/shadow',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['vm', 'define', '--name', 'bad', ...args, ...s], { cwd: root });
      expect([args.join(' '), r.code, r.stderr]).toEqual([
        args.join(' '),
        1,
        `vessel: Cannot define "bad": ${message}\n${hint}`,
      ]);
    }
    const fifo = await runCli(['vm', 'define', '--name', 'bad', '--disk', 'pool/fifo.raw', '--json', ...s], {
      cwd: root,
    });
    expect(fifo.code).toBe(1);
    expect(JSON.parse(fifo.stdout).error).toMatchObject({
      code: 'IMAGE_UNSAFE',
      detail: { domain: 'host', code: 'IMAGE_DEVICE' },
      message: `Cannot define "bad": the image of drive "4" is a FIFO, not an image file: ${pool}/fifo.raw`,
    });
    const names = JSON.parse((await runCli(['vm', 'list', '--json', ...s])).stdout).map(
      (v: { name: string }) => v.name,
    );
    expect(names).toEqual(['web1']);
  });

  it('refuses at start an image whose symlink was swapped after define', async () => {
    const link = join(pool, 'swap.raw');
    symlinkSync(join(pool, 'disk.raw'), link);
    expect((await runCli(['vm', 'define', '--name', 'swapped', '--disk', link, ...s])).code).toBe(0);
    unlinkSync(link);
    symlinkSync('/etc/shadow', link);
    const r = await runCli(['vm', 'start', 'swapped', ...s]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `vessel: Cannot start "swapped": the image of drive "4" is outside every storage pool (it resolves to /etc/shadow): ${link}\n`,
    );
    expect((await runCli(['vm', 'undefine', 'swapped', ...s])).code).toBe(0);
  });

  it('refuses DefineSystem, AddResourceSettings and ModifyResourceSettings outside the pools over CIM', async () => {
    const cs = await wbemcli('ein', `${base()}:Vessel_HostSystem`);
    hostName = /\bName="([^"]+)"/.exec(cs.out)?.[1] ?? '';
    const viaVessel = await runCli([
      '--host',
      url(),
      'vm',
      'define',
      '--name',
      'cim1',
      '--disk',
      '/etc/passwd',
    ]);
    expect(viaVessel.code).toBe(1);
    expect(viaVessel.stderr).toContain('the image of drive "4" is outside every storage pool: /etc/passwd');
    const define = await wbemcli(
      'cm',
      `${base()}:${vsms()}`,
      `DefineSystem.SystemSettings="instance of Vessel_VirtualSystemSettingData { ElementName = 'cim2'; };",` +
        `ResourceSettings="instance of Vessel_ResourceAllocationSettingData { ResourceType = 17; HostResource = {'/etc/passwd'}; };"`,
    );
    expect(define.code).not.toBe(0);
    expect(define.out).toContain('CIM_ERR_INVALID_PARAMETER');
    expect(define.out).toContain('is outside every storage pool: /etc/passwd');
    const add = await wbemcli(
      'cm',
      `${base()}:${vsms()}`,
      'AddResourceSettings.AffectedConfiguration=Vessel_VirtualSystemSettingData.InstanceID="Vessel:web1",' +
        `ResourceSettings="instance of Vessel_ResourceAllocationSettingData { ResourceType = 15; HostResource = {'/dev/null'}; };"`,
    );
    expect(add.out).toContain('CIM_ERR_INVALID_PARAMETER');
    expect(add.out).toContain(
      'Cannot change "web1": the image of drive "6" is outside every storage pool: /dev/null',
    );
    const modify = await wbemcli(
      'cm',
      `${base()}:${vsms()}`,
      `ModifyResourceSettings.ResourceSettings="instance of Vessel_ResourceAllocationSettingData { InstanceID = 'Vessel:web1/4'; HostResource = {'${pool}/evil.raw'}; };"`,
    );
    expect(modify.out).toContain('CIM_ERR_INVALID_PARAMETER');
    expect(modify.out).toContain(
      'Cannot change "web1": the image of drive "4" is outside every storage pool',
    );
    expect(modify.out).toContain('(it resolves to /etc/passwd)');
    const info = JSON.parse((await runCli(['vm', 'info', 'web1', '--json', ...s])).stdout);
    const drives = info.definition.devices.filter((d: { image?: string }) => d.image !== undefined);
    expect(drives.map((d: { image: string }) => d.image)).toEqual([join(pool, 'disk.raw')]);
    const names = JSON.parse((await runCli(['vm', 'list', '--json', ...s])).stdout).map(
      (v: { name: string }) => v.name,
    );
    expect(names).toEqual(['web1']);
  });

  it('shows the pools as DSP1047 resource pools with their associations', async () => {
    const pools = await wbemcli('-nl', 'ei', `${base()}:CIM_ResourcePool`);
    expect(pools.code).toBe(0);
    const lab = pools.out
      .split(/\n(?=[^-])/)
      .find((b) => b.includes('InstanceID="Vessel:Pool/Storage/lab"'))!;
    expect(lab).toContain('-ElementName="lab"');
    expect(lab).toContain('-PoolID="Storage/lab"');
    expect(lab).toContain('-Primordial=FALSE');
    expect(lab).toContain('-ResourceType=31');
    expect(lab).toContain('-AllocationUnits="byte"');
    expect(lab).toMatch(/-Capacity=[1-9]\d*/);
    expect(lab).toMatch(/-Reserved=\d+/);
    expect(pools.out).toContain('InstanceID="Vessel:Pool/Storage/default"');
    const path = `${base()}:Vessel_ResourcePool.InstanceID="Vessel:Pool/Storage/lab"`;
    const hosted = await wbemcli('ain', '-ac', 'CIM_HostedResourcePool', path);
    expect(hosted.out).toMatch(/Vessel_HostSystem\.CreationClassName="Vessel_HostSystem",Name=/);
    const caps = await wbemcli('ain', '-ac', 'CIM_ElementCapabilities', path);
    expect(caps.out).toContain(
      'Vessel_AllocationCapabilities.InstanceID="Vessel:AllocationCapabilities/LogicalDisk"',
    );
    const parent = await wbemcli('ain', '-ac', 'CIM_ElementAllocatedFromPool', path);
    expect(parent.out).toContain('Vessel_ResourcePool.InstanceID="Vessel:Pool/LogicalDisk"');
  });

  it('refuses to remove a pool in use, naming the system, and removes it once unused', async () => {
    const busy = await runCli(['pool', 'remove', 'lab', ...s]);
    expect([busy.code, busy.stderr]).toEqual([
      1,
      'vessel: Cannot remove the storage pool "lab": "web1" (drive "4") uses an image in it\n  hint: Undefine those systems, or move their images to another pool and redefine them, first\n',
    ]);
    expect((await runCli(['vm', 'undefine', 'web1', ...s])).code).toBe(0);
    const r = await runCli(['pool', 'remove', 'lab', '--json', ...s]);
    expect([r.code, r.stdout]).toEqual([0, '{"removed":"lab"}\n']);
    const after = JSON.parse((await runCli(['pool', 'list', '--json', ...s])).stdout);
    expect(after.map((p: { id: string }) => p.id)).toEqual(['default']);
    const ghost = await runCli(['pool', 'remove', 'lab', ...s]);
    expect([ghost.code, ghost.stderr]).toEqual([
      1,
      'vessel: No storage pool "lab"\n  hint: The pools are: default\n',
    ]);
  });
});
