import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SHARED } from '../../../test/helpers/cli.js';
import { parseOvf } from '../../ovf/index.js';
import { MAX_START_DELAY_MS, startupPlan } from './startup.js';

describe('startupPlan()', () => {
  it('orders systems by ovf:order with the start delay after each step', () => {
    const env = parseOvf(readFileSync(join(ROOT, 'test/fixtures/deploy/collection.ovf')));
    expect(startupPlan(env)).toEqual([
      { systemIds: ['db'], delayMs: 1000 },
      { systemIds: ['web'], delayMs: 0 },
    ]);
  });

  it("reads VMware's vApp StartupSection and caps absurd delays", () => {
    const file = 'vmware__govmomi__ovf__fixtures__external__two-vms-vapp__two-vms-vapp.ovf';
    const env = parseOvf(readFileSync(join(SHARED, 'ovf-corpus', file)));
    const plan = startupPlan(env);
    expect(plan.map((s) => s.systemIds)).toEqual([['vm1'], ['vm2']]);
    expect(plan[0]!.delayMs).toBe(120_000);
    const text = readFileSync(join(SHARED, 'ovf-corpus', file), 'utf8').replace(
      'ovf:startDelay="120"',
      'ovf:startDelay="999999"',
    );
    expect(startupPlan(parseOvf(text))[0]!.delayMs).toBe(MAX_START_DELAY_MS);
  });

  it('leaves out systems whose startAction is none and starts unnamed ones last', () => {
    const file = join(ROOT, 'test/fixtures/deploy/collection.ovf');
    const text = readFileSync(file, 'utf8').replace(
      'ovf:id="web" ovf:order="2" ovf:startDelay="0" ovf:startAction="powerOn"',
      'ovf:id="web" ovf:order="2" ovf:startAction="none"',
    );
    expect(startupPlan(parseOvf(text)).flatMap((s) => s.systemIds)).toEqual(['db']);
    const unnamed = readFileSync(file, 'utf8').replace(/<Item ovf:id="db"[^>]*\/>/, '');
    expect(startupPlan(parseOvf(unnamed)).map((s) => s.systemIds)).toEqual([['web'], ['db']]);
  });
});
