import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/cli.js';
import { buildDefinition, imagePath, readDevices, type VirtualSystemDefinition } from '../../model/index.js';
import type { HypervisorError } from '../errors.js';
import { type ArgvContext, buildQemuArgv } from './argv.js';
import type { NetworkConfig } from './devices-argv.js';
import { openHandles, QemuHandles } from './handles.js';
import { QmpClient } from './qmp.js';
import { resolveQemuUser, spawnIdentity } from './sandbox.js';
import type { DriveImage } from './storage-argv.js';

const DIR = join(ROOT, 'test', 'fixtures', 'hypervisor', 'argv');
const UPDATE = process.env.VESSEL_UPDATE_GOLDEN === '1';
const UUID = '00000000-0000-4000-8000-000000000001';

interface Fixture {
  definition: VirtualSystemDefinition;
  networks?: Record<string, NetworkConfig>;
  uefi?: boolean;
}

function fixtures(): [string, Fixture][] {
  const list: [string, Fixture][] = readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Fixture]);
  list.unshift([
    'cli-minimal',
    {
      definition: buildDefinition({
        name: 'web1',
        cpus: 1,
        memoryBytes: 256n << 20n,
        disks: ['/images/web1.raw'],
        cdroms: ['/images/ovf-env.iso'],
        nics: [{ network: 'user' }],
      }),
    },
  ]);
  return list;
}

function context(def: VirtualSystemDefinition, fx: Fixture, run = '/run/vessel/vm'): ArgvContext {
  const images = new Map<string, DriveImage>();
  for (const d of readDevices(def).drives) {
    const base = imagePath(d.hostResource);
    if (d.kind === 'disk' && base !== undefined)
      images.set(d.instanceId, {
        file: `${run}/disk-${d.instanceId}.qcow2`,
        format: 'qcow2',
        base: { file: base, format: 'raw' },
      });
  }
  return {
    uuid: UUID,
    accel: 'tcg',
    qmpSocket: `${run}/qmp.sock`,
    fdSocket: `${run}/fds.sock`,
    handles: new QemuHandles(),
    console: {
      socket: `${run}/console.sock`,
      log: `${run}/console.log`,
      extraLog: (i) => `${run}/serial${i}.log`,
    },
    images,
    networks: new Map(Object.entries(fx.networks ?? {})),
    ...(fx.uefi ? { uefi: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: `${run}/OVMF_VARS.fd` } } : {}),
  };
}

