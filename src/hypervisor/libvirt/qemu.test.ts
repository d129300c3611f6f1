import { chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { runDriverConformance } from '../conformance/runner.case.test.js';
import { ensureTestGuest } from '../guest.js';
import { domainXml, openDriver } from '../index.js';
import { requireOperation } from '../operations.js';

/**
 * The conformance cases on libvirt's QEMU driver (qemu:///session of a private, unprivileged libvirtd) with the
 * real TCG test guest: domains are written with type='qemu', its serial console comes over a libvirt stream.
 */
const guest = HAVE_LIBVIRTD ? await ensureTestGuest() : undefined;
const dir = mkdtempSync(join(tmpdir(), 'vessel-libvirt-qemu-'));
const disk = join(dir, 'guest-stay.raw');
const hotDisk = join(dir, 'hot.raw');
let daemon: PrivateLibvirtd | undefined;

beforeAll(async () => {
  daemon = await startLibvirtd();
  copyFileSync(guest!.stayDisk, disk);
  writeFileSync(hotDisk, Buffer.alloc(1 << 20));
  // The daemon and its QEMU run as the daemon's user (vessel-qemu when the tests run as root).
  const owner = (await import('node:fs')).statSync(daemon.dir);
  chownSync(dir, owner.uid, owner.gid);
  chownSync(disk, owner.uid, owner.gid);
  chownSync(hotDisk, owner.uid, owner.gid);
});
afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAVE_LIBVIRTD)('libvirt driver on QEMU (TCG)', () => {
  runDriverConformance({
    label: 'libvirt:qemu:///session (private libvirtd, TCG, real guest)',
    open: () => openDriver(`libvirt:qemu:///session?socket=${daemon!.socket}`),
    guest: {
      disk,
      hotDisk,
      shutdownTimeoutMs: 30_000,
      waitReady: async (d, uuid, count) => {
        const con = await requireOperation(d, 'console')(uuid);
        const end = Date.now() + 60_000;
        while ((await con.readLog()).split(guest!.markers.ready).length - 1 < count) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${guest!.markers.ready} x${count}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    },
    external: {
      async define(def) {
        const file = join(dir, `${def.system.ElementName}.xml`);
        (await import('node:fs')).writeFileSync(file, domainXml(def, 'qemu').xml);
        await daemon!.virsh(`qemu+unix:///session?socket=${daemon!.socket}`, 'define', file);
      },
    },
  });
});
