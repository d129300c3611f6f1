import { chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { ensureTestGuest } from '../guest.js';
import { runLibvirtQemuConformance } from './qemu-subject.case.test.js';

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
  runLibvirtQemuConformance({
    mode: 'session',
    label: 'libvirt:qemu:///session (private libvirtd, TCG, real guest)',
    daemon: () => daemon!,
    guest: () => guest!,
    dir,
    disk,
    hotDisk,
  });
});
