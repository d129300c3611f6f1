import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrivateLibvirtd } from '../../../test/helpers/libvirtd.js';
import { runDriverConformance } from '../conformance/runner.case.test.js';
import type { TestGuest } from '../guest.js';
import { domainXml, openDriver } from '../index.js';
import { requireOperation } from '../operations.js';

/** Where a libvirt QEMU conformance run gets its daemon, guest and files (filled in by its beforeAll). */
export interface LibvirtQemuSubject {
  /** `session` (a private unprivileged daemon) or `system` (a root daemon, guests as libvirt-qemu). */
  mode: 'session' | 'system';
  label: string;
  daemon: () => PrivateLibvirtd;
  guest: () => TestGuest;
  /** The folder the disks and the external definitions live in. */
  dir: string;
  disk: string;
  hotDisk: string;
}

/**
 * The driver conformance cases on libvirt's QEMU driver with the real TCG test guest: ready when the guest's
 * marker shows on its serial console (over a libvirt stream), systems defined behind the driver's back with virsh.
 *
 * @example
 * runLibvirtQemuConformance({ mode: 'session', label, daemon: () => d!, guest: () => g!, dir, disk, hotDisk });
 */
export function runLibvirtQemuConformance(s: LibvirtQemuSubject): void {
  const uri = () => `qemu+unix:///${s.mode}?socket=${s.daemon().socket}`;
  runDriverConformance({
    label: s.label,
    open: () => openDriver(`libvirt:qemu:///${s.mode}?socket=${s.daemon().socket}`),
    guest: {
      disk: s.disk,
      hotDisk: s.hotDisk,
      shutdownTimeoutMs: 30_000,
      waitReady: async (d, uuid, count) => {
        const ready = s.guest().markers.ready;
        const con = await requireOperation(d, 'console')(uuid);
        const end = Date.now() + 60_000;
        while ((await con.readLog()).split(ready).length - 1 < count) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${ready} x${count}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    },
    external: {
      async define(def) {
        const file = join(s.dir, `${def.system.ElementName}.xml`);
        writeFileSync(file, domainXml(def, 'qemu').xml);
        await s.daemon().virsh(uri(), 'define', file);
      },
    },
  });
}
