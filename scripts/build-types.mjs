/**
 * Declaration files for the published package: `tsc -p tsconfig.build.json` writes dist/types/
 * (src/index.ts and every module it reaches, with declaration maps back to src/, which ships too).
 * Consumers then type-check against plain declarations under their own compiler options, never
 * against matcalc's sources. tsc still type-checks the program (~9 s of CPU), so the test suite's
 * build skips this step (`build.mjs --no-types`); `npm run build` and `npm pack` run it.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Resolves when dist/types/ is written; rejects (tsc has printed why) when tsc fails. */
export function buildTypes(root) {
  rmSync(join(root, 'dist/types'), { recursive: true, force: true });
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
      cwd: root,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tsc exited with ${code}`))));
  });
}
