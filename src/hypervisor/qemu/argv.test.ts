import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/cli.js';
import { buildDefinition, imagePath, readHardware, type VirtualSystemDefinition } from '../../model/index.js';
import type { HypervisorError } from '../errors.js';
import { type ArgvContext, buildQemuArgv } from './argv.js';
import type { NetworkConfig } from './devices-argv.js';
import { QmpClient } from './qmp.js';
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
  for (const d of readHardware(def.resources).drives) {
    if (d.kind === 'disk')
      images.set(d.instanceId, { file: `${run}/disk-${d.instanceId}.qcow2`, format: 'qcow2' });
  }
  return {
    uuid: UUID,
    accel: 'tcg',
    qmpSocket: `${run}/qmp.sock`,
    pidFile: `${run}/qemu.pid`,
    console: {
      socket: `${run}/console.sock`,
      log: `${run}/console.log`,
      extraLog: (i) => `${run}/serial${i}.log`,
    },
    images,
    networks: new Map(Object.entries(fx.networks ?? {})),
    vncDisplay: 7,
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

  it('escapes commas in paths the QEMU way', () => {
    const def = buildDefinition({ name: 'c', cpus: 1, memoryBytes: 64n << 20n, cdroms: ['/img/a,b.iso'] });
    const argv = buildQemuArgv(def, context(def, { definition: def }));
    expect(argv).toContain('file=/img/a,,b.iso,format=raw,if=none,id=drive-4,media=cdrom,readonly=on');
  });
});

describe('the golden command lines start a real QEMU', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vessel-argv-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const [name, fx] of fixtures()) {
    if (fx.uefi) continue; // no OVMF on this machine; the refusal is tested above
    it(`QEMU accepts ${name} and reaches QMP, paused before the guest runs`, async () => {
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
      const child = spawn('qemu-system-x86_64', [...buildQemuArgv(def, ctx), '-S'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const qmp = await connectWhenReady(ctx.qmpSocket, exited, () => stderr);
        expect(await qmp.execute<{ status: string }>('query-status')).toMatchObject({ status: 'prelaunch' });
        await qmp.execute('quit');
        expect(await exited).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});

async function connectWhenReady(
  socket: string,
  exited: Promise<number | null>,
  stderr: () => string,
): Promise<QmpClient> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  for (let i = 0; i < 200; i++) {
    if (done) throw new Error(`QEMU exited: ${stderr()}`);
    if (existsSync(socket)) return QmpClient.connect(socket);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no QMP socket: ${stderr()}`);
}
