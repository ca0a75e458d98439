import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Limits with room for a loaded 2-core machine (see tests/support/patience.ts); a passing test is no slower for them.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // The integration files mostly wait (on Temporal, timers, child processes), so two workers per core: on 2 cores the
    // whole suite took 9 min 44 s with vitest's default (one worker per core) and 4 min 59 s with four, all green.
    maxWorkers: Math.max(4, availableParallelism()),
    projects: [
      {
        extends: true,
        // What needs nothing running: pure rules, parsers, the CLI's refusals, the Stripe adapter against stripe-mock.
        // No PostgreSQL, no Temporal, no global setup: `npm run test:unit` answers in seconds.
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/unit/**'],
          // One embedded PostgreSQL, one Temporal dev server and one workflow bundle per run, shared by every file.
          globalSetup: ['tests/support/global-setup.ts'],
        },
      },
    ],
  },
})
