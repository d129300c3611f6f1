import { describe, expect, it } from 'vitest';
import {
  FAKE_BUG_CASES,
  FAKE_DECLARATIONS,
  FAKE_FIXTURES,
  type FakeBug,
  fakeApi,
} from './conformance/fake.case.test.js';
import type { ApiCaseId } from './conformance/types.case.test.js';
import {
  API_CASES,
  checkUnsupported,
  declarationProblems,
  planCases,
  runApiConformance,
  runCase,
} from './conformance.case.test.js';

/**
 * A test of the conformance runner itself, not of any part of Vessel. The runner is run against the in-memory
 * fake of the Api (conformance/fake.case.test.ts): it shows that the cases pass on an Api that keeps the
 * contract, and that each case fails on one that breaks it (a fake with one planted bug). The real subjects
 * (in-process host, socket, CIM-XML client) call runApiConformance from their own tests.
 */

const fixtures = FAKE_FIXTURES;
const open =
  (bugs: FakeBug[] = []) =>
  async () => {
    const api = fakeApi(new Set(bugs));
    return { api, close: () => api.close() };
  };

runApiConformance({
  label: 'runner self-test on an in-memory fake (not a Vessel part)',
  open: open(),
  fixtures,
  ...FAKE_DECLARATIONS,
});

const caseOf = (id: ApiCaseId) => API_CASES.find((c) => c.id === id)!;
async function runOn(id: ApiCaseId, bugs: FakeBug[]): Promise<void> {
  const s = await open(bugs)();
  try {
    await runCase(caseOf(id), s, fixtures);
  } finally {
    await s.close();
  }
}

describe('the API conformance runner itself', () => {
  it.each(FAKE_BUG_CASES)('fails %s on an Api with the bug %s', async (id, bug, why) => {
    await expect(runOn(id, [])).resolves.toBeUndefined();
    await expect(runOn(id, [bug])).rejects.toThrow(why);
  });

  it('fails an unsupported declaration whose probe succeeds', async () => {
    await expect(checkUnsupported(caseOf('events.replay'), fakeApi())).rejects.toThrow(/probe succeeded/);
    await expect(checkUnsupported(caseOf('users.crud'), fakeApi())).resolves.toBeUndefined();
  });

  it('asks for undeclared skips and flags stale ones', async () => {
    const caps = await fakeApi().host.capabilities();
    const undeclared = declarationProblems(planCases({}), caps, {});
    expect(undeclared).toContain(
      'users.crud: the capabilities say this host cannot; declare the skip or the case unsupported',
    );
    expect(undeclared).toContain(
      'jobs.cancel: needs fixtures.guestIgnoringShutdown; provide it or declare the skip',
    );
    const stale = declarationProblems(
      planCases({
        skip: [{ cases: ['events.replay'], reason: 'r' }],
        unsupported: [{ cases: ['systems.metadata'], reason: 'r' }],
      }),
      { ...caps, features: { ...caps.features, metadata: true } },
      fixtures,
    );
    expect(stale).toContain(
      'events.replay: skipped, but the capabilities say supported and the fixtures are there (stale skip)',
    );
    expect(stale).toContain(
      'systems.metadata: declared unsupported, but the capabilities say supported (stale)',
    );
  });

  it('refuses declarations that cannot be right', () => {
    expect(() => planCases({ skip: [{ cases: ['nope' as ApiCaseId], reason: 'r' }] })).toThrow(/Unknown/);
    expect(() => planCases({ skip: [{ cases: ['jobs.wait'], reason: ' ' }] })).toThrow(/no reason/);
    expect(() =>
      planCases({
        skip: [{ cases: ['jobs.wait'], reason: 'a' }],
        unsupported: [{ cases: ['jobs.wait'], reason: 'b' }],
      }),
    ).toThrow(/twice/);
    expect(() => planCases({ unsupported: [{ cases: ['systems.crud'], reason: 'r' }] })).toThrow(/no probe/);
  });
});
