import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../model/index.js';
import { testCapabilities } from '../test/capabilities.js';
import { DRIVER_CASES, skipVerdict } from './runner.case.test.js';
import type { DriverConformanceOptions } from './types.case.test.js';

const caps = testCapabilities({
  uri: 'test:///default',
  ownsInventory: false,
  limits: DEFAULT_LIMITS,
  operations: [],
});
const guest = { disk: '/dev/null', waitReady: async () => undefined, shutdownTimeoutMs: 1 };
const opts = (skip: DriverConformanceOptions['skip']): DriverConformanceOptions => ({
  label: 'subject',
  open: () => Promise.reject(new Error('not opened in this test')),
  guest,
  ...(skip ? { skip } : {}),
});
const byId = (id: string) => DRIVER_CASES.find((c) => c.id === id)!;

describe('skipVerdict()', () => {
  it('fails a case the driver cannot run unless its skip is declared, and then skips it with the reason', () => {
    const adopt = byId('adopt.after-close'); // the test driver's capabilities say: no adoption
    expect(skipVerdict(adopt, opts(undefined), caps, ['adopt', 'start'])).toEqual({
      error:
        'adopt.after-close: subject cannot run this case (adoption of running systems by a new driver): declare the skip',
    });
    const declared = opts([{ cases: ['adopt.after-close'], reason: 'in-process guests' }]);
    expect(skipVerdict(adopt, declared, caps, ['adopt', 'start'])).toEqual({
      run: false,
      reason: 'in-process guests',
    });
  });

  it('fails a skip the driver does not need (a stale skip), and runs cases without requirements', () => {
    const stale = opts([{ cases: ['define.lookup', 'hotplug.nic'], reason: 'old habit' }]);
    expect(skipVerdict(byId('define.lookup'), stale, caps, [])).toEqual({
      error: 'define.lookup: stale skip ("old habit"): subject has what the case needs',
    });
    expect(
      skipVerdict(byId('hotplug.nic'), stale, caps, ['attachDevice', 'detachDevice', 'start']),
    ).toMatchObject({
      error: expect.stringMatching(/^hotplug\.nic: stale skip/),
    });
    expect(skipVerdict(byId('hotplug.nic'), stale, caps, ['start'])).toEqual({
      run: false,
      reason: 'old habit',
    });
    expect(skipVerdict(byId('define.refusals'), opts(undefined), caps, [])).toEqual({ run: true });
  });

  it('has one case per id', () => {
    const ids = DRIVER_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(13);
  });
});
