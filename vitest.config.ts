import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One embedded PostgreSQL, one Temporal dev server and one workflow bundle per run, shared by every file.
    globalSetup: ['tests/support/global-setup.ts'],
    // Limits with room for a loaded 2-core machine (see tests/support/patience.ts); a passing test is no slower for them.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
})
