import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Packing and installing the package takes about a minute: `npm run test:package` runs it.
    exclude: [...configDefaults.exclude, 'test/package/**'],
    // The end-to-end tests run the built CLI: build it once before any test file starts.
    globalSetup: ['test/globalSetup.ts'],
    // Property tests scale with MATCALC_PROPERTY_RUNS; the defaults keep `npm test` to about a minute.
    testTimeout: 60_000,
    pool: 'forks',
  },
});
