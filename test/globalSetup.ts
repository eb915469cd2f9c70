/**
 * Vitest global setup: builds dist/ (scripts/build.mjs, without the declaration files: a few
 * seconds) once per test run, so that the end-to-end tests in test/cli/ run the CLI exactly as it
 * is installed. Skipped when dist/ is newer than every source file and the build script.
 */
import { ensureBuilt } from './cli/helpers.js';

export default function setup(): void {
  ensureBuilt();
}
