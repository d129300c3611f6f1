import { runApiConformance } from '../../api/conformance.case.test.js';
import { TEST_GUEST_IGNORES_SHUTDOWN } from '../../hypervisor/index.js';
import { smallOva } from './fixtures.case.test.js';
import { localSubject } from './subject.case.test.js';

/**
 * The API conformance runner against the in-process session of a local host on the test driver (and, in
 * conformance-qemu.test.ts, on the embedded QEMU driver under TCG).
 */
runApiConformance({
  label: 'in-process host on test:///default',
  open: localSubject('test:///default'),
  fixtures: {
    guestIgnoringShutdown: (def) => ({
      ...def,
      system: { ...def.system, [TEST_GUEST_IGNORES_SHUTDOWN]: 'true' },
    }),
    smallOva,
  },
});
