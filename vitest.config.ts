import { defineConfig } from 'vitest/config';

/**
 * Integration files that crash, stop or cut off servers, hosts or processes: `pnpm test` runs them as a
 * second vitest process beside the rest (on a stack of its own), so CI's wall time is the longer of the
 * two lanes rather than their sum (DEVELOPERS.md).
 */
const faultFiles = [
  'apps/api/test/faults.int.test.ts',
  'infra/multihost/test/multihost.int.test.ts',
  'apps/api/test/pipeline.int.test.ts',
  'apps/api/test/place-after-reply.int.test.ts',
  'infra/stack/test/local-stack.int.test.ts',
];

/** Integration files, either lane: one file at a time, on a real stack of the lane's own. */
const onTheStack = {
  // Starts (or reuses via DATABASE_URL / REDIS_URL) the real local stack: embedded Postgres + redis-server.
  globalSetup: ['infra/stack/test/global-setup.ts'],
  fileParallelism: false,
  testTimeout: 180_000,
  hookTimeout: 180_000,
};

// Tests run live TypeScript source through the `@frontline/source` export condition.
// In vitest the condition must sit in ssr.resolve.conditions (resolve.conditions alone loads dist/).
export default defineConfig({
  ssr: { resolve: { conditions: ['@frontline/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{apps,packages,infra,tooling}/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
          // One module graph for all unit files: they share no state (no vi.mock, stubbed env or globals),
          // and importing the packages afresh per file was ~40 % of the project's time (164 → 101 s).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{apps,packages,infra}/*/test/**/*.int.test.ts'],
          exclude: [...faultFiles, '**/node_modules/**'],
          ...onTheStack,
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: faultFiles,
          ...onTheStack,
        },
      },
    ],
  },
});
