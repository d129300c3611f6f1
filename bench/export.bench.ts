/**
 * `vessel export` of a system with a 2 GiB disk to OVA, against the by-hand path in the same run: `qemu-img
 * convert -O vmdk -o subformat=streamOptimized` of the same image chain, `sha256sum` of the descriptor and disk,
 * `tar cf` (issue 6 aims for at most 0.3x its time). The system is defined on a host with the in-memory test
 * driver; its disk is the qcow2 overlay the QEMU driver makes at first start, over a 2 GiB raw base (two thirds
 * copies of /usr binaries, the rest zeros), with 64 MiB written to the overlay, so the export flattens a real
 * chain. A second measurement exports the same system before it ever ran (the base read directly). Data in /tmp,
 * deleted afterwards. Run once each.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Host } from '../src/host/index.js';
import { ensureOverlay } from '../src/hypervisor/index.js';
import { buildDefinition, readDevices } from '../src/model/index.js';
import { writeSampleDisk } from './data.js';
import { type BenchResult, type BenchSuite, timeMs } from './harness.js';

const SIZE = 2 * 1024 ** 3;

/** Writes a 2 GiB raw disk: two thirds copies of /usr/bin and /usr/lib files (compressible code), then zeros. */
function writeRawDisk(path: string): void {
  writeSampleDisk(path, SIZE, Math.floor((SIZE * 2) / 3));
}

/** The by-hand export of `image`: streamOptimized VMDK with qemu-img, sha256sum, tar (ustar, .ovf first). */
function byHand(dir: string, image: string): number {
  const pkg = join(dir, 'hand');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'vm.ovf'), '<Envelope/>\n');
  const vmdk = join(pkg, 'disk1.vmdk');
  execFileSync('qemu-img', ['convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized', image, vmdk]);
  const sums = execFileSync('sha256sum', [join(pkg, 'vm.ovf'), vmdk], { encoding: 'utf8' });
  writeFileSync(join(pkg, 'vm.mf'), sums);
  execFileSync('tar', [
    'cf',
    join(dir, 'hand.ova'),
    '--format=ustar',
    '-C',
    pkg,
    'vm.ovf',
    'vm.mf',
    'disk1.vmdk',
  ]);
  const size = statSync(join(dir, 'hand.ova')).size;
  rmSync(pkg, { recursive: true, force: true });
  rmSync(join(dir, 'hand.ova'), { force: true });
  return size;
}

export const suite: BenchSuite = {
  name: 'export',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-bench-export-'));
    let host: Host | undefined;
    try {
      const base = join(dir, 'base.raw');
      writeRawDisk(base);
      const state = join(dir, 'state');
      // The QEMU driver (nothing is started): its diskImages reports the overlay an export reads once the system ran.
      host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
      host.pools.add('bench', dir);
      const vm = await host.define(
        buildDefinition({
          name: 'bench',
          cpus: 1,
          memoryBytes: 256n << 20n,
          disks: [base],
          nics: [{ network: 'user' }],
        }),
      );

      // Before the system ever ran: the export reads the raw base itself.
      const fresh = join(dir, 'fresh.ova');
      const freshMs = await timeMs(() => host!.exportVm('bench', { format: 'ova', output: fresh }).done);
      const freshBytes = statSync(fresh).size;
      rmSync(fresh, { force: true });
      const handBaseMs = await timeMs(async () => byHand(dir, base));

      // After it ran: the overlay the QEMU driver made, with 64 MiB the guest wrote.
      const diskId = readDevices(host.get(vm.uuid).definition).drives[0]!.instanceId;
      const vmDir = join(state, 'vms', vm.uuid);
      mkdirSync(vmDir, { recursive: true });
      const { file: overlay } = await ensureOverlay(vmDir, diskId, base);
      execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 100M 64M', overlay], { stdio: 'ignore' });
      const out = join(dir, 'bench.ova');
      const exportMs = await timeMs(() => host!.exportVm('bench', { format: 'ova', output: out }).done);
      const exportBytes = statSync(out).size;
      if (!(await host.driver.diskImages!(vm.uuid))[0]!.source.chain)
        throw new Error('the export did not read the overlay chain');
      rmSync(out, { force: true });
      let handBytes = 0;
      const handMs = await timeMs(async () => {
        handBytes = byHand(dir, overlay);
      });
      return [
        {
          name: 'vessel export, 2 GiB disk as overlay chain -> OVA (time)',
          value: exportMs / 1000,
          unit: 's',
          baseline: { name: 'qemu-img convert + sha256sum + tar', value: handMs / 1000 },
          target: '<= 0.3x',
          notes: `OVA ${(exportBytes / 1e6).toFixed(0)} MB vs ${(handBytes / 1e6).toFixed(0)} MB`,
        },
        {
          name: 'vessel export, 2 GiB raw disk never run -> OVA (time)',
          value: freshMs / 1000,
          unit: 's',
          baseline: { name: 'qemu-img convert + sha256sum + tar', value: handBaseMs / 1000 },
          target: '<= 0.3x',
          notes: `OVA ${(freshBytes / 1e6).toFixed(0)} MB`,
        },
      ];
    } finally {
      await host?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
