/** `npm run test:package`: the packed-and-installed package test alone (see package.test.ts). */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/package/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000, // packing and installing (beforeAll), deleting the project (afterAll) on a loaded machine
  },
});
