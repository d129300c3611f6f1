import { runDriverConformance } from '../conformance/runner.case.test.js';
import { ensureTestGuest } from '../guest.js';
import { openDriver } from '../index.js';
import { requireOperation } from '../operations.js';

/**
 * The conformance cases on the embedded QEMU driver with the real TCG test guest (the "stay" guest runs a shell
 * and powers off on the ACPI button). The lifecycle case boots it three times; hot-plug and adoption once each.
 */
const guest = await ensureTestGuest();

runDriverConformance({
  label: 'qemu:///embed (TCG, real guest)',
  open: ({ stateDir }) => openDriver('qemu:///embed?accel=tcg', { stateDir }),
  guest: {
    disk: guest.stayDisk,
    shutdownTimeoutMs: 30_000,
    waitReady: async (d, uuid, count) => {
      const con = await requireOperation(d, 'console')(uuid);
      const end = Date.now() + 60_000;
      while ((await con.readLog()).split(guest.markers.ready).length - 1 < count) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${guest.markers.ready} x${count}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  },
  skip: [
    {
      cases: ['inventory.external'],
      reason: "the host's store owns the inventory: the host loads every definition into QEMU at start",
    },
  ],
});
