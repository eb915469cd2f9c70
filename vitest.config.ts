import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The end-to-end tests run the built CLI: build it once before any test file starts.
    globalSetup: ['test/globalSetup.ts'],
    // Property tests scale with MATCALC_PROPERTY_RUNS; the defaults keep `npm test` to about a minute.
    testTimeout: 60_000,
    pool: 'forks',
  },
});
