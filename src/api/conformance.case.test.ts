import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { Api } from './api.js';
import type { Capabilities } from './capabilities.js';
import { JOB_CASES } from './conformance/cases-jobs.case.test.js';
import { OTHER_CASES } from './conformance/cases-other.case.test.js';
import { STATE_CASES } from './conformance/cases-state.case.test.js';
import { SYSTEM_CASES } from './conformance/cases-systems.case.test.js';
import { namer } from './conformance/helpers.case.test.js';
import {
  API_CASE_IDS,
  type ApiCase,
  type ApiCaseId,
  type ApiFixtures,
  type ApiSubject,
} from './conformance/types.case.test.js';
import { ApiError } from './errors.js';

/**
 * The API conformance runner, as hono's shared router tests: every subject that carries the Api (the in-process
 * host, the unix socket, the CIM-XML client, later WS-Man and REST) calls {@link runApiConformance} from its own
 * test file with its stated skips, and gets the same cases. Conventions: runners and their cases are
 * `*.case.test.ts` (vitest does not collect them, the build leaves them out, only tests import them); a subject's
 * file is an ordinary `*.test.ts`.
 *
 * A case whose capability is false must be declared, as skipped or unsupported (else "declare the skip"); a
 * declared case whose capability is true fails ("stale skip"), so no skip is silent and none outlives its reason.
 * An unsupported case is not skipped: its probe must throw NOT_SUPPORTED.
 *
 * @example
 * // src/host/api.conformance.test.ts
 * runApiConformance({
 *   label: 'in-process host on test:///',
 *   open: async () => { const h = await LocalHost.open({ stateDir, driverUri: 'test:///default' });
 *                       return { api: h.session(LOCAL_ADMIN), close: () => h.close() }; },
 *   fixtures: { guestIgnoringShutdown: markDeaf, smallOva },
 * });
 */

export type { ApiCaseId, ApiFixtures, ApiSubject } from './conformance/types.case.test.js';

/** Every case, in the order the runner registers them. */
export const API_CASES: readonly ApiCase[] = [...SYSTEM_CASES, ...STATE_CASES, ...JOB_CASES, ...OTHER_CASES];

/** Cases a subject declares skipped or unsupported, and why. */
export interface CaseDeclaration {
  cases: readonly ApiCaseId[];
  reason: string;
}

/** How a subject runs the cases. */
export interface ApiConformanceOptions {
  label: string;
  /** A fresh host (empty store, test driver) behind the transport under test; called once per case. */
  open(): Promise<ApiSubject>;
  fixtures?: ApiFixtures;
  /** Cases not run, with the reason. */
  skip?: readonly CaseDeclaration[];
  /** Cases this transport cannot carry: their probe must throw NOT_SUPPORTED. */
  unsupported?: readonly CaseDeclaration[];
}

/** What the runner does with one case. */
export type CasePlan = { kind: 'run' } | { kind: 'skip' | 'unsupported'; reason: string };

/**
 * The plan per case, from the declarations; throws on a declaration that cannot be right (unknown id, a case
 * declared twice, an empty reason, an unsupported case without a probe).
 *
 * @example
 * planCases({ unsupported: [{ cases: ['users.crud'], reason: 'CIM-XML has no user management' }] });
 */
export function planCases(o: Pick<ApiConformanceOptions, 'skip' | 'unsupported'>): Map<ApiCaseId, CasePlan> {
  const plan = new Map<ApiCaseId, CasePlan>(API_CASE_IDS.map((id) => [id, { kind: 'run' }]));
  const declare = (kind: 'skip' | 'unsupported', list: readonly CaseDeclaration[] = []) => {
    for (const d of list) {
      if (d.reason.trim() === '')
        throw new Error(`A ${kind} declaration of ${d.cases.join(', ')} gives no reason`);
      for (const id of d.cases) {
        const now = plan.get(id);
        if (now === undefined) throw new Error(`Unknown API conformance case "${id}"`);
        if (now.kind !== 'run') throw new Error(`Case "${id}" is declared twice`);
        if (kind === 'unsupported' && API_CASES.find((c) => c.id === id)?.probe === undefined) {
          throw new Error(`Case "${id}" has no probe: it cannot be declared unsupported, only skipped`);
        }
        plan.set(id, { kind, reason: d.reason });
      }
    }
  };
  declare('skip', o.skip);
  declare('unsupported', o.unsupported);
  return plan;
}