describe('buildQemuArgv() golden files (VESSEL_UPDATE_GOLDEN=1 regenerates)', () => {
  for (const [name, fx] of fixtures()) {
    it(`maps ${name} to the command line in ${name}.argv`, () => {
      const argv = buildQemuArgv(fx.definition, context(fx.definition, fx));
      const text = `${argv.join('\n')}\n`;
      const file = join(DIR, `${name}.argv`);
      if (UPDATE) writeFileSync(file, text);
      expect(existsSync(file), `${file} is missing; run with VESSEL_UPDATE_GOLDEN=1 and review it`).toBe(
        true,
      );
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});

describe('buildQemuArgv() refuses what QEMU cannot do', () => {
  const base = () =>
    buildDefinition({ name: 'x', cpus: 1, memoryBytes: 64n << 20n, nics: [{ network: 'user' }] });
  const fail = (def: VirtualSystemDefinition, fx: Fixture = { definition: def }) => {
    try {
      buildQemuArgv(def, context(def, fx));
    } catch (e) {
      return e as HypervisorError;
    }
    throw new Error('no error');
  };

  it('an unknown NIC model', () => {
    const def = base();
    def.resources.find((r) => r.properties.ResourceType === '10')!.properties.ResourceSubType = 'VmxNet2';
    const e = fail(def);
    expect([e.code, e.message]).toEqual(['NOT_SUPPORTED', 'NIC "3": model "VmxNet2" is not available']);
  });

  it('IDE on q35, UEFI without firmware files, memory that is not whole MiB', () => {
    const q35 = buildDefinition({ name: 'q', cpus: 1, memoryBytes: 64n << 20n, disks: ['/a'] });
    q35.system.VirtualSystemType = 'vessel-q35';
    expect(fail(q35).message).toContain('q35 machine has no IDE controller');
    const efi = base();
    efi.system.Firmware = 'efi';
    expect(fail(efi).message).toBe('UEFI firmware is not installed on this host');
    const odd = buildDefinition({ name: 'o', cpus: 1, memoryBytes: (64n << 20n) + 512n });
    expect(fail(odd).message).toContain('whole MiB');
  });

  it('an unknown SCSI subtype and a CD on NVMe', () => {
    const def = buildDefinition({
      name: 's',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: ['/a'],
      diskBus: 'scsi',
    });
    def.resources.find((r) => r.properties.ResourceType === '6')!.properties.ResourceSubType = 'adaptec';
    expect(fail(def).message).toContain('Unknown controller: SCSI subtype "adaptec"');
    const nv = buildDefinition({
      name: 'n',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: ['/a'],
      diskBus: 'nvme',
    });
    nv.resources.find((r) => r.properties.ResourceType === '17')!.properties.ResourceType = '15';
    expect(fail(nv).message).toContain('cannot sit on an NVMe controller');
  });

  it('names no host path: images, logs and sockets are descriptors the host opens, images read-only', () => {
    const def = buildDefinition({
      name: 'c',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: ['/img/disk,file=/etc/shadow.raw'],
      cdroms: ['/img/a,b.iso'],
    });
    def.resources.push({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: 'fd', ResourceType: '14', HostResource: ['/img/floppy.img'] },
    });
    const ctx = context(def, { definition: def });
    const argv = buildQemuArgv(def, ctx);
    expect(argv.filter((a) => a.includes('/img/') || a.includes('/run/vessel'))).toEqual([]);
    expect(argv.filter((a) => a.includes('/etc/'))).toEqual([]);
    const files = ctx.handles!.list.filter((h) => h.kind === 'file');
    expect(files.map((h) => [h.path, h.access])).toEqual([
      ['/img/disk,file=/etc/shadow.raw', 'read'],
      ['/run/vessel/vm/disk-4.qcow2', 'readwrite'],
      ['/img/a,b.iso', 'read'],
      ['/img/floppy.img', 'read'],
      ['/run/vessel/vm/console.log', 'append'],
    ]);
    // Every fd set is opened read-only by the node that uses it, except the VM's own overlay.
    const nodes = argv.filter((a) => a.startsWith('{')).map((a) => JSON.parse(a) as Record<string, unknown>);
    const fileNodes = nodes.filter((n) => n.driver === 'file');
    expect(fileNodes.map((n) => [n.filename, n['read-only'] ?? false])).toEqual([
      ['/dev/fdset/1', true],
      ['/dev/fdset/2', false],
      ['/dev/fdset/3', true],
      ['/dev/fdset/4', true],
    ]);
    // The base is its own read-only node under the overlay: QEMU never follows the overlay's backing name.
    expect(nodes.find((n) => n['node-name'] === 'drive-4')).toMatchObject({ backing: 'drive-4-base' });
    expect(argv.slice(0, 2)).toEqual([
      '-sandbox',
      'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
    ]);
  });
});

describe('the golden command lines start a real QEMU', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vessel-argv-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const [name, fx] of fixtures()) {
    it(`QEMU accepts ${name} as its confined user and reaches QMP, paused before the guest runs`, async () => {
      const run = mkdtempSync(join(tmp, `${name.slice(0, 6)}-`));
      const def = structuredClone(fx.definition);
      // Point every image at a real file, and bridges at user-mode (no bridge helper here).
      for (const r of def.resources) {
        const p = imagePath(r.properties.HostResource?.[0]);
        if (p === undefined) continue;
        const file = join(run, `img-${r.properties.InstanceID}.raw`);
        writeFileSync(file, Buffer.alloc(1 << 20));
        r.properties.HostResource = [file];
      }
      const networks = Object.fromEntries(
        Object.entries(fx.networks ?? {}).map(([k, v]) => [
          k,
          v.mode === 'bridge' ? { mode: 'user' as const } : v,
        ]),
      );
      const ctx = context(def, { ...fx, networks }, run);
      for (const img of ctx.images.values()) {
        execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', img.file, '16M']);
      }
      if (fx.uefi) copyFileSync('/usr/share/OVMF/OVMF_VARS_4M.fd', `${run}/OVMF_VARS.fd`);
      const argv = buildQemuArgv(def, ctx);
      // The run directory is 0700 and the host's: QEMU (as vessel-qemu when the test runs as root) reaches
      // nothing in it by path, only through what openHandles gives it.
      const opened = await openHandles(ctx.handles!);
      const user = spawnIdentity(await resolveQemuUser('vessel-qemu', false));
      const child = spawn('qemu-system-x86_64', [...argv, '-S'], {
        stdio: ['ignore', 'ignore', 'pipe', ...opened.stdio.slice(3)],
        ...user,
      });
      opened.close();
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const qmp = await Promise.race([
          QmpClient.connect(ctx.qmpSocket),
          exited.then(() => Promise.reject(new Error(`QEMU exited: ${stderr}`))),
        ]);
        expect(await qmp.execute<{ status: string }>('query-status')).toMatchObject({ status: 'prelaunch' });
        await qmp.execute('quit');
        expect(await exited).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});
