import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests scale with MATCALC_PROPERTY_RUNS; the defaults keep `npm test` to about a minute.
    testTimeout: 60_000,
    pool: 'forks',
  },
});
