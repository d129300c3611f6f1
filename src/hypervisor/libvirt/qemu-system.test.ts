import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  CAN_RUN_SYSTEM_LIBVIRTD,
  type PrivateLibvirtd,
  startLibvirtd,
} from '../../../test/helpers/libvirtd.js';
import { runDriverConformance } from '../conformance/runner.case.test.js';
import { ensureTestGuest } from '../guest.js';
import { domainXml, openDriver } from '../index.js';
import { requireOperation } from '../operations.js';

/**
 * The conformance cases on libvirt's system QEMU driver (`qemu:///system` of a root libvirtd, its guests running as
 * libvirt-qemu), with the real TCG test guest, as an administrator's libvirt host runs them. It runs where no
 * system libvirtd runs already (CI, a fresh machine), starting one with its sockets in a private directory and
 * leaving the domains it found as they were; the other libvirt tests use private unprivileged daemons.
 */
const guest = CAN_RUN_SYSTEM_LIBVIRTD ? await ensureTestGuest() : undefined;
const dir = mkdtempSync(join(tmpdir(), 'vessel-libvirt-system-'));
const disk = join(dir, 'guest-stay.raw');
const hotDisk = join(dir, 'hot.raw');
let daemon: PrivateLibvirtd | undefined;

beforeAll(async () => {
  if (!CAN_RUN_SYSTEM_LIBVIRTD) return;
  daemon = await startLibvirtd({ system: true });
  // QEMU runs as libvirt-qemu: libvirt gives it the images (dynamic ownership); it must reach their folder.
  chmodSync(dir, 0o755);
  copyFileSync(guest!.stayDisk, disk);
  writeFileSync(hotDisk, Buffer.alloc(1 << 20));
}, 60_000);
afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!CAN_RUN_SYSTEM_LIBVIRTD)('libvirt driver on qemu:///system (TCG)', () => {
  const uri = () => `qemu+unix:///system?socket=${daemon!.socket}`;
  runDriverConformance({
    label: 'libvirt:qemu:///system (root libvirtd, TCG, real guest)',
    open: () => openDriver(`libvirt:qemu:///system?socket=${daemon!.socket}`),
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
        writeFileSync(file, domainXml(def, 'qemu').xml);
        await daemon!.virsh(uri(), 'define', file);
      },
    },
  });
});
