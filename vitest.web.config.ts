import { defineConfig } from 'vitest/config';

// `npm run test:web`: the playground in a real browser (Debian's Chromium driven by playwright-core).
// Kept out of `npm test`, which needs no browser: these files end in .browser.ts, not .test.ts.
export default defineConfig({
  test: {
    include: ['test/web/**/*.browser.ts'],
    globalSetup: ['test/web/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
