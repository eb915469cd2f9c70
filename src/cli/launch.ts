/**
 * The installed `matcalc` binary (built to dist/cli.js): a small launcher that runs the bundled CLI
 * (dist/cli.cjs) through V8's code cache (dist/cli.cache).
 *
 * Why: start-up is a feature, and on Node 20 about a third of a cold `matcalc diff` went to
 * compiling the bundle. Node 20 has no compile cache for modules (module.enableCompileCache is
 * Node 22), so this is the technique of v8-compile-cache: compile the CommonJS bundle with
 * vm.Script and `cachedData`. V8 checks the cache against the source and its own version and flags
 * and ignores one that does not match; then a fresh cache is written after the run (atomically,
 * through a temporary file), or not at all when dist/ is read-only — the CLI works either way.
 * The build writes the cache with one warm-up run, so an installed copy starts warm.
 * An error that escapes the CLI is reported by crash.ts, not by Node (whose report would quote a
 * line of the minified bundle).
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { reportCrashes } from './crash.js';

const file = fileURLToPath(new URL('cli.cjs', import.meta.url));
const cacheFile = fileURLToPath(new URL('cli.cache', import.meta.url));

let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}

// The CommonJS wrapper's opening shifts the bundle's first line right by its length.
reportCrashes(file, Module.wrap('').indexOf('\n'));

const script = new Script(Module.wrap(readFileSync(file, 'utf8')), {
  filename: file,
  ...(cachedData ? { cachedData } : {}),
});
if (process.env.MATCALC_DEBUG_CACHE)
  process.stderr.write(
    `code cache: ${cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'}\n`,
  );

if (cachedData === undefined || script.cachedDataRejected === true) {
  // After the command has run, so that the functions it compiled are in the cache too.
  process.once('beforeExit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only installation: run without a cache.
      rmSync(tmp, { force: true });
    }
  });
}

const cjs = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void).call(
  cjs.exports,
  cjs.exports,
  createRequire(file),
  cjs,
  file,
  dirname(file),
);
