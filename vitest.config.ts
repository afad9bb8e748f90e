import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // One private redis-server for the run (unless REDIS_URL is set); see test/global-setup.ts.
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-env.ts'],
    pool: 'forks',
    // Test files run in parallel against the same Redis; each uses its own key prefix.
    fileParallelism: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
