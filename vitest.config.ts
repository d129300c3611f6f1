import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Shared conformance runners and their cases (`*.case.test.ts`) run only when a subject's test calls them.
    exclude: [...configDefaults.exclude, '**/*.case.test.ts'],
    setupFiles: ['test/setup/no-promise-expect.ts'],
    testTimeout: 30_000,
    // expect.poll's own default (1 s) is short for a click in Chromium, a job or a closed stream to show on a
    // loaded CI machine (2 cores, QEMU TCG guests beside it); a poll that meets its condition returns at once.
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // Hosts started by tests must not all try to bind the default CIM, WS-Man and REST ports; tests that want them pass ports.
    env: {
      VESSEL_CIM_HTTP: '0',
      VESSEL_CIM_HTTPS: '0',
      VESSEL_WSMAN_HTTP: '0',
      VESSEL_WSMAN_HTTPS: '0',
      VESSEL_HTTP: '0',
      VESSEL_HTTPS: '0',
    },
  },
});
