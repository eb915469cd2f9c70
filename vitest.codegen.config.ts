import { defineConfig } from 'vitest/config';

// `npm run test:codegen`: generated code run by python3 (numpy, torch, jax); see test/codegen/.
export default defineConfig({
  test: {
    include: ['test/codegen/**/*.exec.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
