import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriverCapabilities } from '../capabilities.js';
import { operationsOf } from '../operations.js';
import type { DriverOperation, HypervisorDriver } from '../types.js';
import { adoptCases } from './cases/adopt.case.test.js';
import { capabilityCases } from './cases/capabilities.case.test.js';
import { defineCases } from './cases/define.case.test.js';
import { hotplugCases } from './cases/hotplug.case.test.js';
import { imageCases } from './cases/images.case.test.js';
import { inventoryCases } from './cases/inventory.case.test.js';
import { lifecycleCases } from './cases/lifecycle.case.test.js';
import type { CaseContext, DriverCase, DriverConformanceOptions } from './types.case.test.js';

export type { DriverCaseId, DriverConformanceOptions } from './types.case.test.js';

/** Every case, in the order they run. */
export const DRIVER_CASES: readonly DriverCase[] = [
  ...defineCases,
  ...capabilityCases,
  ...lifecycleCases,
  ...hotplugCases,
  ...adoptCases,
  ...inventoryCases,
  ...imageCases,
];

/**
 * Whether a case runs, and the failure when its skip is wrong: a case the driver cannot run must be declared
 * (`declare the skip`), and a declared skip of a case the driver can run is stale.
 */
export function skipVerdict(
  c: DriverCase,
  o: DriverConformanceOptions,
  caps: DriverCapabilities,
  entry: readonly DriverOperation[],
): { run: true } | { run: false; reason: string } | { error: string } {
  const possible = c.requires?.(caps, entry, o) ?? true;
  const declared = o.skip?.find((s) => s.cases.includes(c.id));
  if (!possible && declared === undefined)
    return {
      error: `${c.id}: ${o.label} cannot run this case (${c.needs ?? 'a requirement'}): declare the skip`,
    };
  if (possible && declared !== undefined)
    return { error: `${c.id}: stale skip ("${declared.reason}"): ${o.label} has what the case needs` };
  return declared === undefined ? { run: true } : { run: false, reason: declared.reason };
}

/**
 * The driver conformance runner, as hono's shared router tests: a driver's folder calls it with how to open the
 * driver, a guest to boot, and the cases it skips with a reason. The same behaviour is asked of every driver
 * (definitions, refusals, transitions, events, capabilities that match what is accepted, console, hot-plug,
 * adoption, an inventory the hypervisor owns, export images). A case whose requirement the driver's capabilities
 * do not meet must be skipped with a reason; a skipped case whose requirement is met fails as a stale skip.
 *
 * @example
 * runDriverConformance({ label: 'test:///default', open: ({ stateDir }) => openDriver('test:///default', { stateDir }),
 *   guest, skip: [{ cases: ['adopt.after-close'], reason: 'nothing runs outside the process' }] });
 */
export function runDriverConformance(o: DriverConformanceOptions): void {
  describe(`driver conformance: ${o.label}`, () => {
    const t = {} as CaseContext;
    let entry: readonly DriverOperation[] = [];
    const opened: HypervisorDriver[] = [];

    beforeAll(async () => {
      t.stateDir = mkdtempSync(join(tmpdir(), 'vessel-conf-'));
      t.options = o;
      t.open = async () => {
        const d = await o.open({ stateDir: t.stateDir });
        opened.push(d);
        return d;
      };
      t.driver = await t.open();
      t.caps = await t.driver.capabilities();
      entry = operationsOf(t.driver);
    });
    afterAll(async () => {
      for (const d of opened) await d.close({ stopAll: true }).catch(() => undefined);
      if (t.stateDir) rmSync(t.stateDir, { recursive: true, force: true });
    });

    it('declares each skip once, with a reason, for cases that exist', () => {
      const seen = new Set<string>();
      for (const s of o.skip ?? []) {
        expect(s.reason.trim(), `the skip of ${s.cases.join(', ')} has no reason`).not.toBe('');
        for (const id of s.cases) {
          expect(
            DRIVER_CASES.map((c) => c.id),
            `unknown case ${id}`,
          ).toContain(id);
          expect(seen.has(id), `${id} is skipped twice`).toBe(false);
          seen.add(id);
        }
      }
    });

    for (const c of DRIVER_CASES) {
      it(`${c.id}: ${c.title}`, { timeout: c.timeoutMs ?? 30_000 }, async (ctx) => {
        const v = skipVerdict(c, o, t.caps, entry);
        if ('error' in v) throw new Error(v.error);
        if (!v.run) {
          ctx.skip(v.reason);
          return;
        }
        await c.run(t);
      });
    }
  });
}
