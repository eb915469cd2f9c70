/**
 * Global setup of `npm run test:web`: builds the CLI (when stale, as the main suite does) and the
 * web page (always: a few seconds), so that the browser tests drive exactly what `npm run build`
 * ships, served by the built `matcalc web`.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, ensureBuilt } from '../cli/helpers.js';

export default function setup(): void {
  ensureBuilt();
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--quiet'], { stdio: 'inherit' });
}
