import { vi } from 'vitest';
import { runApiConformance } from '../../api/conformance.case.test.js';
import { smallOva } from './fixtures.case.test.js';
import { localSubject } from './subject.case.test.js';

/**
 * The API conformance runner against the in-process session of a local host on the embedded QEMU driver under
 * TCG: every system a case starts is a real QEMU process. The cases define small diskless systems (64 MiB, one
 * NIC): their guest is the firmware (SeaBIOS, then the NIC's boot ROM), which has no operating system to answer
 * the ACPI power button. That makes every one of them a guest that ignores shutdown, as `guestIgnoringShutdown`
 * asks; `state.operations`' own shutdown ends in the host's forced power-off after its default 60 s.
 */
vi.setConfig({ testTimeout: 240_000 });

runApiConformance({
  label: 'in-process host on qemu:///embed (TCG)',
  open: localSubject('qemu:///embed?accel=tcg'),
  fixtures: { guestIgnoringShutdown: (def) => def, smallOva },
});
