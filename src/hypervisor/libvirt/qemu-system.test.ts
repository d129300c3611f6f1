import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  CAN_RUN_SYSTEM_LIBVIRTD,
  type PrivateLibvirtd,
  startLibvirtd,
} from '../../../test/helpers/libvirtd.js';
import { ensureTestGuest } from '../guest.js';
import { runLibvirtQemuConformance } from './qemu-subject.case.test.js';

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
  runLibvirtQemuConformance({
    mode: 'system',
    label: 'libvirt:qemu:///system (root libvirtd, TCG, real guest)',
    daemon: () => daemon!,
    guest: () => guest!,
    dir,
    disk,
    hotDisk,
  });
});
