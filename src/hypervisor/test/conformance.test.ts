import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runDriverConformance } from '../conformance/runner.case.test.js';
import { openDriver } from '../index.js';

/** The test driver runs the conformance cases twice: as a mirror of the host's store, and owning its inventory. */
const dir = mkdtempSync(join(tmpdir(), 'vessel-conf-test-'));
const disk = join(dir, 'disk.raw');
const fd = openSync(disk, 'w');
ftruncateSync(fd, 1 << 20); // the driver reads no guest; a 1 MiB raw image stands in
closeSync(fd);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const guest = { disk, waitReady: async () => undefined, shutdownTimeoutMs: 1000 };
const noAdoption = {
  cases: ['adopt.after-close'] as const,
  reason: 'its guests live in the driver object: nothing keeps running once it is closed',
};

runDriverConformance({
  label: 'test:///default',
  open: ({ stateDir }) => openDriver('test:///default', { stateDir }),
  guest,
  skip: [noAdoption, { cases: ['inventory.external'], reason: "the host's store owns the inventory" }],
});

runDriverConformance({
  label: 'test:///default?owns=1',
  open: ({ stateDir }) => openDriver('test:///default?owns=1', { stateDir }),
  guest,
  // Behind the driver's back: another driver on the same state directory writes the inventory, as virsh would.
  external: {
    async define(def, { stateDir }) {
      const other = await openDriver('test:///default?owns=1', { stateDir });
      await other.define(def);
      await other.close();
    },
  },
  skip: [noAdoption],
});