/**
 * What is wrong with a subject's declarations given its capabilities and fixtures, one line each: a case it
 * cannot run but did not declare, or a declared case it can run.
 */
export function declarationProblems(
  plan: ReadonlyMap<ApiCaseId, CasePlan>,
  caps: Capabilities,
  fixtures: ApiFixtures,
): string[] {
  const out: string[] = [];
  for (const c of API_CASES) {
    const p = plan.get(c.id) ?? { kind: 'run' };
    const capable = c.requires?.(caps) ?? true;
    const equipped = c.needs === undefined || fixtures[c.needs] !== undefined;
    if (p.kind === 'run' && !capable)
      out.push(`${c.id}: the capabilities say this host cannot; declare the skip or the case unsupported`);
    if (p.kind === 'run' && !equipped)
      out.push(`${c.id}: needs fixtures.${c.needs}; provide it or declare the skip`);
    if (p.kind === 'unsupported' && capable)
      out.push(`${c.id}: declared unsupported, but the capabilities say supported (stale)`);
    if (p.kind === 'skip' && c.requires !== undefined && capable && equipped) {
      out.push(
        `${c.id}: skipped, but the capabilities say supported and the fixtures are there (stale skip)`,
      );
    }
  }
  return out;
}

async function withSubject<T>(
  open: () => Promise<ApiSubject>,
  fn: (s: ApiSubject) => Promise<T>,
): Promise<T> {
  const s = await open();
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** Runs one case against an open subject (the runner's own test calls it on purpose-built subjects). */
export async function runCase(c: ApiCase, subject: ApiSubject, fixtures: ApiFixtures = {}): Promise<void> {
  const caps = await subject.api.host.capabilities();
  await c.run({ api: subject.api, caps, fixtures, name: namer() });
}

/** Asserts that the case's probe throws NOT_SUPPORTED on this Api, with a message that names the alternative. */
export async function checkUnsupported(c: ApiCase, api: Api): Promise<void> {
  assert.ok(c.probe !== undefined, `${c.id} has no probe`);
  try {
    await c.probe(api);
  } catch (e) {
    assert.ok(e instanceof ApiError, `${c.id}: expected an ApiError, got ${String(e)}`);
    assert.equal(e.code, 'NOT_SUPPORTED', `${c.id}: expected NOT_SUPPORTED, got ${e.code}: ${e.message}`);
    assert.ok(e.message.length > 0);
    return;
  }
  assert.fail(`${c.id}: declared unsupported, but the probe succeeded`);
}

/**
 * Registers the cases for one subject: a declaration check, then one test per case (run, skipped with its
 * reason, or asserted NOT_SUPPORTED). Each case gets a fresh subject from `open`.
 */
export function runApiConformance(o: ApiConformanceOptions): void {
  const plan = planCases(o);
  const fixtures = o.fixtures ?? {};
  describe(`API conformance: ${o.label}`, () => {
    it('declares its skips and unsupported cases truthfully', () =>
      withSubject(o.open, async (s) => {
        assert.deepEqual(declarationProblems(plan, await s.api.host.capabilities(), fixtures), []);
      }));
    for (const c of API_CASES) {
      const p = plan.get(c.id)!;
      if (p.kind === 'skip') it.skip(`${c.id}: ${c.title} (skipped: ${p.reason})`, () => {});
      else if (p.kind === 'unsupported') {
        it(`${c.id}: NOT_SUPPORTED here (${p.reason})`, () =>
          withSubject(o.open, (s) => checkUnsupported(c, s.api)));
      } else it(`${c.id}: ${c.title}`, () => withSubject(o.open, (s) => runCase(c, s, fixtures)));
    }
  });
}
