import { defineConfig } from 'vitest/config';

// Two projects: unit tests run anywhere in parallel; integration tests share the throwaway
// PostgreSQL cluster and Redis server that the global setup starts (or TEST_* URLs), and run with
// few workers because this machine has two cores and the servers share them.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['core/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'electron/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'int',
          include: ['core/**/*.int.test.ts', 'electron/**/*.int.test.ts'],
          globalSetup: ['core/testing/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          // Unit tests first, then the integration group with its own worker limit.
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // npm pack + a fresh install: last, so its builds don't load the machine under the
          // integration tests' timing-sensitive cases.
          name: 'package',
          include: ['scripts/**/*.int.test.ts'],
          globalSetup: ['core/testing/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 400_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
