import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hostWith } from '../../../test/fixtures/export/system.js';
import type { Host } from '../host.js';

/**
 * Opt-in (it takes minutes): an OVA exported by Vessel is accepted by `virt-v2v -i ova` (Debian's virt-v2v 2.2),
 * which parses the descriptor, checks the manifest, opens the streamOptimized disk, inspects the guest and
 * converts it. virt-v2v converts real operating systems only, so it needs a bootable OS disk; and libguestfs needs
 * the environment of ../shared/notes/runtime.md §4 on this machine (a Debian kernel for supermin, TCG):
 *
 *   apt-get install --no-install-recommends virt-v2v libguestfs-tools nbdkit libnbd-bin debootstrap
 *   (Debian's virt-v2v 2.2 declares neither nbdkit nor libnbd-bin, whose nbdcopy/nbdinfo it runs to copy disks)
 *   mkdir -p /lib/modules; apt-get download linux-image-6.1.0-56-cloud-amd64; dpkg-deb -x linux-image-*.deb kernel
 *   depmod -b kernel 6.1.0-56-cloud-amd64
 *   export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg SUPERMIN_KERNEL=kernel/boot/vmlinuz-...
 *     SUPERMIN_MODULES=kernel/lib/modules/... SUPERMIN_KERNEL_VERSION=6.1.0-56-cloud-amd64
 *   debootstrap --variant=minbase --include=linux-image-cloud-amd64,initramfs-tools,grub2-common,grub-pc-bin,udev
 *     bookworm rootfs (+ /etc/fstab with LABEL=root and /boot/grub/grub.cfg)
 *   virt-make-fs --format=raw --partition=mbr --type=ext4 --label=root --size=+400M rootfs debian.raw
 *
 * then run with VESSEL_V2V_DISK=/path/debian.raw (and optionally VESSEL_V2V_TARGET=vmware|virtualbox|generic).
 */
const disk = process.env.VESSEL_V2V_DISK;
const target = (process.env.VESSEL_V2V_TARGET ?? 'generic') as 'generic' | 'vmware' | 'virtualbox';
const run = promisify(execFile);

describe.skipIf(disk === undefined)(
  'virt-v2v -i ova accepts an OVA exported by Vessel (VESSEL_V2V_DISK)',
  () => {
    let root = '';
    let host: Host | undefined;
    afterAll(async () => {
      await host?.close();
      if (root !== '') rmSync(root, { recursive: true, force: true });
    });

    it(
      'converts the exported guest to local qcow2',
      async () => {
        root = mkdtempSync(join(tmpdir(), 'vessel-v2v-'));
        const made = await hostWith(join(root, 'state'), {
          name: 'debian12',
          cpus: 1,
          memoryBytes: 1n << 30n,
          disks: [disk!],
          nics: [{ network: 'user', model: 'virtio' }],
        });
        host = made.host;
        const ova = join(root, 'debian12.ova');
        await host.exportVm('debian12', { format: 'ova', output: ova, target }).done;
        const out = join(root, 'out');
        mkdirSync(out);
        const r = await run('virt-v2v', ['-i', 'ova', ova, '-o', 'local', '-os', out, '-of', 'qcow2'], {
          timeout: 30 * 60_000,
          maxBuffer: 64 << 20,
        }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
          throw new Error(`virt-v2v failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
        });
        expect(r.stdout).toMatch(/Converting .* to run on KVM/);
        const files = readdirSync(out);
        expect(files).toContain('debian12-sda');
        expect(existsSync(join(out, 'debian12.xml'))).toBe(true);
        const info = JSON.parse(
          (await run('qemu-img', ['info', '--output=json', join(out, 'debian12-sda')])).stdout,
        );
        expect(info.format).toBe('qcow2');
      },
      35 * 60_000,
    );
  },
);
