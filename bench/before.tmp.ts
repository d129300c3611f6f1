import { startTestHost } from '../src/wbem/cimxml/index.js';
import { describeStats, loopbackAddresses, runScenario } from './port-attacks.js';

const which = process.argv.slice(2);
const host = await startTestHost({
  vms: 3,
  https: true,
  users: [
    ['admin', 'admin', 'secret'],
    ['rita', 'reader', 'r3ad'],
  ],
});
const port = Number(new URL(host.url).port);
const sport = Number(new URL(host.httpsUrl!).port);
const admin = 'admin:secret';
const show = (name: string, r: Awaited<ReturnType<typeof runScenario>>) => {
  console.log(
    `## ${name}\n  attack ${describeStats(r.attack)}\n  legit  ${describeStats(r.probe)}\n  max event-loop delay ${r.maxEventLoopDelayMs.toFixed(0)} ms`,
  );
};
const sc: Record<string, () => Promise<void>> = {
  idle: async () =>
    show(
      'idle',
      await runScenario(
        { kind: 'probe', port, credentials: admin, durationMs: 5000 },
        { port, credentials: admin },
      ),
    ),
  slowloris: async () =>
    show(
      'slowloris 400 from 127.0.0.2',
      await runScenario(
        {
          kind: 'slowloris',
          port,
          connections: 400,
          from: ['127.0.0.2'],
          intervalMs: 2000,
          durationMs: 20000,
        },
        { port, credentials: admin },
      ),
    ),
  slowloris20: async () =>
    show(
      'slowloris 400 from 20 addresses',
      await runScenario(
        {
          kind: 'slowloris',
          port,
          connections: 400,
          from: loopbackAddresses(10, 20),
          intervalMs: 2000,
          durationMs: 20000,
        },
        { port, credentials: admin },
      ),
    ),
  silent: async () =>
    show(
      'silent TLS 256 from 127.0.0.3',
      await runScenario(
        { kind: 'silent', port: sport, connections: 256, from: ['127.0.0.3'], durationMs: 20000 },
        { port: sport, tls: true, credentials: admin },
      ),
    ),
  guess: async () =>
    show(
      'guess 200 conns from 127.0.0.5',
      await runScenario(
        {
          kind: 'guess',
          port,
          connections: 200,
          from: ['127.0.0.5'],
          credentials: 'admin:x',
          durationMs: 20000,
        },
        { port, credentials: admin },
      ),
    ),
  guess50: async () =>
    show(
      'guess 200 conns from 50 addresses',
      await runScenario(
        {
          kind: 'guess',
          port,
          connections: 200,
          from: loopbackAddresses(100, 50),
          credentials: 'admin:x',
          durationMs: 20000,
        },
        { port, credentials: admin },
      ),
    ),
  bomb30k: async () =>
    show(
      'bomb 30k attrs from rita',
      await runScenario(
        {
          kind: 'bomb',
          port,
          attributes: 30000,
          from: ['127.0.0.4'],
          credentials: 'rita:r3ad',
          durationMs: 15000,
          timeoutMs: 300000,
        },
        { port, credentials: admin },
      ),
    ),
  bomb100k: async () =>
    show(
      'bomb 100k attrs from rita',
      await runScenario(
        {
          kind: 'bomb',
          port,
          attributes: 100000,
          from: ['127.0.0.4'],
          credentials: 'rita:r3ad',
          durationMs: 5000,
          timeoutMs: 300000,
        },
        { port, credentials: admin, warmupMs: 500 },
      ),
    ),
};
for (const w of which) await sc[w]!();
await host.close();
process.exit(0);
