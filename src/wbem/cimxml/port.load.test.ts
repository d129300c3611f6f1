import { describe, expect, it } from 'vitest';
import {
  type AttackStats,
  type ClientOptions,
  describeStats,
  loopbackAddresses,
  runScenario,
  type ScenarioResult,
} from '../../../bench/port-attacks.js';
import type { CimXmlLimits } from './server.js';
import { startTestHost } from './test-host.js';

// A load test of the CIM-XML port on loopback, bounded in time: each attack runs for 10 s in a process of its own
// against a fresh host while a legitimate admin sends EnumerateInstances on a fresh connection every 200 ms from
// 127.0.0.1. What is asserted is behaviour (every legitimate request succeeds, each within a generous 5 s); the
// figures (latency p50 and max, event-loop delay, guesses checked) are printed for the record.

const ATTACK_MS = 10_000;
const ADMIN = 'admin:secret';
const LEGIT_BOUND_MS = 5000;

async function scenario(
  name: string,
  attack: Omit<ClientOptions, 'port' | 'durationMs'>,
  over: 'http' | 'https' = 'http',
  limits: Partial<CimXmlLimits> = {},
): Promise<ScenarioResult> {
  const host = await startTestHost({
    vms: 3,
    https: over === 'https',
    limits,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
  });
  try {
    const port = Number(new URL(over === 'https' ? host.httpsUrl! : host.url).port);
    const r = await runScenario(
      { ...attack, port, durationMs: ATTACK_MS },
      { port, tls: over === 'https', credentials: ADMIN },
    );
    console.log(
      `${name}\n  attacker: ${describeStats(r.attack)}\n  legit:    ${describeStats(r.probe)}\n` +
        `  event-loop delay p99 ${r.p99EventLoopDelayMs.toFixed(0)} ms, max ${r.maxEventLoopDelayMs.toFixed(0)} ms`,
    );
    return r;
  } finally {
    await host.close();
  }
}

/** Every legitimate request got its 200 within the bound. */
function expectLegitServed(probe: AttackStats): void {
  expect(probe.opened).toBeGreaterThanOrEqual(10);
  expect(probe.outcomes).toEqual({ '200': probe.opened });
  expect(Math.max(...probe.latenciesMs)).toBeLessThan(LEGIT_BOUND_MS);
}

describe('the CIM-XML port under abuse (load test, loopback, 10 s per attack)', () => {
  it('slowloris: 400 connections from one address trickling a header byte every 2 s', {
    timeout: 60_000,
  }, async () => {
    const r = await scenario('slowloris, 400 connections from 127.0.0.2', {
      kind: 'slowloris',
      connections: 400,
      from: ['127.0.0.2'],
      intervalMs: 2000,
    });
    expectLegitServed(r.probe);
    expect(r.attack.outcomes['503']).toBeGreaterThan(0); // refused with an answer, not reset
  });

  it('slowloris spread over 20 addresses (400 connections, more than the server holds)', {
    timeout: 60_000,
  }, async () => {
    const r = await scenario('slowloris, 400 connections from 20 addresses', {
      kind: 'slowloris',
      connections: 400,
      from: loopbackAddresses(10, 20),
      intervalMs: 2000,
    });
    expectLegitServed(r.probe);
  });

  it('TLS: 256 sockets that never send a ClientHello', { timeout: 60_000 }, async () => {
    const r = await scenario(
      'silent TLS, 256 sockets from 127.0.0.3',
      { kind: 'silent', connections: 256, from: ['127.0.0.3'] },
      'https',
    );
    expectLegitServed(r.probe);
    expect(r.attack.outcomes.closed).toBeGreaterThan(0);
  });

  it('TLS: 400 silent sockets spread over 20 addresses', { timeout: 60_000 }, async () => {
    const r = await scenario(
      'silent TLS, 400 sockets from 20 addresses',
      { kind: 'silent', connections: 400, from: loopbackAddresses(40, 20) },
      'https',
    );
    expectLegitServed(r.probe);
  });

  it.each([
    [100_000, '~1 MB'],
    [300_000, '~3 MB'],
  ])(
    'attribute bomb from a reader: %i attributes (%s), sent again and again',
    { timeout: 60_000 },
    async (n, size) => {
      // A body cap of 4 MiB (the default is 1 MiB), so that the bombs reach the parser rather than the cap.
      const r = await scenario(
        `attribute bomb, ${n} attributes (${size}) from reader rita`,
        { kind: 'bomb', attributes: n, from: ['127.0.0.4'], credentials: 'rita:r3ad' },
        'http',
        { maxBodyBytes: 4 << 20 },
      );
      expectLegitServed(r.probe);
      expect(Object.keys(r.attack.outcomes)).toEqual(['413']);
      expect(r.attack.samples['413']).toContain('<CIM> has more than 64 attributes (line 1, column');
    },
  );

  it('password guessing over 200 parallel connections from one address', { timeout: 60_000 }, async () => {
    const r = await scenario('guessing, 200 connections from 127.0.0.5', {
      kind: 'guess',
      connections: 200,
      from: ['127.0.0.5'],
      credentials: 'admin:x',
    });
    expectLegitServed(r.probe);
    const checked = r.attack.outcomes['401'] ?? 0;
    console.log(
      `  guesses checked: ${checked} in ${ATTACK_MS / 1000} s = ${(checked / (ATTACK_MS / 1000)).toFixed(2)}/s`,
    );
    // Five free failures, then 0.5, 1, 2, 4 s apart: at most about ten in ten seconds, whatever the parallelism.
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(12);
    expect(r.attack.outcomes['429']).toBeGreaterThan(100);
  });

  it('password guessing over 200 parallel connections from 50 addresses', { timeout: 60_000 }, async () => {
    const r = await scenario('guessing, 200 connections from 50 addresses', {
      kind: 'guess',
      connections: 200,
      from: loopbackAddresses(100, 50),
      credentials: 'admin:x',
    });
    expectLegitServed(r.probe);
    const checked = r.attack.outcomes['401'] ?? 0;
    console.log(
      `  guesses checked: ${checked} in ${ATTACK_MS / 1000} s = ${(checked / (ATTACK_MS / 1000)).toFixed(2)}/s`,
    );
    // The user's ten free failures, then its pacing (0.5 s doubling to 10 s): a few more.
    expect(checked).toBeLessThanOrEqual(20);
  });
});
