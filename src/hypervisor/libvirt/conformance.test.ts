import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { runDriverConformance } from '../conformance/runner.case.test.js';
import { domainXml, openDriver } from '../index.js';

/**
 * The driver conformance cases on libvirt:test:///default, through a private libvirtd's socket (its test driver:
 * domains, states and events are libvirt's own; no guest code runs). `inventory.external` defines with virsh.
 */
const dir = mkdtempSync(join(tmpdir(), 'vessel-conf-libvirt-'));
const disk = join(dir, 'disk.raw');
const fd = openSync(disk, 'w');
ftruncateSync(fd, 1 << 20);
closeSync(fd);

let daemon: PrivateLibvirtd | undefined;
beforeAll(async () => {
  daemon = await startLibvirtd();
});
afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAVE_LIBVIRTD)('libvirt driver', () => {
  const uri = () => `libvirt:test:///default?socket=${daemon!.socket}`;
  runDriverConformance({
    label: 'libvirt:test:///default (private libvirtd)',
    open: () => openDriver(uri()),
    guest: { disk, waitReady: async () => undefined, shutdownTimeoutMs: 5000 },
    external: {
      async define(def) {
        const file = join(dir, `${def.system.ElementName}.xml`);
        writeFileSync(file, domainXml(def, 'test').xml);
        await daemon!.virsh(daemon!.testUri, 'define', file);
      },
    },
    skip: [
      {
        cases: ['hotplug.disk', 'hotplug.nic'],
        reason:
          "libvirt's test driver attaches no devices, so the driver offers no hot-plug on test:///; it runs on qemu:///session with a real guest (hotplug.test.ts)",
      },
    ],
  });
});
